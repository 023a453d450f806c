package modproxy

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/serverdev/stdweb/tools/internal/filetree"
)

func TestWriteServesTheGoCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	src := t.TempDir()
	if err := filetree.Write(src, map[string]string{
		"lib/go.mod":         "module example.com/lib\n\ngo 1.26.0\n",
		"lib/lib.go":         "package lib\n\nconst Answer = 42\n",
		"lib/nested/go.mod":  "module example.com/lib/nested\n\ngo 1.26.0\n",
		"lib/nested/x.go":    "package nested\n",
		"app/go.mod":         "module example.com/app\n\ngo 1.26.0\n\nrequire example.com/lib v0.1.0\n",
		"app/main.go":        "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/lib\"\n)\n\nfunc main() { fmt.Println(lib.Answer) }\n",
		"app/placeholder.md": "",
	}); err != nil {
		t.Fatal(err)
	}
	proxy := t.TempDir()
	sums, err := Write(proxy, []Module{
		{Path: "example.com/lib", Version: "v0.1.0", Dir: filepath.Join(src, "lib")},
		{Path: "example.com/lib", Version: "v0.2.0", Dir: filepath.Join(src, "lib")},
	}, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if len(sums) != 4 || !strings.HasPrefix(sums[0], "example.com/lib v0.1.0 h1:") || !strings.HasPrefix(sums[1], "example.com/lib v0.1.0/go.mod h1:") {
		t.Errorf("sums = %q", sums)
	}
	list, err := os.ReadFile(filepath.Join(proxy, "example.com", "lib", "@v", "list"))
	if err != nil || string(list) != "v0.1.0\nv0.2.0\n" {
		t.Errorf("list = %q, %v", list, err)
	}

	// The go command accepts the proxy and the sums in readonly mode.
	app := filepath.Join(src, "app")
	if err := os.WriteFile(filepath.Join(app, "go.sum"), []byte(strings.Join(sums, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "run", ".")
	cmd.Dir = app
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOPROXY="+URL(proxy), "GONOSUMDB=example.com",
		"GOMODCACHE="+t.TempDir(), "GOFLAGS=-mod=readonly -modcacherw")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || strings.TrimSpace(string(out)) != "42" {
		t.Fatalf("go run with the proxy: %v\n%s%s", err, out, stderr.String())
	}
}

func TestWriteErrors(t *testing.T) {
	tests := []Module{
		{Path: "example.com/lib", Version: "not-a-version", Dir: t.TempDir()},
		{Path: "example.com/lib", Version: "v0.1.0", Dir: filepath.Join(t.TempDir(), "missing")},
	}
	for _, m := range tests {
		if _, err := Write(t.TempDir(), []Module{m}, time.Now()); err == nil {
			t.Errorf("Write(%+v) succeeded", m)
		}
	}
}
