package httpserver

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestExactlyOneResponse(t *testing.T) {
	tests := []struct {
		name    string
		handler http.Handler
		status  int
		body    string // substring
		log     string // substring of the log, once
	}{
		{"no response", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Half", "done")
		}), 500, "the server sent no response", `msg="httpserver: handler returned without writing a response" method=GET route="GET /r/{id}"`},
		{"second WriteHeader", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(201)
			w.WriteHeader(500)
			w.WriteHeader(502)
			io.WriteString(w, "created")
		}), 201, "created", `superfluous WriteHeader ignored" method=GET route="GET /r/{id}" path=/r/1 status=201 ignored_status=500`},
		{"header after start", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "body")
			w.Header().Set("X-Late", "1")
		}), 200, "body", `header changed after the response started`},
		{"status error", HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
			return Errorf(http.StatusConflict, "post %s exists", r.PathValue("id"))
		}), 409, `"message":"post 1 exists"`, ""},
		{"plain error hidden", HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
			return errors.New("db password is hunter2")
		}), 500, `"message":"Internal Server Error"`, `error="db password is hunter2"`},
		{"panic", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			panic("boom")
		}), 500, "Internal Server Error", `msg="httpserver: handler panicked" method=GET route="GET /r/{id}" path=/r/1 panic=boom stack=`},
		{"invalid status", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(42)
		}), 500, "Internal Server Error", `panic="httpserver: invalid WriteHeader code 42"`},
		{"trailers are not late headers", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Trailer", "X-Sum")
			io.WriteString(w, "data")
			w.Header().Set("X-Sum", "abc")
			w.Header().Set(http.TrailerPrefix+"X-Other", "d")
		}), 200, "data", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			log, logs := newLogger()
			rt := NewRouter(RouterOptions{Logger: log})
			rt.Handle("GET /r/{id}", tc.handler)
			rec := httptest.NewRecorder()
			rt.ServeHTTP(rec, httptest.NewRequest("GET", "/r/1", nil))
			if rec.Code != tc.status {
				t.Errorf("status %d, want %d", rec.Code, tc.status)
			}
			if !strings.Contains(rec.Body.String(), tc.body) {
				t.Errorf("body %q, want it to contain %q", rec.Body, tc.body)
			}
			if strings.Contains(rec.Body.String(), "hunter2") {
				t.Errorf("error detail leaked to the client: %q", rec.Body)
			}
			if tc.log == "" {
				if strings.Contains(logs.String(), "level=WARN") {
					t.Errorf("unexpected warning: %s", logs)
				}
				return
			}
			if n := logs.count(tc.log); n != 1 {
				t.Errorf("log has %d lines with %q, want 1:\n%s", n, tc.log, logs)
			}
		})
	}
}

