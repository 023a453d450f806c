package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/mod/module"

	"github.com/serverdev/stdweb/tools/internal/workspace"
)

func TestSignificantDiff(t *testing.T) {
	const diff = `go: downloading example.com/lib v0.1.0
diff current/go.mod tidy/go.mod
--- current/go.mod
+++ tidy/go.mod
@@ -1,3 +1,5 @@
 module example.com/app
 
 go 1.26.0
+
+require example.com/lib v0.1.0

diff current/go.sum tidy/go.sum
--- current/go.sum
+++ tidy/go.sum
@@ -1,4 +1,2 @@
-example.com/lib v0.1.0 h1:abc=
-example.com/lib v0.1.0/go.mod h1:def=
-golang.org/x/moved v0.1.0 h1:m=
 golang.org/x/sync v0.25.0 h1:x=
+golang.org/x/moved v0.1.0 h1:m=
+golang.org/x/text v0.1.0 h1:y=
`
	own := func(line string) bool { return strings.HasPrefix(line, "example.com/lib ") }
	got, n := significantDiff(diff, own)
	if n != 3 {
		t.Errorf("changed = %d, want 3 (two go.mod lines, one foreign go.sum line; a move is no change):\n%s", n, got)
	}
	if strings.Contains(got, "h1:abc=") || strings.Contains(got, "x/moved") || !strings.Contains(got, "+golang.org/x/text") || !strings.Contains(got, "+require example.com/lib") {
		t.Errorf("filtered diff:\n%s", got)
	}

	// Only the workspace's own go.sum lines differ: nothing significant,
	// and the go.sum section disappears.
	const sumOnly = "diff current/go.sum tidy/go.sum\n--- current/go.sum\n+++ tidy/go.sum\n@@ -1,2 +0,0 @@\n-example.com/lib v0.1.0 h1:abc=\n"
	if got, n := significantDiff(sumOnly, own); n != 0 || strings.Contains(got, "go.sum") {
		t.Errorf("significantDiff(sum only) = %q, %d; want nothing", got, n)
	}
	// A go.mod line about a sibling always counts.
	const modOnly = "diff current/go.mod tidy/go.mod\n-require example.com/lib v0.1.0\n"
	if _, n := significantDiff(modOnly, own); n != 1 {
		t.Errorf("a removed sibling require counted %d, want 1", n)
	}
}

func TestRunIsolate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command on three modules")
	}
	const libTest = "package lib\n\nimport \"testing\"\n\nfunc TestAnswer(t *testing.T) {\n\tif Answer != 42 {\n\t\tt.Fatal(Answer)\n\t}\n}\n"
	root := newWorkspace(t, []string{"lib", "app", "hidden"}, map[string]string{
		"lib/lib.go":      "package lib\n\nconst Answer = 42\n",
		"lib/lib_test.go": libTest,
		// app requires lib by version: fine alone.
		"app/go.mod":  "module example.com/app\n\ngo 1.26.0\n\nrequire example.com/lib v0.1.0\n",
		"app/app.go":  "package app\n\nimport \"example.com/lib\"\n\nconst Double = 2 * lib.Answer\n",
		"app/go.sum":  "example.com/lib v0.1.0 h1:stale/fromanoldrelease=\n",
		"hidden/h.go": "package hidden\n\nimport \"example.com/lib\"\n\nconst X = lib.Answer\n",
	})
	code, stdout, stderr := runWS(t, root, "isolate", "-fresh")
	if code != exitFail {
		t.Errorf("exit %d, want %d; stderr: %s", code, exitFail, stderr)
	}
	if got := lastLine(stdout); got != "2 passed, 1 failed" {
		t.Errorf("last line %q, want %q\n%s", got, "2 passed, 1 failed", stdout)
	}
	if !strings.Contains(stdout, "=== hidden: FAIL in tidy") || !strings.Contains(stdout, "+require example.com/lib v0.1.0") {
		t.Errorf("the hidden workspace dependency is not reported:\n%s", stdout)
	}
	if !strings.Contains(stdout, "example.com/lib@v0.1.0") {
		t.Errorf("the proxy does not list lib@v0.1.0:\n%s", stdout)
	}

	code, stdout, _ = runWS(t, root, "isolate", "app", "-fresh", "lib")
	if code != exitOK || lastLine(stdout) != "2 passed, 0 failed" {
		t.Errorf("ws isolate app lib: exit %d\n%s", code, stdout)
	}

	// -fix writes the tidy go.mod back, without go.sum lines for siblings.
	code, stdout, _ = runWS(t, root, "isolate", "-fresh", "-fix", "hidden")
	if code != exitOK || !strings.Contains(stdout, "fixed: wrote the tidy go.mod and go.sum of hidden") {
		t.Errorf("ws isolate -fix hidden: exit %d\n%s", code, stdout)
	}
	gomod, _ := os.ReadFile(filepath.Join(root, "hidden", "go.mod"))
	if !strings.Contains(string(gomod), "require example.com/lib v0.1.0") {
		t.Errorf("fixed go.mod:\n%s", gomod)
	}
	if sum, err := os.ReadFile(filepath.Join(root, "hidden", "go.sum")); err == nil {
		t.Errorf("fixed go.sum holds only sibling lines and should be gone:\n%s", sum)
	}
	code, stdout, _ = runWS(t, root, "isolate", "-fresh", "hidden")
	if code != exitOK {
		t.Errorf("ws isolate hidden after -fix: exit %d\n%s", code, stdout)
	}
}

