package assets

import (
	"io/fs"
	"regexp"
	"testing"
	"testing/fstest"
)

func TestFS(t *testing.T) {
	src := fstest.MapFS{
		"style.css":    {Data: []byte("body{}")},
		"js/app.js":    {Data: []byte("1")},
		"js/other.js":  {Data: []byte("1")},
		"img/logo.svg": {Data: []byte("<svg/>")},
	}
	a, err := New(src)
	if err != nil {
		t.Fatal(err)
	}
	hashed := regexp.MustCompile(`^style\.[0-9a-f]{12}\.css$`)
	p := a.Path("style.css")
	if !hashed.MatchString(p) {
		t.Fatalf("Path(style.css) = %q", p)
	}
	for _, name := range []string{p, "style.css"} {
		b, err := fs.ReadFile(a, name)
		if err != nil || string(b) != "body{}" {
			t.Errorf("ReadFile(%q) = %q, %v", name, b, err)
		}
	}
	if a.Path("js/app.js")[len("js/app."):] != a.Path("js/other.js")[len("js/other."):] {
		t.Error("same content, different hashes")
	}
	if _, err := a.Open("style.000000000000.css"); err == nil {
		t.Error("a wrong hash opened a file")
	}
	// The hashed names pass fstest's checks of an fs.FS for the plain names.
	if err := fstest.TestFS(a, "style.css", "js/app.js", "img/logo.svg"); err != nil {
		t.Error(err)
	}
}

func TestPathPanicsOnUnknownFile(t *testing.T) {
	a, err := New(fstest.MapFS{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	a.Path("missing.css")
}