// TestBrokenResponsesAbort checks over a real connection that a failure after
// the body started leaves the client with an error, not a short response
// that looks complete, and that the server keeps serving.
func TestBrokenResponsesAbort(t *testing.T) {
	log, logs := newLogger()
	rt := NewRouter(RouterOptions{Logger: log})
	rt.HandleFunc("GET /late-error", func(w http.ResponseWriter, r *http.Request) error {
		io.WriteString(w, "partial")
		http.NewResponseController(w).Flush()
		return errors.New("lost the database")
	})
	rt.Handle("GET /late-panic", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "partial")
		w.(http.Flusher).Flush()
		panic("boom")
	}))
	rt.Handle("GET /abort", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		panic(http.ErrAbortHandler)
	}))
	// Under a buffering middleware the partial body has not reached the
	// Router when the handler fails; ConditionalGET would then send it with
	// an exact Content-Length, a response that looks complete.
	rt.Group("/buffered", ConditionalGET(ConditionalGETOptions{})).HandleFunc("GET /late-error",
		func(w http.ResponseWriter, r *http.Request) error {
			io.WriteString(w, strings.Repeat("partial ", 1000))
			return errors.New("lost the cache")
		})
	rt.Handle("GET /ok", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	srv := httptest.NewServer(rt)
	defer srv.Close()
	for _, path := range []string{"/late-error", "/late-panic", "/abort", "/buffered/late-error"} {
		resp, err := srv.Client().Get(srv.URL + path)
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		if err == nil {
			t.Errorf("%s: client got a complete response, want a broken one", path)
		}
	}
	resp, err := srv.Client().Get(srv.URL + "/ok")
	if err != nil {
		t.Fatalf("server stopped serving: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "ok" {
		t.Errorf("/ok: %q", b)
	}
	for _, want := range []string{
		`handler failed after the response started; aborting the connection" method=GET route="GET /late-error"`,
		`handler panicked" method=GET route="GET /late-panic"`,
	} {
		if logs.count(want) != 1 {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
	if strings.Contains(logs.String(), "/abort") {
		t.Errorf("ErrAbortHandler was logged as a panic:\n%s", logs)
	}
}

// TestResponseControllerThroughTracker checks that streaming, deadlines and
// hijacking work through the Router's wrapper.
func TestResponseControllerThroughTracker(t *testing.T) {
	rt := NewRouter(RouterOptions{})
	flushed := make(chan struct{})
	rt.HandleFunc("GET /stream", func(w http.ResponseWriter, r *http.Request) error {
		rc := http.NewResponseController(w)
		if err := rc.SetWriteDeadline(time.Now().Add(5 * time.Second)); err != nil {
			return err
		}
		io.WriteString(w, "first\n")
		if err := rc.Flush(); err != nil {
			return err
		}
		<-flushed
		io.WriteString(w, "second\n")
		return nil
	})
	rt.HandleFunc("GET /hijack", func(w http.ResponseWriter, r *http.Request) error {
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return err
		}
		defer conn.Close()
		brw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nhijacked")
		return brw.Flush()
	})
	srv := httptest.NewServer(rt)
	defer srv.Close()

	resp, err := srv.Client().Get(srv.URL + "/stream")
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(resp.Body)
	line, err := br.ReadString('\n')
	if err != nil || line != "first\n" {
		t.Fatalf("first line %q, %v: flush did not reach the client", line, err)
	}
	close(flushed)
	rest, _ := io.ReadAll(br)
	resp.Body.Close()
	if string(rest) != "second\n" {
		t.Errorf("rest %q", rest)
	}

	resp, err = srv.Client().Get(srv.URL + "/hijack")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "hijacked" {
		t.Errorf("hijack body %q", b)
	}
}

func TestHandlerFuncOutsideRouter(t *testing.T) {
	h := HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		return Errorf(http.StatusTeapot, "short and stout")
	})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != http.StatusTeapot || !strings.Contains(rec.Body.String(), "short and stout") {
		t.Errorf("%d %q", rec.Code, rec.Body)
	}
	late := HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		io.WriteString(w, "x")
		return errors.New("late")
	})
	defer func() {
		if p := recover(); p != http.ErrAbortHandler {
			t.Errorf("late error outside a router: recovered %v, want http.ErrAbortHandler", p)
		}
	}()
	late.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
}

func TestRouterZeroAllocs(t *testing.T) {
	rt := NewRouter(RouterOptions{})
	rt.Handle("GET /users/{id}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		io.WriteString(w, r.PathValue("id"))
	}))
	rt.HandleFunc("GET /e/{id}", func(w http.ResponseWriter, r *http.Request) error {
		w.WriteHeader(204)
		return nil
	})
	mux := http.NewServeMux()
	mux.Handle("GET /users/{id}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		io.WriteString(w, r.PathValue("id"))
	}))
	w := &discardWriter{h: http.Header{}}
	for _, path := range []string{"/users/42", "/e/1"} {
		req := httptest.NewRequest("GET", path, nil)
		base := testing.AllocsPerRun(200, func() { mux.ServeHTTP(w, req) })
		ours := testing.AllocsPerRun(200, func() { rt.ServeHTTP(w, req) })
		if ours > base {
			t.Errorf("%s: router allocates %.1f per request, bare ServeMux %.1f", path, ours, base)
		}
	}
}

// headerCounter counts the calls of Header on the ResponseWriter.
type headerCounter struct {
	discardWriter
	calls int
}

func (c *headerCounter) Header() http.Header { c.calls++; return c.h }

