package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"jiefen/dispute"
	"jiefen/store"
)

// runCorpus handles `jiefen corpus export`: the cases whose type a
// mediator corrected, as labelled lines in the corpus's format (type,
// urgent, region, text), for the classifier's next training run. Phone
// and ID numbers are masked; the lines are real people's words, to be
// reviewed and anonymised before they join routing/corpus/train.tsv.
func runCorpus(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "export" {
		return errors.New("usage: jiefen corpus export > corrections.tsv")
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	st, _, err := openStore(cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	cases, err := st.Cases(ctx, store.CaseFilter{})
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "# corrections made in the console: review and anonymise before adding to routing/corpus/train.tsv")
	for _, k := range cases {
		events, err := st.Events(ctx, k.ID)
		if err != nil {
			return err
		}
		if !corrected(events) {
			continue
		}
		urgent := "0"
		if k.Urgent {
			urgent = "1"
		}
		fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\n", k.Type, urgent, k.Region, oneLine(maskNumbers(k.Story)))
	}
	return nil
}

func corrected(events []dispute.Event) bool {
	for _, e := range events {
		if e.Kind == dispute.Retyped {
			return true
		}
	}
	return false
}

// Long digit runs are phone, ID card or bank numbers.
var numbersRe = regexp.MustCompile(`\d{7,}`)

func maskNumbers(s string) string { return numbersRe.ReplaceAllString(s, "XXXXXXXX") }

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.NewReplacer("\t", " ", "\n", " ").Replace(s)), " ")
}
