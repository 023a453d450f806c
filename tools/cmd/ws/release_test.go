package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// git runs git in dir with a fixed identity and fails the test on error.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=ws test", "-c", "user.email=ws@example.com", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"}, args...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %q: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestRunRelease(t *testing.T) {
	if testing.Short() {
		t.Skip("runs git and go list")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	root := newWorkspace(t, []string{"lib", "app"}, map[string]string{
		"lib/lib.go":  "package lib\n\n// Keep stays.\nfunc Keep() {}\n\n// Gone goes.\nfunc Gone() {}\n",
		"app/go.mod":  "module example.com/app\n\ngo 1.26.0\n\nrequire example.com/lib v0.1.0\n",
		"app/app.go":  "package app\n\nimport \"example.com/lib\"\n\nfunc Run() { lib.Keep() }\n",
		"go.work.sum": "",
	})
	writeFiles(t, root, map[string]string{"go.work": "go 1.26.0\n\nuse (\n\t./lib\n\t./app\n)\n\nreplace example.com/lib v0.1.0 => ./lib\n"})
	git(t, root, "init", "-q")
	git(t, root, "add", ".")
	git(t, root, "commit", "-q", "-m", "first")
	releasesFile := filepath.Join(root, "RELEASES")

	// First release: v0.1.0, recorded and tagged.
	code, stdout, stderr := runWS(t, root, "release", "-tag", "lib")
	if code != exitOK || !strings.Contains(stdout, "never released") || !strings.Contains(stdout, "next version: v0.1.0") {
		t.Fatalf("first release: exit %d\n%s%s", code, stdout, stderr)
	}
	head := git(t, root, "rev-parse", "HEAD")
	if data, _ := os.ReadFile(releasesFile); !strings.Contains(string(data), "lib v0.1.0 "+head+"\n") {
		t.Errorf("RELEASES:\n%s", data)
	}
	if got := git(t, root, "rev-parse", "lib/v0.1.0^{commit}"); got != head {
		t.Errorf("tag lib/v0.1.0 at %s, want %s", got, head)
	}
	git(t, root, "add", "RELEASES")
	git(t, root, "commit", "-q", "-m", "release lib v0.1.0", "--", "RELEASES")

	// Unchanged: nothing to release.
	code, stdout, _ = runWS(t, root, "release", "lib")
	if code != exitOK || !strings.Contains(stdout, "unchanged since v0.1.0") {
		t.Errorf("unchanged: exit %d\n%s", code, stdout)
	}

	// An incompatible change and an addition below v1: minor bump.
	writeFiles(t, root, map[string]string{"lib/lib.go": "package lib\n\nfunc Keep() {}\n\nfunc Added() {}\n"})
	code, stdout, _ = runWS(t, root, "release", "-dry-run", "lib")
	if code != exitOK || !strings.Contains(stdout, "Gone: removed") || !strings.Contains(stdout, "Added: added") ||
		!strings.Contains(stdout, "next version: v0.2.0") || !strings.Contains(stdout, "dry run: nothing was changed") {
		t.Errorf("dry run after an incompatible change: exit %d\n%s", code, stdout)
	}
	// -tag refuses while lib has uncommitted changes.
	code, stdout, _ = runWS(t, root, "release", "-tag", "lib")
	if code != exitFail || !strings.Contains(stdout, "uncommitted changes") {
		t.Errorf("-tag on a dirty tree: exit %d\n%s", code, stdout)
	}
	git(t, root, "commit", "-q", "-am", "lib: Added, no Gone")
	before, _ := os.ReadFile(releasesFile)
	code, stdout, _ = runWS(t, root, "release", "-tag", "-dry-run", "lib")
	after, _ := os.ReadFile(releasesFile)
	if code != exitOK || !strings.Contains(stdout, "would tag: lib/v0.2.0") || string(before) != string(after) {
		t.Errorf("-tag -dry-run: exit %d, RELEASES changed: %v\n%s", code, string(before) != string(after), stdout)
	}

	// From v1 on an incompatible change is refused and an addition is minor.
	head = git(t, root, "rev-parse", "HEAD")
	if err := os.WriteFile(releasesFile, append(after, []byte("lib v1.0.0 "+head+"\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, root, "commit", "-q", "-m", "lib v1.0.0", "--", "RELEASES")
	writeFiles(t, root, map[string]string{"lib/lib.go": "package lib\n\nfunc Added() {}\n"})
	code, stdout, _ = runWS(t, root, "release", "lib")
	if code != exitFail || !strings.Contains(stdout, "new major version") {
		t.Errorf("incompatible change at v1: exit %d\n%s", code, stdout)
	}
	writeFiles(t, root, map[string]string{"lib/lib.go": "package lib\n\nfunc Keep() {}\n\nfunc Added() {}\n\nconst More = 1\n"})
	code, stdout, _ = runWS(t, root, "release", "lib")
	if code != exitOK || !strings.Contains(stdout, "next version: v1.1.0") {
		t.Errorf("addition at v1: exit %d\n%s", code, stdout)
	}
	// The other module was never released.
	code, stdout, _ = runWS(t, root, "release", "app")
	if code != exitOK || !strings.Contains(stdout, "next version: v0.1.0") {
		t.Errorf("app: exit %d\n%s", code, stdout)
	}
}

func TestRunReleaseOutsideGit(t *testing.T) {
	root := newWorkspace(t, []string{"lib"}, nil)
	t.Setenv("GIT_CEILING_DIRECTORIES", filepath.Dir(root))
	code, _, stderr := runWS(t, root, "release")
	if code != exitFail || !strings.Contains(stderr, "not in a git repository") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}