// TestTrackerLeavesHeaderAlone checks that the Router asks the
// ResponseWriter for its header map only when the handler does: net/http
// copies the map when the response starts if Header was ever called, a copy
// a handler that sends no header should not pay for.
func TestTrackerLeavesHeaderAlone(t *testing.T) {
	rt := NewRouter(RouterOptions{})
	rt.Handle("GET /status", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	rt.Handle("GET /body", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}))
	rt.Handle("GET /typed", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "ok")
	}))
	for path, want := range map[string]int{"/status": 0, "/body": 0, "/typed": 1} {
		w := &headerCounter{discardWriter: discardWriter{h: http.Header{}}}
		rt.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		if w.calls != want {
			t.Errorf("%s: Header called %d times, want %d", path, w.calls, want)
		}
	}
}

// stampingWriter adds a header as the response starts, as a wrapper
// outside the Router may (CacheControl does).
type stampingWriter struct{ http.ResponseWriter }

func (s stampingWriter) WriteHeader(code int) {
	s.Header().Set("X-Stamp", "1")
	s.ResponseWriter.WriteHeader(code)
}

func (s stampingWriter) Write(p []byte) (int, error) { return s.ResponseWriter.Write(p) }

// TestOuterHeadersAreNotLate checks that headers a wrapper outside the
// Router adds while the response starts are not reported as a header
// change after the response started, whether or not the handler looked at
// the header map first; and that a real late header still is.
func TestOuterHeadersAreNotLate(t *testing.T) {
	log, logs := newLogger()
	rt := NewRouter(RouterOptions{Logger: log})
	rt.Handle("GET /typed", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "ok")
	}))
	rt.Handle("GET /plain", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}))
	rt.Handle("GET /late", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "ok")
		w.Header().Set("X-Late", "1")
	}))
	outer := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rt.ServeHTTP(stampingWriter{w}, r)
	})
	for _, path := range []string{"/typed", "/plain", "/late"} {
		rec := httptest.NewRecorder()
		outer.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Header().Get("X-Stamp") != "1" {
			t.Errorf("%s: outer header missing", path)
		}
	}
	const msg = "header changed after the response started"
	if n := logs.count(msg); n != 1 || !strings.Contains(logs.String(), "path=/late") {
		t.Errorf("want one warning, for /late; log:\n%s", logs)
	}
}

func TestInformationalResponses(t *testing.T) {
	log, logs := newLogger()
	rt := NewRouter(RouterOptions{Logger: log})
	rt.Handle("GET /hints", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</app.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		w.WriteHeader(http.StatusAccepted)
	}))
	srv := httptest.NewServer(rt)
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL + "/hints")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Errorf("status %d, want 202 after 103", resp.StatusCode)
	}
	if strings.Contains(logs.String(), "superfluous") {
		t.Errorf("103 counted as the response:\n%s", logs)
	}
}

// TestWrappersKeepInterfaces: every ResponseWriter wrapper of the package
// can be unwrapped and flushed, and the pass-through ones keep net/http's
// copy-free WriteString and sendfile-capable ReadFrom.
func TestWrappersKeepInterfaces(t *testing.T) {
	type unwrapper interface{ Unwrap() http.ResponseWriter }
	all := map[string]http.ResponseWriter{
		"tracker": &tracker{}, "guard": &guard{}, "recorder": &recorder{}, "cacheWriter": &cacheWriter{},
		"gzipWriter": &gzipWriter{}, "condWriter": &condWriter{},
	}
	for name, w := range all {
		if _, ok := w.(unwrapper); !ok {
			t.Errorf("%s lacks Unwrap", name)
		}
		if _, ok := w.(http.Flusher); !ok {
			t.Errorf("%s lacks Flush", name)
		}
		if _, ok := w.(responseState); !ok {
			t.Errorf("%s does not report whether the response started", name)
		}
	}
	for _, name := range []string{"tracker", "guard", "recorder"} {
		if _, ok := all[name].(io.StringWriter); !ok {
			t.Errorf("%s lacks WriteString", name)
		}
		if _, ok := all[name].(io.ReaderFrom); !ok {
			t.Errorf("%s lacks ReadFrom", name)
		}
	}
}
