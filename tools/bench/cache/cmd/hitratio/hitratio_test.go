package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func writeGzip(t *testing.T, dir, name, content string) {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(content))
	zw.Close()
	if err := os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestTraceFormats(t *testing.T) {
	dir := t.TempDir()
	writeGzip(t, dir, "a.gz", "10 3 0 0\n\n7 1 x y\n")
	writeGzip(t, dir, "l.gz", "5\n6\n# comment\n5\n")
	writeGzip(t, dir, "bad.gz", "10\n")
	got, err := arcTrace("a.gz")(dir)
	if err != nil || !slices.Equal(got, []uint64{10, 11, 12, 7}) {
		t.Fatalf("ARC = %v, %v", got, err)
	}
	got, err = lirsTrace("l.gz")(dir)
	if err != nil || !slices.Equal(got, []uint64{5, 6, 5}) {
		t.Fatalf("LIRS = %v, %v", got, err)
	}
	if _, err := arcTrace("bad.gz")(dir); err == nil || !strings.Contains(err.Error(), "bad.gz:1") {
		t.Fatalf("malformed ARC line: %v", err)
	}
	if _, err := lirsTrace("missing.gz")(dir); err == nil {
		t.Fatal("missing file: no error")
	}
}

func TestBelady(t *testing.T) {
	keys := []uint64{1, 2, 3, 1, 2, 4, 1, 2, 3, 4}
	next := nextUses(keys)
	if next[0] != 3 || next[9] != int(^uint(0)>>1) {
		t.Fatalf("nextUses = %v", next)
	}
	// With room for two keys the optimum keeps 1 and 2: hits at 3, 4, 6, 7.
	if h := belady(keys, next, 2); h != 4 {
		t.Fatalf("belady(2) = %d hits, want 4", h)
	}
	if h := belady(keys, next, 4); h != 6 {
		t.Fatalf("belady(4) = %d hits, want 6 (every re-reference)", h)
	}
}

func TestReplayAndChart(t *testing.T) {
	keys := zipfTrace()[:20_000]
	for _, p := range policies {
		if p.new == nil {
			continue
		}
		h := replay(p.new(500), keys)
		if h <= 0 || h >= len(keys) {
			t.Fatalf("%s: %d hits of %d", p.name, h, len(keys))
		}
	}
	if h := replayConcurrent(newOurs(500), keys, 4); h <= 0 {
		t.Fatalf("concurrent replay: %d hits", h)
	}
	svg := chart(result{trace: "t", accesses: 10, capacities: []int{1, 2000}, policies: []string{"ours", "lru"},
		ratio: map[string][]float64{"ours": {10, 20}, "lru": {5, 15}}})
	if !bytes.HasPrefix(svg, []byte("<svg")) || !bytes.Contains(svg, []byte("polyline")) {
		t.Fatalf("chart:\n%s", svg)
	}
}

func TestThousands(t *testing.T) {
	for _, tt := range []struct {
		n    int
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1,000"}, {914145, "914,145"}, {3912296, "3,912,296"}} {
		if got := thousands(tt.n); got != tt.want {
			t.Errorf("thousands(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestPrintTable(t *testing.T) {
	r := result{trace: "t", accesses: 1000, capacities: []int{500, 1000}, policies: []string{"ours", "lru"},
		ratio:  map[string][]float64{"ours": {10, 20}, "lru": {5, 21}},
		single: map[string][]float64{"ours": {11, 20}, "lru": {5, 20}}}
	tests := []struct {
		name     string
		threads  int
		markdown bool
		want     []string
	}{
		{"text", 1, false, []string{"trace t: 1000 accesses, hit ratio %, single goroutine, mean of 3 runs", "       500      10.00       5.00", "ours - lru: average +2.00 pp, worst -1.00 pp (capacity 1000)"}},
		{"markdown", 1, true, []string{"**t** (1,000 accesses; single goroutine, mean of 3 runs; hit ratio %)", "| capacity | ours | lru |\n|---:|---:|---:|", "| 500 | 10.00 | 5.00 |", "- ours - lru: average +2.00 pp"}},
		{"markdown, threads", 8, true, []string{"8 goroutines, mean of 3 runs (change vs single goroutine in parentheses)", "| 500 | 10.00 (-1.00) | 5.00 (+0.00) |", "- ours, 8 goroutines vs 1: worst -1.00 pp"}},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		printTable(&b, r, tt.threads, 3, tt.markdown)
		for _, w := range tt.want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("%s: output lacks %q:\n%s", tt.name, w, b.String())
			}
		}
	}
}
