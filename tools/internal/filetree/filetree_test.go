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

func TestCopy(t *testing.T) {
	src := t.TempDir()
	if err := Write(src, map[string]string{
		"go.mod":           "module m\n",
		"a.go":             "package a\n",
		"testdata/x.txt":   "x",
		"sub/go.mod":       "module m/sub\n",
		"sub/b.go":         "package b\n",
		".git/HEAD":        "ref",
		"deep/er/file.txt": "deep",
	}); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("a.go", filepath.Join(src, "link.go")); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "copy")
	skip := func(rel string) bool { return rel == ".git" || rel == "sub" }
	if err := Copy(dst, src, skip); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"go.mod", "a.go", "testdata/x.txt", "deep/er/file.txt"} {
		if _, err := os.Stat(filepath.Join(dst, name)); err != nil {
			t.Errorf("%s not copied: %v", name, err)
		}
	}
	for _, name := range []string{"sub", ".git", "link.go"} {
		if _, err := os.Lstat(filepath.Join(dst, name)); err == nil {
			t.Errorf("%s copied, want skipped", name)
		}
	}
}
