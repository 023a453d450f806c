package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const demoBench = `package demo

import (
	"strings"
	"testing"
)

func BenchmarkJoin(b *testing.B) {
	parts := []string{"a", "b", "c"}
	b.Run("ours", func(b *testing.B) {
		for b.Loop() {
			_ = strings.Join(parts, ",")
		}
	})
	b.Run("naive", func(b *testing.B) {
		for b.Loop() {
			_ = parts[0] + "," + parts[1] + "," + parts[2]
		}
	})
}
`

func TestRunBench(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test -bench")
	}
	root := newWorkspace(t, []string{"tools/bench"}, map[string]string{
		"tools/bench/demo/demo_test.go": demoBench,
		"tools/bench/empty/README":      "no Go files: not a suite",
	})
	out := t.TempDir()
	code, stdout, stderr := runWS(t, root, "bench", "-q", "-count", "2", "-out", out, "demo", "-benchtime", "1000x")
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s\nstdout:\n%s", code, stderr, stdout)
	}
	if !strings.HasPrefix(lastLine(stdout), "ratio ours/naive Join = ") {
		t.Errorf("last line %q is not the ratio; output:\n%s", lastLine(stdout), stdout)
	}
	if strings.Contains(stdout, "BenchmarkJoin/ours") {
		t.Errorf("-q streamed the raw output:\n%s", stdout)
	}
	raws, _ := filepath.Glob(filepath.Join(out, "demo-*.txt"))
	if len(raws) != 1 {
		t.Fatalf("raw output files %q, want one", raws)
	}
	raw, _ := os.ReadFile(raws[0])
	if n := strings.Count(string(raw), "BenchmarkJoin/ours"); n != 2 {
		t.Errorf("raw output has %d ours lines, want 2:\n%s", n, raw)
	}
}

func TestRunBenchFailure(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test -bench")
	}
	const failing = `package demo

import "testing"

func BenchmarkJoin(b *testing.B) {
	b.Run("ours", func(b *testing.B) {
		for b.Loop() {
		}
	})
	b.Run("naive", func(b *testing.B) {
		for b.Loop() {
		}
	})
}

func BenchmarkBroken(b *testing.B) { b.Fatal("broken on purpose") }
`
	root := newWorkspace(t, []string{"tools/bench"}, map[string]string{"tools/bench/demo/demo_test.go": failing})
	code, stdout, stderr := runWS(t, root, "bench", "-q", "-count", "1", "-benchtime", "10x", "-out", t.TempDir(), "demo")
	if code != exitFail {
		t.Errorf("exit %d, want %d", code, exitFail)
	}
	if !strings.Contains(stderr, "broken on purpose") {
		t.Errorf("-q hid the failure:\n%s", stderr)
	}
	if !strings.Contains(stdout, "ratio ours/naive Join = ") {
		t.Errorf("the benchmarks that ran were not compared:\n%s", stdout)
	}
}

func TestRunBenchUsage(t *testing.T) {
	root := newWorkspace(t, []string{"tools/bench"}, map[string]string{
		"tools/bench/demo/demo_test.go": demoBench,
	})
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"bench"}, exitUsage, "usage: go tool ws bench"},
		{[]string{"bench", "nope"}, exitUsage, `unknown suite "nope" (suites: demo)`},
		{[]string{"bench", "demo", "other"}, exitUsage, "one suite at a time"},
		{[]string{"bench", "-count", "0", "demo"}, exitUsage, "-count must be at least 1"},
		{[]string{"bench", "-frobnicate", "demo"}, exitUsage, "flag provided but not defined"},
		{[]string{"bench", "demo", "-hitratio"}, exitUsage, "-hitratio belongs to the cache suite"},
	}
	for _, tt := range tests {
		code, stdout, stderr := runWS(t, root, tt.args...)
		if code != tt.code || !strings.Contains(stdout+stderr, tt.want) {
			t.Errorf("ws %q: exit %d, want %d with %q; got:\n%s%s", tt.args, code, tt.code, tt.want, stdout, stderr)
		}
	}

	writeFiles(t, root, map[string]string{"tools/bench/cache/cache_test.go": "package cache\n"})
	code, _, stderr := runWS(t, root, "bench", "cache", "-hitratio", "-n", "1")
	if code != exitFail || !strings.Contains(stderr, "does not exist") {
		t.Errorf("hitratio without the simulator: exit %d, stderr %q", code, stderr)
	}
}

// TestRunBenchNoComparison checks that a run without any ours/peer pair
// fails: progress is read off the ratio lines, and a pattern that matched
// nothing must not pass for a measurement.
func TestRunBenchNoComparison(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test -bench")
	}
	root := newWorkspace(t, []string{"tools/bench"}, map[string]string{"tools/bench/demo/demo_test.go": demoBench})
	code, stdout, stderr := runWS(t, root, "bench", "-q", "-bench", "NoSuchBenchmark", "-count", "1", "-benchtime", "10x", "-out", t.TempDir(), "demo")
	if code != exitFail || !strings.Contains(stderr, "no comparison found") {
		t.Errorf("exit %d, want %d with \"no comparison found\"; got:\n%s%s", code, exitFail, stdout, stderr)
	}
}
