package routing

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"jiefen/dispute"
)

// Floors of the held-out evaluation (the acceptance figures).
const (
	floorTypeAccuracy   = 0.90
	floorUrgentRecall   = 0.95
	ceilingFalseAlarms  = 0.03
	floorRegionAccuracy = 0.95
	// Per type, so that one type cannot quietly collapse behind a good
	// average.
	floorTypeRecall    = 0.65
	floorTypePrecision = 0.65
)

func readCorpusFile(t testing.TB, name string) []CorpusExample {
	t.Helper()
	f, err := os.Open(filepath.Join("corpus", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ex, err := ReadCorpus(f)
	if err != nil {
		t.Fatal(err)
	}
	return ex
}

// TestCorpus checks the corpus itself: sizes, no message in both parts,
// no message twice.
func TestCorpus(t *testing.T) {
	train, held := readCorpusFile(t, "train.tsv"), readCorpusFile(t, "heldout.tsv")
	count := func(exs []CorpusExample) map[dispute.Type]int {
		m := map[dispute.Type]int{}
		for _, ex := range exs {
			m[ex.Type]++
		}
		return m
	}
	ct, ch := count(train), count(held)
	for _, typ := range modelClasses() {
		if ct[typ] < 60 {
			t.Errorf("train.tsv: %d messages of %s, want at least 60", ct[typ], typ)
		}
		if ch[typ] < 20 {
			t.Errorf("heldout.tsv: %d messages of %s, want at least 20", ch[typ], typ)
		}
	}
	seen := map[string]string{}
	for _, part := range []struct {
		name string
		exs  []CorpusExample
	}{{"train.tsv", train}, {"heldout.tsv", held}} {
		for _, ex := range part.exs {
			key := normalize(ex.Text)
			if key == "" {
				key = ex.Text // emoji only
			}
			if prev, dup := seen[key]; dup {
				t.Errorf("%s:%d repeats %s: %s", part.name, ex.Line, prev, ex.Text)
			}
			seen[key] = fmt.Sprintf("%s:%d", part.name, ex.Line)
		}
	}
}

// TestShippedModelUpToDate trains a model from corpus/train.tsv and
// compares it with model.bin byte for byte: the shipped model is the
// corpus's, and training is reproducible.
func TestShippedModelUpToDate(t *testing.T) {
	// model.bin was written by another process (go run ./routing/train), so
	// equality also shows that training is deterministic.
	model, err := TrainModel(readCorpusFile(t, "train.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(model, shippedModel) {
		t.Fatalf("model.bin (%d bytes) is not the model of corpus/train.tsv (%d bytes): run `go run ./routing/train` from the module root",
			len(shippedModel), len(model))
	}
}

// TestHeldout runs the shipped model on messages it was not trained on and
// prints per-type precision and recall (go test -run Heldout -v).
func TestHeldout(t *testing.T) {
	held := readCorpusFile(t, "heldout.tsv")
	l := NewLocal(Builtin().City())
	ctx := context.Background()
	classes := modelClasses()
	tp, predicted, actual := map[dispute.Type]int{}, map[dispute.Type]int{}, map[dispute.Type]int{}
	var right, regionRight, urgent, urgentFound, calm, falseAlarms int
	var misses []string
	for _, ex := range held {
		r, err := l.Classify(ctx, ex.Text)
		if err != nil {
			t.Fatal(err)
		}
		actual[ex.Type]++
		predicted[r.Type]++
		if r.Type == ex.Type {
			right++
			tp[ex.Type]++
		} else {
			misses = append(misses, fmt.Sprintf("type   %-14s → %-14s %.2f  %s", ex.Type, r.Type, r.Confidence, ex.Text))
		}
		if r.Region == ex.Region {
			regionRight++
		} else {
			misses = append(misses, fmt.Sprintf("region %-14q → %-14q       %s", ex.Region, r.Region, ex.Text))
		}
		switch {
		case ex.Urgent:
			urgent++
			if r.Urgent {
				urgentFound++
			} else {
				misses = append(misses, "urgent missed              "+ex.Text)
			}
		default:
			calm++
			if r.Urgent {
				falseAlarms++
				misses = append(misses, "false alarm                "+ex.Text)
			}
		}
	}
	ratio := func(a, b int) float64 {
		if b == 0 {
			return 1
		}
		return float64(a) / float64(b)
	}
	t.Logf("held-out: %d messages", len(held))
	t.Logf("%-15s %9s %9s %6s", "type", "precision", "recall", "n")
	for _, c := range classes {
		p, r := ratio(tp[c], predicted[c]), ratio(tp[c], actual[c])
		t.Logf("%-15s %9.2f %9.2f %6d", c, p, r, actual[c])
		if r < floorTypeRecall {
			t.Errorf("%s: recall %.2f below %.2f", c, r, floorTypeRecall)
		}
		if p < floorTypePrecision {
			t.Errorf("%s: precision %.2f below %.2f", c, p, floorTypePrecision)
		}
	}
	acc, region := ratio(right, len(held)), ratio(regionRight, len(held))
	recall, alarms := ratio(urgentFound, urgent), ratio(falseAlarms, calm)
	t.Logf("type accuracy   %.3f (%d/%d)", acc, right, len(held))
	t.Logf("urgent recall   %.3f (%d/%d)", recall, urgentFound, urgent)
	t.Logf("false alarms    %.3f (%d/%d)", alarms, falseAlarms, calm)
	t.Logf("region accuracy %.3f (%d/%d)", region, regionRight, len(held))
	slices.Sort(misses)
	for _, m := range misses {
		t.Log("  " + m)
	}
	if acc < floorTypeAccuracy {
		t.Errorf("type accuracy %.3f below %.2f", acc, floorTypeAccuracy)
	}
	if recall < floorUrgentRecall {
		t.Errorf("urgent recall %.3f below %.2f", recall, floorUrgentRecall)
	}
	if alarms > ceilingFalseAlarms {
		t.Errorf("false alarms %.3f above %.2f", alarms, ceilingFalseAlarms)
	}
	if region < floorRegionAccuracy {
		t.Errorf("region accuracy %.3f below %.2f", region, floorRegionAccuracy)
	}
}

// TestTrainingCorpusFits guards against a corpus line the model cannot
// even learn (usually a wrong label): on its own training data the model
// should be nearly perfect.
func TestTrainingCorpusFits(t *testing.T) {
	l := NewLocal(Builtin().City())
	train := readCorpusFile(t, "train.tsv")
	wrong := 0
	for _, ex := range train {
		if r, _ := l.Classify(context.Background(), ex.Text); r.Type != ex.Type {
			wrong++
			t.Logf("train.tsv:%d %s → %s: %s", ex.Line, ex.Type, r.Type, ex.Text)
		}
	}
	if acc := 1 - float64(wrong)/float64(len(train)); acc < 0.97 {
		t.Errorf("training accuracy %.3f below 0.97", acc)
	}
}

// TestModelMemory reports what the loaded model occupies (-v).
func TestModelMemory(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	m, err := decodeModel(shippedModel, defaultLexicon())
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, _ = decodeModel(shippedModel, defaultLexicon())
	load := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	heap := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("model: %d n-grams × %d classes, file %d KiB embedded, loaded heap %d KiB, load time %v",
		m.ngrams, len(m.classes), len(shippedModel)/1024, heap/1024, load.Round(time.Millisecond))
	runtime.KeepAlive(m)
	if heap > 64<<20 {
		t.Errorf("loaded model takes %d MiB", heap>>20)
	}
}

// benchTexts are the held-out messages, so the benchmark sees realistic
// lengths.
func benchTexts(b *testing.B) []string {
	var texts []string
	for _, ex := range readCorpusFile(b, "heldout.tsv") {
		texts = append(texts, ex.Text)
	}
	return texts
}

// BenchmarkClassifyLatency reports the p50/p99 latency of one
// classification (the issue asks p99 under 2 ms). Speed is a benchmark's
// to report, never a test's to assert: a wall-clock limit fails on a busy
// machine or under the race detector, and says nothing about the code.
func BenchmarkClassifyLatency(b *testing.B) {
	l := NewLocal(Builtin().City())
	ctx := context.Background()
	texts := benchTexts(b)
	var lat []time.Duration
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		_, _ = l.Classify(ctx, texts[i%len(texts)])
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Nanoseconds()) }
	b.ReportMetric(q(0.5), "p50-ns")
	b.ReportMetric(q(0.99), "p99-ns")
}
