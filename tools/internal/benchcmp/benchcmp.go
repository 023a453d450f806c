package benchcmp

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchstat"
)

// Ours is the implementation name of stdweb's own code.
const Ours = "ours"

// timeUnit is the unit of the time per operation in benchmark output.
const timeUnit = "ns/op"

// A Ratio compares ours with one peer on one benchmark.
type Ratio struct {
	Peer      string
	Benchmark string
	// Ours and Theirs are the mean times per operation in nanoseconds.
	Ours, Theirs float64
}

// X returns ours' time over the peer's.
func (r Ratio) X() float64 { return r.Ours / r.Theirs }

// String formats r as "ratio ours/<peer> <benchmark> = <x>".
func (r Ratio) String() string {
	return fmt.Sprintf("ratio %s/%s %s = %.3f", Ours, r.Peer, r.Benchmark, r.X())
}

// A Comparison is ours against one peer, over the benchmarks both have.
type Comparison struct {
	Peer   string
	Tables []*benchstat.Table
	Ratios []Ratio
}

// A Report is the comparison of a benchmark run.
type Report struct {
	// Comparisons holds one entry per peer, in order of first appearance.
	Comparisons []*Comparison
	// Unpaired holds the tables of benchmarks that have no counterpart:
	// no implementation element, ours alone or a peer alone.
	Unpaired []*benchstat.Table
}

// sample is the result lines of one benchmark for one implementation.
type sample struct {
	bench, impl string
	lines       []string
}

// Parse reads benchmark output (the format of "go test -bench") and
// compares ours with every peer. Lines that are not benchmark results are
// ignored; a malformed result line is an error.
func Parse(r io.Reader) (*Report, error) {
	type result struct {
		base, procs string
		parts       []string
		line        string
	}
	var results []result
	procsSeen := map[string]bool{}
	br := benchfmt.NewReader(r, "benchmarks")
	for br.Scan() {
		switch rec := br.Result().(type) {
		case *benchfmt.SyntaxError:
			return nil, fmt.Errorf("benchcmp: %w", rec)
		case *benchfmt.Result:
			base, parts := rec.Name.Parts()
			res := result{base: strings.TrimPrefix(string(base), "Benchmark")}
			for _, p := range parts {
				if p[0] == '-' {
					res.procs = string(p)
				} else {
					res.parts = append(res.parts, string(p[1:]))
				}
			}
			procsSeen[res.procs] = true
			res.line = formatValues(rec)
			results = append(results, res)
		}
	}
	if err := br.Err(); err != nil {
		return nil, fmt.Errorf("benchcmp: %w", err)
	}

	keepProcs := len(procsSeen) > 1
	var (
		samples []*sample // in order of first appearance
		index   = map[[2]string]*sample{}
	)
	for _, res := range results {
		name, impl := res.base, ""
		if n := len(res.parts); n > 0 {
			impl = res.parts[n-1]
			name = strings.Join(append([]string{res.base}, res.parts[:n-1]...), "/")
		}
		if keepProcs {
			name += res.procs
		}
		k := [2]string{name, impl}
		s := index[k]
		if s == nil {
			s = &sample{bench: name, impl: impl}
			index[k] = s
			samples = append(samples, s)
		}
		s.lines = append(s.lines, res.line)
	}

	rep := new(Report)
	paired := map[*sample]bool{}
	var peers []string
	for _, s := range samples {
		if s.impl != "" && s.impl != Ours && !slices.Contains(peers, s.impl) {
			peers = append(peers, s.impl)
		}
	}
	for _, peer := range peers {
		var theirs, ours []*sample
		for _, s := range samples {
			if s.impl != peer {
				continue
			}
			if o := index[[2]string{s.bench, Ours}]; o != nil {
				theirs, ours = append(theirs, s), append(ours, o)
				paired[s], paired[o] = true, true
			}
		}
		if len(theirs) == 0 {
			continue
		}
		c := collection()
		c.AddConfig(peer, content(theirs, false))
		c.AddConfig(Ours, content(ours, false))
		cmp := &Comparison{Peer: peer, Tables: c.Tables()}
		for _, s := range theirs {
			t := c.Metrics[benchstat.Key{Config: peer, Benchmark: s.bench, Unit: timeUnit}]
			o := c.Metrics[benchstat.Key{Config: Ours, Benchmark: s.bench, Unit: timeUnit}]
			if t == nil || o == nil || t.Mean == 0 {
				continue
			}
			cmp.Ratios = append(cmp.Ratios, Ratio{Peer: peer, Benchmark: s.bench, Ours: o.Mean, Theirs: t.Mean})
		}
		rep.Comparisons = append(rep.Comparisons, cmp)
	}
	var unpaired []*sample
	for _, s := range samples {
		if !paired[s] {
			unpaired = append(unpaired, s)
		}
	}
	if len(unpaired) > 0 {
		c := collection()
		c.AddConfig("results", content(unpaired, true))
		rep.Unpaired = c.Tables()
	}
	return rep, nil
}

func collection() *benchstat.Collection {
	return &benchstat.Collection{Alpha: 0.05, DeltaTest: benchstat.UTest}
}

// formatValues returns the measurements of r as "iters value unit ...",
// in the units go test printed.
func formatValues(r *benchfmt.Result) string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(r.Iters))
	for _, v := range r.Values {
		val, unit := v.Value, v.Unit
		if v.OrigUnit != "" {
			val, unit = v.OrigValue, v.OrigUnit
		}
		fmt.Fprintf(&b, " %s %s", strconv.FormatFloat(val, 'g', -1, 64), unit)
	}
	return b.String()
}

// content renders samples as benchmark lines for benchstat, named by their
// comparison name and, when withImpl, their implementation too.
func content(samples []*sample, withImpl bool) []byte {
	var b strings.Builder
	for _, s := range samples {
		name := s.bench
		if withImpl && s.impl != "" {
			name += "/" + s.impl
		}
		for _, l := range s.lines {
			fmt.Fprintf(&b, "Benchmark%s %s\n", name, l)
		}
	}
	return []byte(b.String())
}

// Write prints the report: a benchstat table per peer, the tables of
// unpaired benchmarks, and then one ratio line per comparison.
func (r *Report) Write(w io.Writer) error {
	for _, c := range r.Comparisons {
		fmt.Fprintf(w, "## %s vs %s (old = %s, new = %s: the delta is ours relative to %s)\n\n", Ours, c.Peer, c.Peer, Ours, c.Peer)
		benchstat.FormatText(w, c.Tables)
		fmt.Fprintln(w)
	}
	if len(r.Unpaired) > 0 {
		fmt.Fprintf(w, "## without a counterpart\n\n")
		benchstat.FormatText(w, r.Unpaired)
		fmt.Fprintln(w)
	}
	for _, rt := range r.Ratios() {
		if _, err := fmt.Fprintln(w, rt); err != nil {
			return err
		}
	}
	return nil
}

// Ratios returns every ratio of the report, peer by peer.
func (r *Report) Ratios() []Ratio {
	var all []Ratio
	for _, c := range r.Comparisons {
		all = append(all, c.Ratios...)
	}
	return all
}
