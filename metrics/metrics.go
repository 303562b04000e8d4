// Package metrics keeps the handful of counters and histograms jiefen
// exposes at /metrics, in the Prometheus text format. A few dozen lines do
// what is needed here without the client library's dependency tree.
package metrics

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"
)

// Registry holds named series; the zero value is not usable, use New.
type Registry struct {
	mu       sync.Mutex
	counters map[string]*counter
	hists    map[string]*Histogram
	help     map[string]string
}

// New returns an empty registry.
func New() *Registry {
	return &Registry{counters: map[string]*counter{}, hists: map[string]*Histogram{}, help: map[string]string{}}
}

type counter struct {
	mu     sync.Mutex
	values map[string]float64 // by label values joined with labelSep
	names  []string           // label names, in the order of the first use
}

// labelSep cannot occur in label values we use; joining with it is the
// cheapest key, and rendering waits for a scrape.
const labelSep = "\xff"

// Inc adds one to the counter name with the given label pairs ("k", "v", …).
func (r *Registry) Inc(name, help string, labels ...string) {
	r.mu.Lock()
	c, ok := r.counters[name]
	if !ok {
		c = &counter{values: map[string]float64{}}
		for i := 0; i+1 < len(labels); i += 2 {
			c.names = append(c.names, labels[i])
		}
		r.counters[name] = c
		r.help[name] = help
	}
	r.mu.Unlock()
	var key string
	switch len(labels) {
	case 0:
	case 2:
		key = labels[1]
	case 4:
		key = labels[1] + labelSep + labels[3]
	default:
		vals := make([]string, 0, len(labels)/2)
		for i := 1; i < len(labels); i += 2 {
			vals = append(vals, labels[i])
		}
		key = strings.Join(vals, labelSep)
	}
	c.mu.Lock()
	c.values[key]++
	c.mu.Unlock()
}

// Histogram counts observations into fixed buckets.
type Histogram struct {
	mu      sync.Mutex
	bounds  []float64
	counts  []uint64
	sum     float64
	samples uint64
}

// Histogram returns the histogram name, creating it with bounds (seconds) on first use.
func (r *Registry) Histogram(name, help string, bounds []float64) *Histogram {
	r.mu.Lock()
	defer r.mu.Unlock()
	h, ok := r.hists[name]
	if !ok {
		h = &Histogram{bounds: bounds, counts: make([]uint64, len(bounds))}
		r.hists[name] = h
		r.help[name] = help
	}
	return h
}

// Observe records a duration.
func (h *Histogram) Observe(d time.Duration) {
	v := d.Seconds()
	h.mu.Lock()
	defer h.mu.Unlock()
	for i, b := range h.bounds {
		if v <= b {
			h.counts[i]++
		}
	}
	h.sum += v
	h.samples++
}

// LatencyBuckets suit request latencies from a millisecond to 10 seconds.
var LatencyBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// WriteTo writes every series in the Prometheus text exposition format.
func (r *Registry) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	r.mu.Lock()
	names := make([]string, 0, len(r.help))
	for n := range r.help {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if c, ok := r.counters[n]; ok {
			fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s counter\n", n, r.help[n], n)
			c.mu.Lock()
			keys := make([]string, 0, len(c.values))
			for k := range c.values {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				fmt.Fprintf(&b, "%s%s %v\n", n, renderLabels(c.names, k), c.values[k])
			}
			c.mu.Unlock()
		}
		if h, ok := r.hists[n]; ok {
			fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s histogram\n", n, r.help[n], n)
			h.mu.Lock()
			for i, bound := range h.bounds {
				fmt.Fprintf(&b, "%s_bucket{le=\"%v\"} %d\n", n, bound, h.counts[i])
			}
			fmt.Fprintf(&b, "%s_bucket{le=\"+Inf\"} %d\n%s_sum %v\n%s_count %d\n", n, h.samples, n, h.sum, n, h.samples)
			h.mu.Unlock()
		}
	}
	r.mu.Unlock()
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

var escapeLabel = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

func renderLabels(names []string, key string) string {
	if len(names) == 0 {
		return ""
	}
	vals := strings.Split(key, labelSep)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n + `="` + escapeLabel.Replace(vals[i]) + `"`
	}
	return "{" + strings.Join(parts, ",") + "}"
}
