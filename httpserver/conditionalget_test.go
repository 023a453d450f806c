package httpserver

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestConditionalGET(t *testing.T) {
	lastMod := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	rt := NewRouter(RouterOptions{})
	rt.Use(ConditionalGET(ConditionalGETOptions{MaxBuffer: 64}))
	rt.HandleFunc("GET /page", func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("Vary", "Accept")
		io.WriteString(w, "page body")
		return nil
	})
	rt.HandleFunc("GET /dated", func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Last-Modified", lastMod.Format(http.TimeFormat))
		io.WriteString(w, "dated")
		return nil
	})
	rt.HandleFunc("GET /own-etag", func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("ETag", `W/"v7"`)
		io.WriteString(w, "own")
		return nil
	})
	rt.HandleFunc("GET /big", func(w http.ResponseWriter, r *http.Request) error {
		io.WriteString(w, strings.Repeat("x", 100))
		return nil
	})
	rt.HandleFunc("GET /missing", func(w http.ResponseWriter, r *http.Request) error {
		return Errorf(http.StatusNotFound, "no such page")
	})
	rt.HandleFunc("POST /page", func(w http.ResponseWriter, r *http.Request) error {
		io.WriteString(w, "posted")
		return nil
	})
	mustNoErr(t, rt)

	do := func(method, path string, hdr ...string) *httptest.ResponseRecorder {
		return serve(rt, method, path, hdr...)
	}
	first := do("GET", "/page")
	etag := first.Header().Get("Etag")
	if first.Code != 200 || first.Body.String() != "page body" || len(etag) < 10 || strings.HasPrefix(etag, "W/") {
		t.Fatalf("first GET: %d %q ETag %q", first.Code, first.Body, etag)
	}
	if first.Header().Get("Content-Length") != "9" {
		t.Errorf("Content-Length %q", first.Header().Get("Content-Length"))
	}
	if again := do("GET", "/page").Header().Get("Etag"); again != etag {
		t.Errorf("ETag not stable: %q then %q", etag, again)
	}
	tests := []struct {
		name, method, path string
		hdr                []string
		status             int
	}{
		{"etag match", "GET", "/page", []string{"If-None-Match", etag}, 304},
		{"etag in list", "GET", "/page", []string{"If-None-Match", `"a,b", W/` + etag}, 304},
		{"star", "GET", "/page", []string{"If-None-Match", "*"}, 304},
		{"head match", "HEAD", "/page", []string{"If-None-Match", etag}, 304},
		{"etag differs", "GET", "/page", []string{"If-None-Match", `"other"`}, 200},
		{"malformed list", "GET", "/page", []string{"If-None-Match", `nonsense`}, 200},
		{"since later", "GET", "/dated", []string{"If-Modified-Since", lastMod.Add(time.Hour).Format(http.TimeFormat)}, 304},
		{"since same", "GET", "/dated", []string{"If-Modified-Since", lastMod.Format(http.TimeFormat)}, 304},
		{"since earlier", "GET", "/dated", []string{"If-Modified-Since", lastMod.Add(-time.Hour).Format(http.TimeFormat)}, 200},
		{"inm wins over ims", "GET", "/dated", []string{"If-None-Match", `"x"`, "If-Modified-Since", lastMod.Format(http.TimeFormat)}, 200},
		{"handler etag weak match", "GET", "/own-etag", []string{"If-None-Match", `"v7"`}, 304},
		{"too big to buffer", "GET", "/big", []string{"If-None-Match", "*"}, 200},
		{"errors untouched", "GET", "/missing", []string{"If-None-Match", "*"}, 404},
		{"post untouched", "POST", "/page", []string{"If-None-Match", "*"}, 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(tc.method, tc.path, tc.hdr...)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d", rec.Code, tc.status)
			}
			if tc.status != 304 {
				return
			}
			h := rec.Header()
			if rec.Body.Len() != 0 || h.Get("Content-Type") != "" || h.Get("Content-Length") != "" {
				t.Errorf("304 carries a body or body headers: %v %q", h, rec.Body)
			}
			if tc.path == "/page" && (h.Get("Etag") != etag || h.Get("Cache-Control") != "no-cache" || h.Get("Vary") != "Accept") {
				t.Errorf("304 lost validator or cache headers: %v", h)
			}
		})
	}
	if rec := do("GET", "/big"); rec.Header().Get("Etag") != "" || rec.Body.Len() != 100 {
		t.Errorf("streamed response: ETag %q, %d bytes", rec.Header().Get("Etag"), rec.Body.Len())
	}
}

func TestETagMatch(t *testing.T) {
	tests := []struct {
		list, etag string
		want       bool
	}{
		{`"a"`, `"a"`, true},
		{`W/"a"`, `"a"`, true},
		{`"a"`, `W/"a"`, true},
		{`"b", "a"`, `"a"`, true},
		{`"a,b"`, `"a"`, false},
		{`"a`, `"a"`, false},
		{`,,`, `"a"`, false},
		{`"ab"`, `"a"`, false},
	}
	for _, tc := range tests {
		if got := etagMatch(tc.list, tc.etag); got != tc.want {
			t.Errorf("etagMatch(%q, %q) = %v", tc.list, tc.etag, got)
		}
	}
}
