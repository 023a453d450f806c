package main

import (
	"strings"
	"testing"
)

func TestRunTestCountsModules(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test")
	}
	root := newWorkspace(t, []string{"good", "bad"}, map[string]string{
		"good/good.go":      "package good\n\nfunc Two() int { return 2 }\n",
		"good/good_test.go": "package good\n\nimport \"testing\"\n\nfunc TestTwo(t *testing.T) {\n\tif Two() != 2 {\n\t\tt.Fatal(\"not two\")\n\t}\n}\n",
		"bad/bad.go":        "package bad\n",
		"bad/bad_test.go":   "package bad\n\nimport \"testing\"\n\nfunc TestBroken(t *testing.T) { t.Fatal(\"broken on purpose\") }\n",
	})
	code, stdout, stderr := runWS(t, root, "test")
	if code != exitFail {
		t.Errorf("exit %d, want %d; stderr: %s", code, exitFail, stderr)
	}
	if got := lastLine(stdout); got != "1 passed, 1 failed" {
		t.Errorf("last line %q, want %q", got, "1 passed, 1 failed")
	}
	if !strings.Contains(stdout, "broken on purpose") || !strings.Contains(stdout, "=== bad: FAIL in test") {
		t.Errorf("the failing module's output is missing:\n%s", stdout)
	}

	code, stdout, _ = runWS(t, root, "test", "-run", "TestTwo", "good")
	if code != exitOK || lastLine(stdout) != "1 passed, 0 failed" {
		t.Errorf("ws test good: exit %d, output:\n%s", code, stdout)
	}

	code, _, stderr = runWS(t, root, "test", "missing")
	if code != exitUsage || !strings.Contains(stderr, "good, bad") {
		t.Errorf("ws test missing: exit %d, stderr %q", code, stderr)
	}
}
