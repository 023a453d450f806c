package httpserver

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func TestStatic(t *testing.T) {
	mod := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	fsys := fstest.MapFS{
		"index.html":         {Data: []byte("<h1>home</h1>"), ModTime: mod},
		"app.3f2a9c1e.css":   {Data: []byte("body{color:red}"), ModTime: mod},
		"docs/readme.txt":    {Data: []byte("0123456789abcdef"), ModTime: mod},
		"empty/.keep":        {Data: nil},
		".env":               {Data: []byte("SECRET=1")},
		"assets/.git/config": {Data: []byte("x")},
		"nohash.css":         {Data: []byte("a{}"), ModTime: mod},
	}
	rt := NewRouter(RouterOptions{})
	rt.Mount("/static", Static(fsys, StaticOptions{}))
	mustNoErr(t, rt)
	do := func(method, path string, hdr ...string) *httptest.ResponseRecorder {
		return serve(rt, method, path, hdr...)
	}
	css := do("GET", "/static/app.3f2a9c1e.css")
	etag := css.Header().Get("Etag")
	if css.Code != 200 || css.Body.String() != "body{color:red}" || !strings.HasPrefix(etag, `"`) ||
		css.Header().Get("Cache-Control") != CacheImmutable || !strings.HasPrefix(css.Header().Get("Content-Type"), "text/css") {
		t.Fatalf("css: %d %q %v", css.Code, css.Body, css.Header())
	}
	tests := []struct {
		name, method, path string
		hdr                []string
		status             int
		body, cache        string
	}{
		{"index", "GET", "/static/", nil, 200, "<h1>home</h1>", "no-cache"},
		{"mount root", "GET", "/static", nil, 200, "<h1>home</h1>", "no-cache"},
		{"not hashed", "GET", "/static/nohash.css", nil, 200, "a{}", "no-cache"},
		{"etag revalidation", "GET", "/static/app.3f2a9c1e.css", []string{"If-None-Match", etag}, 304, "", CacheImmutable},
		{"range", "GET", "/static/docs/readme.txt", []string{"Range", "bytes=2-5"}, 206, "2345", "no-cache"},
		{"if-modified-since", "GET", "/static/docs/readme.txt", []string{"If-Modified-Since", mod.Format(http.TimeFormat)}, 304, "", "no-cache"},
		{"dir redirect", "GET", "/static/docs", nil, 301, "", ""},
		{"no listing", "GET", "/static/docs/", nil, 404, "", ""},
		{"dir without index", "GET", "/static/empty/", nil, 404, "", ""},
		{"missing", "GET", "/static/nope.js", nil, 404, "", ""},
		{"dotfile", "GET", "/static/.env", nil, 404, "", ""},
		{"dot dir", "GET", "/static/assets/.git/config", nil, 404, "", ""},
		{"post", "POST", "/static/index.html", nil, 405, "", ""},
		{"head", "HEAD", "/static/docs/readme.txt", nil, 200, "", "no-cache"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(tc.method, tc.path, tc.hdr...)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d (%q)", rec.Code, tc.status, rec.Body)
			}
			if tc.body != "" && rec.Body.String() != tc.body {
				t.Errorf("body %q, want %q", rec.Body, tc.body)
			}
			if strings.Contains(rec.Body.String(), "SECRET") {
				t.Error("dotfile served")
			}
			if tc.cache != "" && rec.Header().Get("Cache-Control") != tc.cache {
				t.Errorf("Cache-Control %q, want %q", rec.Header().Get("Cache-Control"), tc.cache)
			}
		})
	}
	// The handler itself never leaves its file system, whatever the mux did.
	for _, p := range []string{"/../../etc/passwd", "/..%2f..%2fetc/passwd", "/docs/../../x"} {
		req := httptest.NewRequest("GET", "/", nil)
		req.URL.Path = p
		rec := httptest.NewRecorder()
		Static(fsys, StaticOptions{}).ServeHTTP(rec, req)
		if rec.Code != 404 {
			t.Errorf("%s: %d", p, rec.Code)
		}
	}
	if loc := do("GET", "/static/docs").Header().Get("Location"); loc != "docs/" {
		t.Errorf("redirect to %q", loc)
	}
}

func TestStaticOverLoopback(t *testing.T) {
	dir := t.TempDir()
	rt := NewRouter(RouterOptions{})
	rt.Mount("/files", Static(osDirFS(t, dir, "big.txt", strings.Repeat("line\n", 10000)), StaticOptions{}))
	srv := httptest.NewServer(rt)
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL + "/files/big.txt")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(b) != 50000 || resp.Header.Get("Etag") == "" {
		t.Errorf("%d, %d bytes, ETag %q", resp.StatusCode, len(b), resp.Header.Get("Etag"))
	}
	// Paths an os.DirFS fails on with errors other than "not exist" are
	// client errors, not server errors.
	for _, p := range []string{"/files/big.txt/x", "/files/big.txt/x/y", "/files/big%00.txt"} {
		resp, err := srv.Client().Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", p, resp.StatusCode)
		}
	}
}

func TestHashedName(t *testing.T) {
	for name, want := range map[string]bool{
		"app.3f2a9c1e.css": true, "chunk-5d41402abc4b2a76.js": true, "APP.3F2A9C1E.CSS": true,
		"app.css": false, "app.3f2a9c1.css": false, "main-overview.js": false, "3f2a9c1e3f": false,
		"app.3f2a9c1g.css": false, "deadbeef.js": false,
	} {
		if got := HashedName(name); got != want {
			t.Errorf("HashedName(%q) = %v", name, got)
		}
	}
}
