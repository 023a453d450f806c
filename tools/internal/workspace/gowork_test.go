package workspace

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
)

func TestWriteWork(t *testing.T) {
	root := writeTree(t, map[string]string{
		"a/go.mod": "module example.com/a\n\ngo 1.26.0\n",
		"b/go.mod": "module example.com/b\n\ngo 1.25.0\n\nrequire (\n\texample.com/a v0.1.0\n\tgolang.org/x/sync v0.1.0\n)\n",
		"c/go.mod": "module example.com/c\n\ngo 1.24\n\nrequire (\n\texample.com/a v0.1.0\n\texample.com/b v0.2.0\n)\n",
	})
	ws, err := New(root, []string{"a", "b", "c"})
	if err != nil {
		t.Fatal(err)
	}
	want := []module.Version{{Path: "example.com/a", Version: "v0.1.0"}, {Path: "example.com/b", Version: "v0.2.0"}}
	got := ws.SiblingRequires()
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("SiblingRequires = %v, want %v", got, want)
	}

	path := filepath.Join(t.TempDir(), "x.work")
	if err := ws.WriteWork(path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	wf, err := modfile.ParseWork(path, data, nil)
	if err != nil {
		t.Fatalf("written go.work does not parse: %v\n%s", err, data)
	}
	if wf.Go.Version != "1.26.0" || len(wf.Use) != 3 || len(wf.Replace) != 2 {
		t.Errorf("go.work:\n%s", data)
	}
	if r := wf.Replace[0]; r.Old != want[0] || r.New.Path != filepath.ToSlash(filepath.Join(root, "a")) {
		t.Errorf("replace = %+v", r)
	}
	if !strings.Contains(string(data), filepath.ToSlash(filepath.Join(root, "c"))) {
		t.Errorf("go.work does not use c by absolute path:\n%s", data)
	}
}
