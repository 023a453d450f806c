package sessioncache_test

import (
	"errors"
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies keeps the promise of a core module: its packages, tests
// included, import only the standard library, golang.org/x/sync and
// golang.org/x/exp. A user who imports this module gets nothing else.
// The test runs in the module's root directory, where go test starts it.
func TestDependencies(t *testing.T) {
	const self = "github.com/serverdev/stdweb/sessioncache"
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found; cannot list dependencies")
	}
	out, err := exec.Command(goBin, "list", "-deps", "-test",
		"-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "./...").Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	allowed := []string{self, "golang.org/x/sync", "golang.org/x/exp"}
	for _, pkg := range strings.Fields(string(out)) {
		// Test variants print as "path [path.test]" and "path_test".
		pkg = strings.Trim(pkg, "[]")
		pkg = strings.TrimSuffix(strings.TrimSuffix(pkg, ".test"), "_test")
		if !within(pkg, allowed) {
			t.Errorf("%s depends on %s: core modules use only the standard library, golang.org/x/sync and golang.org/x/exp", self, pkg)
		}
	}
}

func within(pkg string, roots []string) bool {
	for _, r := range roots {
		if pkg == r || strings.HasPrefix(pkg, r+"/") {
			return true
		}
	}
	return false
}
