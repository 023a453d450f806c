package httpserver

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"
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

// TestFullStackKeepsConnections checks over loopback that the default stack
// answers with a Content-Length and without "Connection: close", so a
// client reuses one connection for sequential requests.
func TestFullStackKeepsConnections(t *testing.T) {
	log, _ := newLogger()
	rt := NewRouter(RouterOptions{Logger: log})
	rt.Use(DefaultMiddleware(log)...)
	rt.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, r *http.Request) error {
		_, err := io.WriteString(w, `{"id":42}`)
		return err
	})
	mustNoErr(t, rt)
	var mu sync.Mutex
	conns := 0
	srv := httptest.NewUnstartedServer(rt)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			mu.Lock()
			conns++
			mu.Unlock()
		}
	}
	srv.Start()
	defer srv.Close()
	client := srv.Client()
	for i := range 20 {
		resp, err := client.Get(srv.URL + "/users/42")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != `{"id":42}` || resp.ContentLength != int64(len(b)) ||
			resp.Close || len(resp.TransferEncoding) != 0 || resp.Header.Get("X-Request-Id") == "" {
			t.Fatalf("request %d: %d %q length %d close %v encoding %v", i, resp.StatusCode, b,
				resp.ContentLength, resp.Close, resp.TransferEncoding)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if conns != 1 {
		t.Errorf("20 sequential requests used %d connections, want 1", conns)
	}
}

// TestRequestIDContext checks that the request ID survives contexts derived
// from the request's and that cancellation and values pass through it.
func TestRequestIDContext(t *testing.T) {
	type otherKey struct{}
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), otherKey{}, "v"))
	var derived context.Context
	var stop context.CancelFunc
	h := RequestIDWith(RequestIDOptions{Generate: func() string { return "id-1" }})(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			derived, stop = context.WithTimeout(r.Context(), time.Hour)
		}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil).WithContext(parent))
	defer stop()
	if got := RequestIDFrom(derived); got != "id-1" {
		t.Errorf("RequestIDFrom(derived) = %q", got)
	}
	if derived.Value(otherKey{}) != "v" {
		t.Errorf("parent value lost")
	}
	if RequestIDFrom(parent) != "" {
		t.Errorf("parent has an ID")
	}
	cancel()
	select {
	case <-derived.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("cancel did not reach the derived context")
	}
}
