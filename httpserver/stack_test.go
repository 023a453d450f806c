package httpserver

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
)

// TestFullStack runs the middleware together the way an application does
// and checks that they compose: gzip outside conditional GET, static files
// under a mount, errors through all of them.
func TestFullStack(t *testing.T) {
	log, logs := newLogger()
	big := strings.Repeat(`{"post":"hello"},`, 200)
	rt := NewRouter(RouterOptions{Logger: log})
	rt.Use(DefaultMiddleware(log)...)
	rt.Use(Gzip(GzipOptions{}))
	rt.Mount("/static", Static(fstest.MapFS{"site.css": {Data: []byte(strings.Repeat("body{}", 400))}}, StaticOptions{}))
	api := rt.Group("/api", CacheControl(CachePrivate(0)), ConditionalGET(ConditionalGETOptions{}))
	api.HandleFunc("GET /posts", func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "application/json")
		_, err := io.WriteString(w, "["+big+"{}]")
		return err
	})
	api.HandleFunc("GET /twice", func(w http.ResponseWriter, r *http.Request) error {
		w.WriteHeader(http.StatusOK)
		w.WriteHeader(http.StatusTeapot)
		_, err := io.WriteString(w, "ok")
		return err
	})
	api.HandleFunc("GET /fail", func(w http.ResponseWriter, r *http.Request) error {
		return Errorf(http.StatusConflict, "nope")
	})
	mustNoErr(t, rt)

	first := serve(rt, "GET", "/api/posts", "Accept-Encoding", "gzip")
	etag := first.Header().Get("Etag")
	if first.Code != 200 || first.Header().Get("Content-Encoding") != "gzip" || !strings.HasPrefix(etag, `W/"`) ||
		first.Header().Get("Cache-Control") != "private, max-age=0" || first.Header().Get("X-Request-Id") == "" {
		t.Fatalf("first: %d %v", first.Code, first.Header())
	}
	if got := gunzip(t, first.Body.Bytes()); got != "["+big+"{}]" {
		t.Fatalf("body changed: %d bytes", len(got))
	}
	second := serve(rt, "GET", "/api/posts", "Accept-Encoding", "gzip", "If-None-Match", etag)
	if second.Code != 304 || second.Body.Len() != 0 || second.Header().Get("Vary") != "Accept-Encoding" {
		t.Errorf("revalidation: %d %v %q", second.Code, second.Header(), second.Body)
	}
	css := serve(rt, "GET", "/static/site.css", "Accept-Encoding", "gzip")
	if css.Code != 200 || css.Header().Get("Content-Encoding") != "gzip" || gunzip(t, css.Body.Bytes()) != strings.Repeat("body{}", 400) {
		t.Errorf("static through gzip: %d %v", css.Code, css.Header())
	}
	part := serve(rt, "GET", "/static/site.css", "Accept-Encoding", "gzip", "Range", "bytes=0-5")
	if part.Code != 206 || part.Header().Get("Content-Encoding") != "" || part.Body.String() != "body{}" {
		t.Errorf("range through gzip: %d %v %q", part.Code, part.Header(), part.Body)
	}
	twice := serve(rt, "GET", "/api/twice")
	if twice.Code != 200 || logs.count(`superfluous WriteHeader ignored" method=GET route="GET /api/twice"`) != 1 {
		t.Errorf("second WriteHeader through buffering middleware: %d\n%s", twice.Code, logs)
	}
	fail := serve(rt, "GET", "/api/fail", "Accept", "text/html")
	if fail.Code != 409 || !strings.Contains(fail.Body.String(), "409 nope") || fail.Header().Get("Cache-Control") != "no-store" ||
		fail.Header().Get("Content-Security-Policy") == "" {
		t.Errorf("error through the stack: %d %v %q", fail.Code, fail.Header(), fail.Body)
	}
}
