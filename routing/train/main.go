// Command train fits the local classifier's type model to the corpus and
// writes the model that the binary embeds:
//
//	go run ./routing/train            (from the module root)
//	go generate ./routing             (the same, through go:generate)
//
// It reads routing/corpus/train.tsv only; routing/corpus/heldout.tsv is
// for evaluation (go test ./routing -run Heldout -v) and never trained on.
// The same corpus always gives the same model, byte for byte.
//
// With -cv K it writes nothing and instead reports K-fold cross-validated
// accuracy on the training part, for trying out corpus or feature changes
// without looking at the held-out part.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"jiefen/routing"
)

func main() {
	log.SetFlags(0)
	dir := flag.String("dir", "", "the routing package directory (default: found from the working directory)")
	cv := flag.Int("cv", 0, "report K-fold cross-validation on the training part instead of writing the model")
	flag.Parse()
	if *dir == "" {
		*dir = findDir()
	}
	f, err := os.Open(filepath.Join(*dir, "corpus", "train.tsv"))
	if err != nil {
		log.Fatal(err)
	}
	examples, err := routing.ReadCorpus(f)
	f.Close()
	if err != nil {
		log.Fatal(err)
	}
	if *cv > 1 {
		crossValidate(examples, *cv)
		return
	}
	model, err := routing.TrainModel(examples)
	if err != nil {
		log.Fatal(err)
	}
	out := filepath.Join(*dir, "model.bin")
	if old, err := os.ReadFile(out); err == nil && bytes.Equal(old, model) {
		fmt.Printf("%s is up to date (%d messages, %d bytes)\n", out, len(examples), len(model))
		return
	}
	if err := os.WriteFile(out, model, 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("wrote %s (%d messages, %d bytes)\n", out, len(examples), len(model))
}

// findDir is the routing package directory seen from the working
// directory: the module root (go run ./routing/train) or the package itself
// (go generate).
func findDir() string {
	for _, d := range []string{"routing", "."} {
		if _, err := os.Stat(filepath.Join(d, "corpus", "train.tsv")); err == nil {
			return d
		}
	}
	log.Fatal("train: no corpus/train.tsv here or in ./routing; use -dir")
	return ""
}

func crossValidate(examples []routing.CorpusExample, k int) {
	ctx := context.Background()
	right, total := 0, 0
	confusion := map[[2]string]int{}
	for fold := range k {
		var train, test []routing.CorpusExample
		for i, ex := range examples {
			if i%k == fold {
				test = append(test, ex)
			} else {
				train = append(train, ex)
			}
		}
		model, err := routing.TrainModel(train)
		if err != nil {
			log.Fatal(err)
		}
		l, err := routing.NewLocalFromModel(model, routing.Builtin().City())
		if err != nil {
			log.Fatal(err)
		}
		for _, ex := range test {
			r, _ := l.Classify(ctx, ex.Text)
			total++
			if r.Type == ex.Type {
				right++
			} else {
				confusion[[2]string{string(ex.Type), string(r.Type)}]++
				fmt.Printf("  %-14s → %-14s %.2f  %s\n", ex.Type, r.Type, r.Confidence, ex.Text)
			}
		}
	}
	fmt.Printf("%d-fold cross-validation: %d/%d = %.3f\n", k, right, total, float64(right)/float64(total))
}
