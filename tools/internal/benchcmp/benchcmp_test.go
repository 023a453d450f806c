package benchcmp

import (
	"bytes"
	"math"
	"os"
	"strings"
	"testing"
)

func TestParseRatios(t *testing.T) {
	f, err := os.Open("testdata/route.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		peer, bench string
		x           float64
	}{
		{"chi", "Route/static", 100.0 / 200.0},
		{"chi", "Route/param", 300.0 / 200.0},
		{"securecookie", "Sign", 50.0 / 150.0},
	}
	got := rep.Ratios()
	if len(got) != len(want) {
		t.Fatalf("got %d ratios %v, want %d", len(got), got, len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Peer != w.peer || g.Benchmark != w.bench || math.Abs(g.X()-w.x) > 1e-9 {
			t.Errorf("ratio %d = %s (%v), want %s/%s = %.3f", i, g, g.X(), w.peer, w.bench, w.x)
		}
	}
	if s := got[0].String(); s != "ratio ours/chi Route/static = 0.500" {
		t.Errorf("String() = %q", s)
	}
	if len(rep.Comparisons) != 2 || rep.Comparisons[0].Peer != "chi" || rep.Comparisons[1].Peer != "securecookie" {
		t.Errorf("comparisons in wrong order: %+v", rep.Comparisons)
	}

	var out bytes.Buffer
	if err := rep.Write(&out); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, line := range []string{
		"## ours vs chi (old = chi, new = ours: the delta is ours relative to chi)",
		"ratio ours/chi Route/static = 0.500",
		"ratio ours/chi Route/param = 1.500",
		"ratio ours/securecookie Sign = 0.333",
		"## without a counterpart",
	} {
		if !strings.Contains(text, line+"\n") {
			t.Errorf("report lacks line %q:\n%s", line, text)
		}
	}
	// The table has the time, bytes and allocations of both columns.
	for _, s := range []string{"time/op", "alloc/op", "allocs/op", "Route/static", "OnlyOurs/ours", "Plain"} {
		if !strings.Contains(text, s) {
			t.Errorf("report lacks %q:\n%s", s, text)
		}
	}
	// Ratio lines come last.
	lines := strings.Split(strings.TrimSpace(text), "\n")
	if !strings.HasPrefix(lines[len(lines)-1], "ratio ") {
		t.Errorf("last line %q is not a ratio", lines[len(lines)-1])
	}
}

func TestParseNames(t *testing.T) {
	tests := []struct {
		name, input string
		want        []string // ratio lines
	}{
		{
			"single procs value is dropped",
			"BenchmarkGet/otter-8 10 30 ns/op\nBenchmarkGet/ours-8 10 15 ns/op\n",
			[]string{"ratio ours/otter Get = 0.500"},
		},
		{
			"several -cpu values are kept",
			"BenchmarkGet/ours-1 10 10 ns/op\nBenchmarkGet/lru-1 10 20 ns/op\n" +
				"BenchmarkGet/ours-4 10 30 ns/op\nBenchmarkGet/lru-4 10 20 ns/op\n",
			[]string{"ratio ours/lru Get-1 = 0.500", "ratio ours/lru Get-4 = 1.500"},
		},
		{
			"no procs suffix and key=value parts",
			"BenchmarkSet/size=64/ours 10 10 ns/op\nBenchmarkSet/size=64/ristretto 10 40 ns/op\n",
			[]string{"ratio ours/ristretto Set/size=64 = 0.250"},
		},
		{
			"peer without ours gives no ratio",
			"BenchmarkGet/otter 10 10 ns/op\n",
			nil,
		},
		{"no benchmarks", "PASS\nok x 0.1s\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := Parse(strings.NewReader(tt.input))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rep.Ratios() {
				got = append(got, r.String())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("ratios = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseMalformed(t *testing.T) {
	for _, in := range []string{
		"BenchmarkX/ours 10\n",
		"BenchmarkX/ours ten 10 ns/op\n",
		"BenchmarkX/ours 10 abc ns/op\n",
	} {
		if _, err := Parse(strings.NewReader(in)); err == nil {
			t.Errorf("Parse(%q) succeeded", in)
		}
	}
}
