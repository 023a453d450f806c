package term

import (
	"os"
	"path/filepath"
	"testing"
)

func TestIsTerminalNotForFilesAndPipes(t *testing.T) {
	file, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	for name, f := range map[string]*os.File{"file": file, "pipe": w, "devnull": null, "nil": nil} {
		if IsTerminal(f) {
			t.Errorf("IsTerminal(%s) = true, want false", name)
		}
	}
}

func TestIsTerminalDumb(t *testing.T) {
	t.Setenv("TERM", "dumb")
	if IsTerminal(os.Stdout) {
		t.Error("IsTerminal with TERM=dumb = true")
	}
}
