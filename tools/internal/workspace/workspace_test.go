package workspace

import (
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/serverdev/stdweb/tools/internal/filetree"
)

// writeTree writes files (slash paths relative to root) and returns root.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	if err := filetree.Write(root, files); err != nil {
		t.Fatal(err)
	}
	return root
}

func TestOpenAndSelect(t *testing.T) {
	t.Setenv("GOWORK", "")
	root := writeTree(t, map[string]string{
		"go.work":       "go 1.26.0\n\nuse (\n\t./a\n\t./a/sub\n)\n",
		"a/go.mod":      "module example.com/a\n\ngo 1.26.0\n",
		"a/sub/go.mod":  "module example.com/a/sub\n\ngo 1.26.0\n\nrequire example.com/a v0.1.0\n",
		"a/sub/deep/x":  "",
		"unrelated.txt": "",
	})
	ws, err := Open(filepath.Join(root, "a", "sub", "deep"))
	if err != nil {
		t.Fatal(err)
	}
	if ws.Root != root {
		t.Errorf("Root = %q, want %q", ws.Root, root)
	}
	if got, want := ws.Names(), []string{"a", "a/sub"}; !slices.Equal(got, want) {
		t.Errorf("Names = %q, want %q", got, want)
	}
	sub, ok := ws.ByPath("example.com/a/sub")
	if !ok || sub.Folder != "a/sub" || len(sub.Mod.Require) != 1 {
		t.Errorf("ByPath(example.com/a/sub) = %+v, %v", sub, ok)
	}

	tests := []struct {
		names []string
		want  []string
		err   error
	}{
		{nil, []string{"a", "a/sub"}, nil},
		{[]string{"a/sub/", "./a", "a"}, []string{"a/sub", "a"}, nil},
		{[]string{"example.com/a/sub"}, []string{"a/sub"}, nil},
		{[]string{"nope"}, nil, ErrUnknownModule},
	}
	for _, tt := range tests {
		mods, err := ws.Select(tt.names)
		if !errors.Is(err, tt.err) {
			t.Errorf("Select(%q) error = %v, want %v", tt.names, err, tt.err)
			continue
		}
		var got []string
		for _, m := range mods {
			got = append(got, m.Folder)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Select(%q) = %q, want %q", tt.names, got, tt.want)
		}
	}
}

func TestFindNoWorkspace(t *testing.T) {
	t.Setenv("GOWORK", "")
	dir := t.TempDir()
	if _, err := Find(dir); err != nil && !errors.Is(err, ErrNoWorkspace) {
		t.Errorf("Find error = %v, want ErrNoWorkspace", err)
	}
}

func TestLoadErrors(t *testing.T) {
	root := writeTree(t, map[string]string{
		"go.work": "go 1.26.0\nuse ./missing\n",
	})
	if _, err := Load(filepath.Join(root, "go.work")); err == nil {
		t.Error("Load with a missing module succeeded")
	}
	root = writeTree(t, map[string]string{"go.work": "this is not a go.work\n"})
	if _, err := Load(filepath.Join(root, "go.work")); err == nil {
		t.Error("Load of a malformed go.work succeeded")
	}
}
