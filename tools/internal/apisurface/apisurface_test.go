package apisurface

import (
	"context"
	"strings"
	"testing"

	"github.com/serverdev/stdweb/tools/internal/filetree"
	"golang.org/x/exp/apidiff"
)

func TestLoadAndDiff(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	write := func(files map[string]string) string {
		dir := t.TempDir()
		if err := filetree.Write(dir, files); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	const gomod = "module example.com/lib\n\ngo 1.26.0\n"
	old := write(map[string]string{
		"go.mod":              gomod,
		"lib.go":              "package lib\n\nfunc Keep() {}\n\nfunc Gone() {}\n",
		"internal/x/x.go":     "package x\n\nfunc Hidden() {}\n",
		"cmd/tool/main.go":    "package main\n\nfunc main() {}\n",
		"sub/sub.go":          "package sub\n\nconst A = 1\n",
		"lib_test.go":         "package lib\n\nfunc TestOnly() {}\n",
		"testdata/ignored.go": "this is not Go",
	})
	new := write(map[string]string{
		"go.mod":          gomod,
		"lib.go":          "package lib\n\nfunc Keep() {}\n\nfunc Added() {}\n",
		"internal/x/x.go": "package x\n\nfunc Other() {}\n",
		"sub/sub.go":      "package sub\n\nconst A = 1\n",
		"extra/extra.go":  "package extra\n",
	})
	ctx := context.Background()
	om, err := Load(ctx, old, "")
	if err != nil {
		t.Fatal(err)
	}
	nm, err := Load(ctx, new, "")
	if err != nil {
		t.Fatal(err)
	}
	if om.Path != "example.com/lib" || len(om.Packages) != 2 {
		t.Errorf("old module %q with %d packages, want example.com/lib with lib and sub", om.Path, len(om.Packages))
	}
	rep := apidiff.ModuleChanges(om, nm)
	var inc, comp []string
	for _, c := range rep.Changes {
		if c.Compatible {
			comp = append(comp, c.Message)
		} else {
			inc = append(inc, c.Message)
		}
	}
	if len(inc) != 1 || !strings.Contains(inc[0], "Gone") {
		t.Errorf("incompatible = %q, want Gone removed", inc)
	}
	if len(comp) != 2 || !strings.Contains(strings.Join(comp, "\n"), "Added") || !strings.Contains(strings.Join(comp, "\n"), "extra") {
		t.Errorf("compatible = %q, want Added and package extra", comp)
	}

	broken := write(map[string]string{"go.mod": gomod, "lib.go": "package lib\n\nvar X = undefined\n"})
	if _, err := Load(ctx, broken, ""); err == nil || !strings.Contains(err.Error(), "undefined") {
		t.Errorf("Load of a broken module: %v", err)
	}
}