// TestRunIsolateReusedCache changes what a sibling imports between two runs
// that share the tool's module cache: the second run must see the new
// content served under the same version.
func TestRunIsolateReusedCache(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	root := newWorkspace(t, []string{"lib", "app"}, map[string]string{
		"lib/lib.go": "package lib\n\nconst Answer = 42\n",
		"app/go.mod": "module example.com/app\n\ngo 1.26.0\n\nrequire example.com/lib v0.1.0\n",
		"app/app.go": "package app\n\nimport \"example.com/lib\"\n\nconst Double = 2 * lib.Answer\n",
	})
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	if code, stdout, stderr := runWS(t, root, "isolate", "app"); code != exitOK {
		t.Fatalf("first run: exit %d\n%s%s", code, stdout, stderr)
	}
	writeFiles(t, root, map[string]string{
		"lib/lib.go": "package lib\n\nimport \"strings\"\n\nvar Answer = len(strings.Repeat(\"x\", 42))\n",
		"app/app.go": "package app\n\nimport \"example.com/lib\"\n\nvar Double = 2 * lib.Answer\n",
	})
	if code, stdout, stderr := runWS(t, root, "isolate", "app"); code != exitOK {
		t.Fatalf("second run with changed imports: exit %d\n%s%s", code, stdout, stderr)
	}
}

func TestCompareSumLines(t *testing.T) {
	lines := []string{
		"b.com/x v1.0.0/go.mod h1:4=",
		"a.com/x v0.10.0 h1:3=",
		"a.com/x v0.9.0/go.mod h1:2=",
		"a.com/x v0.9.0 h1:1=",
	}
	slices.SortStableFunc(lines, compareSumLines)
	want := []string{"a.com/x v0.9.0 h1:1=", "a.com/x v0.9.0/go.mod h1:2=", "a.com/x v0.10.0 h1:3=", "b.com/x v1.0.0/go.mod h1:4="}
	if !slices.Equal(lines, want) {
		t.Errorf("sorted = %q, want %q", lines, want)
	}
}

func TestPurgeModCache(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"example.com/lib@v0.1.0/lib.go":                   "package lib\n",
		"example.com/lib@v0.2.0/lib.go":                   "package lib\n",
		"cache/download/example.com/lib/@v/v0.1.0.zip":    "",
		"cache/download/example.com/lib/@v/v0.1.0.mod":    "",
		"cache/download/example.com/lib/@v/v0.2.0.mod":    "",
		"cache/download/example.com/!upper/@v/v0.1.0.mod": "",
	})
	err := purgeModCache(dir, []module.Version{{Path: "example.com/lib", Version: "v0.1.0"}, {Path: "example.com/Upper", Version: "v0.1.0"}})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{
		"example.com/lib@v0.1.0":                          false,
		"example.com/lib@v0.2.0":                          true,
		"cache/download/example.com/lib/@v/v0.1.0.zip":    false,
		"cache/download/example.com/lib/@v/v0.1.0.mod":    false,
		"cache/download/example.com/lib/@v/v0.2.0.mod":    true,
		"cache/download/example.com/!upper/@v/v0.1.0.mod": false,
	} {
		_, err := os.Stat(filepath.Join(dir, filepath.FromSlash(name)))
		if (err == nil) != want {
			t.Errorf("%s exists = %v, want %v", name, err == nil, want)
		}
	}
}

// A go mod tidy that fails with an error (rather than reporting a diff)
// must fail the tidy step, not pass it.
func TestCheckTidyError(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"go.mod": "module example.com/broken\n\ngo 1.26.0\n\nrequire example.com/missing v1.0.0\n",
		"b.go":   "package broken\n\nimport _ \"example.com/missing\"\n",
	})
	iso := &isolation{env: []string{"GOWORK=off", "GOPROXY=off", "GOFLAGS=-mod=mod", "GOMODCACHE=" + t.TempDir(), "GONOSUMDB=example.com"}}
	var out strings.Builder
	err := iso.checkTidy(t.Context(), &out, dir, workspace.Module{Folder: "broken", Dir: dir})
	if err == nil {
		t.Fatalf("checkTidy passed a module go mod tidy cannot resolve:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "example.com/missing") {
		t.Errorf("the go command's error is not shown:\n%s", out.String())
	}
}
