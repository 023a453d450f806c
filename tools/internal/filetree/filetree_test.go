package filetree

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWrite(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{"a.txt": "A", "d/e/f.go": "package f\n"}
	if err := Write(root, files); err != nil {
		t.Fatal(err)
	}
	if err := Write(root, map[string]string{"a.txt": "replaced"}); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"a.txt": "replaced", "d/e/f.go": "package f\n"} {
		got, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(name)))
		if err != nil || string(got) != want {
			t.Errorf("%s = %q, %v; want %q", name, got, err, want)
		}
	}
	if err := Write(filepath.Join(root, "a.txt"), map[string]string{"x": ""}); err == nil {
		t.Error("Write under a file succeeded")
	}
}
