package httpserver

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestRequestID(t *testing.T) {
	log, logs := newLogger()
	rt := NewRouter(RouterOptions{Logger: log})
	rt.Use(RequestID, AccessLog(log))
	rt.HandleFunc("GET /id", func(w http.ResponseWriter, r *http.Request) error {
		io.WriteString(w, RequestIDFrom(r.Context()))
		return nil
	})
	tests := []struct {
		incoming string
		keep     bool
	}{
		{"abc-123", true},
		{"", false},
		{"has space", false},
		{"<script>", false},
		{strings.Repeat("a", 129), false},
	}
	for _, tc := range tests {
		req := httptest.NewRequest("GET", "/id", nil)
		if tc.incoming != "" {
			req.Header.Set("X-Request-ID", tc.incoming)
		}
		rec := httptest.NewRecorder()
		rt.ServeHTTP(rec, req)
		got := rec.Body.String()
		if tc.keep && got != tc.incoming || !tc.keep && (got == tc.incoming || !saneRequestID(got) || len(got) < 18) {
			t.Errorf("incoming %q: id %q", tc.incoming, got)
		}
		if rec.Header().Get("X-Request-ID") != got {
			t.Errorf("response header %q, context %q", rec.Header().Get("X-Request-ID"), got)
		}
		if !strings.Contains(logs.String(), "request_id="+got) {
			t.Errorf("access log lacks request_id=%s:\n%s", got, logs)
		}
	}
}

func TestRequestIDsAreUnique(t *testing.T) {
	gen1, gen2 := newRequestIDs(), newRequestIDs()
	seen := map[string]bool{}
	for range 1000 {
		for _, id := range []string{gen1(), gen2()} {
			if seen[id] || !saneRequestID(id) {
				t.Fatalf("id %q repeated or not sane", id)
			}
			seen[id] = true
		}
	}
	custom := RequestIDWith(RequestIDOptions{Header: "x-trace", Generate: func() string { return "fixed" }})(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, RequestIDFrom(r.Context())) }))
	rec := serve(custom, "GET", "/")
	if rec.Body.String() != "fixed" || rec.Header().Get("X-Trace") != "fixed" {
		t.Errorf("custom: %q %v", rec.Body, rec.Header())
	}
}

func TestAccessLog(t *testing.T) {
	log, logs := newLogger()
	rt := NewRouter(RouterOptions{Logger: log})
	rt.Use(RequestID, AccessLog(log))
	rt.HandleFunc("GET /posts/{id}", func(w http.ResponseWriter, r *http.Request) error {
		io.WriteString(w, "hello")
		return nil
	})
	rt.Handle("GET /silent", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	for _, p := range []string{"/posts/1", "/silent", "/nowhere"} {
		rt.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", p, nil))
	}
	for _, want := range []string{
		`level=INFO msg=request method=GET route="GET /posts/{id}" path=/posts/1 status=200 bytes=5 duration=`,
		// The line shows the 500 the Router sent for the handler that wrote nothing.
		`level=ERROR msg=request method=GET route="GET /silent" path=/silent status=500`,
		`level=INFO msg=request method=GET route=/ path=/nowhere status=404`,
	} {
		if logs.count(want) != 1 {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}

	// The Router's own 500 carries the request ID too.
	rec := serve(rt, "GET", "/silent", "X-Request-ID", "trace-1")
	if !strings.Contains(rec.Body.String(), `"request_id":"trace-1"`) {
		t.Errorf("500 body lacks the request ID: %q", rec.Body)
	}

	// Without a Router, AccessLog counts for itself.
	log2, logs2 := newLogger()
	h := RequestID(AccessLog(log2)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, "abc")
	})))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("PUT", "/x", nil))
	if !strings.Contains(logs2.String(), "method=PUT route=\"\" path=/x status=202 bytes=3") {
		t.Errorf("plain access log: %s", logs2)
	}
}

func TestRecover(t *testing.T) {
	log, logs := newLogger()
	h := Recover(log)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		panic("kaput")
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != 500 || !strings.Contains(logs.String(), "panic=kaput stack=") {
		t.Errorf("%d, log %s", rec.Code, logs)
	}
	late := Recover(log)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "half")
		panic("kaput")
	}))
	func() {
		defer func() {
			if p := recover(); p != http.ErrAbortHandler {
				t.Errorf("panic after the body started: recovered %v, want ErrAbortHandler", p)
			}
		}()
		late.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	}()
}

func TestBodyLimit(t *testing.T) {
	rt := NewRouter(RouterOptions{})
	rt.Use(BodyLimit(10))
	rt.HandleFunc("POST /upload", func(w http.ResponseWriter, r *http.Request) error {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return err
		}
		w.Write(b)
		return nil
	})
	tests := []struct {
		body          string
		chunked       bool
		status        int
		wantInMessage string
	}{
		{"small", false, 200, ""},
		{"this is far too long", false, 413, "the limit is 10 bytes"},
		{"this is far too long", true, 413, "the limit is 10 bytes"},
		{"0123456789", true, 200, ""},
	}
	for _, tc := range tests {
		req := httptest.NewRequest("POST", "/upload", strings.NewReader(tc.body))
		if tc.chunked {
			req.ContentLength = -1
		}
		rec := httptest.NewRecorder()
		rt.ServeHTTP(rec, req)
		if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.wantInMessage) {
			t.Errorf("%q chunked=%v: %d %q", tc.body, tc.chunked, rec.Code, rec.Body)
		}
	}
}

func TestTimeout(t *testing.T) {
	log, _ := newLogger()
	rt := NewRouter(RouterOptions{Logger: log})
	rt.Use(Timeout(20 * time.Millisecond))
	rt.Handle("GET /ignores-ctx", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // gives up silently
	}))
	rt.HandleFunc("GET /returns-ctx-err", func(w http.ResponseWriter, r *http.Request) error {
		<-r.Context().Done()
		return r.Context().Err()
	})
	rt.HandleFunc("GET /wrote-first", func(w http.ResponseWriter, r *http.Request) error {
		io.WriteString(w, "partial answer")
		<-r.Context().Done()
		return nil
	})
	rt.HandleFunc("GET /fast", func(w http.ResponseWriter, r *http.Request) error {
		if _, ok := r.Context().Deadline(); !ok {
			return errors.New("no deadline")
		}
		io.WriteString(w, "fast")
		return nil
	})
	tests := []struct {
		path   string
		status int
		body   string
	}{
		{"/ignores-ctx", 503, "request timed out"},
		{"/returns-ctx-err", 503, "request timed out"},
		{"/wrote-first", 200, "partial answer"},
		{"/fast", 200, "fast"},
	}
	for _, tc := range tests {
		rec := httptest.NewRecorder()
		rt.ServeHTTP(rec, httptest.NewRequest("GET", tc.path, nil))
		if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.body) {
			t.Errorf("%s: %d %q", tc.path, rec.Code, rec.Body)
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	h := SecurityHeaders(SecurityHeadersOptions{FrameOptions: "-", HSTSMaxAge: 365 * 24 * time.Hour, HSTSIncludeSubdomains: true})(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Referrer-Policy", "no-referrer") // handler overrides
			w.WriteHeader(204)
		}))
	for _, tls := range []bool{false, true} {
		req := httptest.NewRequest("GET", "/", nil)
		if tls {
			req.TLS = &tlsState
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		hdr := rec.Header()
		if hdr.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(hdr.Get("Content-Security-Policy"), "default-src 'self'") ||
			hdr.Get("X-Frame-Options") != "" || hdr.Get("Referrer-Policy") != "no-referrer" || hdr.Get("Cross-Origin-Opener-Policy") != "same-origin" {
			t.Errorf("headers: %v", hdr)
		}
		wantHSTS := ""
		if tls {
			wantHSTS = "max-age=31536000; includeSubDomains"
		}
		if got := hdr.Get("Strict-Transport-Security"); got != wantHSTS {
			t.Errorf("tls=%v: HSTS %q, want %q", tls, got, wantHSTS)
		}
	}
}

var tlsState = tls.ConnectionState{}

func TestCSRF(t *testing.T) {
	p := http.NewCrossOriginProtection()
	if err := p.AddTrustedOrigin("https://partner.example"); err != nil {
		t.Fatal(err)
	}
	rt := NewRouter(RouterOptions{})
	rt.Use(CSRF(p))
	rt.HandleFunc("POST /transfer", func(w http.ResponseWriter, r *http.Request) error {
		io.WriteString(w, "done")
		return nil
	})
	rt.HandleFunc("GET /transfer", func(w http.ResponseWriter, r *http.Request) error {
		io.WriteString(w, "form")
		return nil
	})
	tests := []struct {
		method string
		hdr    map[string]string
		status int
	}{
		{"POST", map[string]string{"Sec-Fetch-Site": "same-origin"}, 200},
		{"POST", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"POST", map[string]string{"Origin": "https://evil.example"}, 403},
		{"POST", map[string]string{"Origin": "https://partner.example", "Sec-Fetch-Site": "cross-site"}, 200},
		{"POST", nil, 200}, // no browser headers: not a browser, not CSRF
		{"GET", map[string]string{"Sec-Fetch-Site": "cross-site"}, 200},
	}
	for _, tc := range tests {
		req := httptest.NewRequest(tc.method, "http://bank.example/transfer", nil)
		for k, v := range tc.hdr {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		rt.ServeHTTP(rec, req)
		if rec.Code != tc.status {
			t.Errorf("%s %v: %d %q, want %d", tc.method, tc.hdr, rec.Code, rec.Body, tc.status)
		}
		if rec.Code == 403 && !strings.Contains(rec.Body.String(), "cross-origin request rejected") {
			t.Errorf("403 body %q", rec.Body)
		}
	}
}

func TestCacheControl(t *testing.T) {
	rt := NewRouter(RouterOptions{})
	rt.Use(CacheControl(CachePublic(time.Hour)))
	rt.HandleFunc("GET /ok", func(w http.ResponseWriter, r *http.Request) error {
		io.WriteString(w, "ok")
		return nil
	})
	rt.HandleFunc("GET /own", func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Cache-Control", CacheNoStore)
		io.WriteString(w, "own")
		return nil
	})
	rt.Handle("GET /fail", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "boom", 500)
	}))
	for path, want := range map[string]string{"/ok": "public, max-age=3600", "/own": "no-store", "/fail": ""} {
		rec := httptest.NewRecorder()
		rt.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if got := rec.Header().Get("Cache-Control"); got != want {
			t.Errorf("%s: Cache-Control %q, want %q", path, got, want)
		}
	}
	if CachePrivate(90*time.Second) != "private, max-age=90" {
		t.Error(CachePrivate(90 * time.Second))
	}
}

func TestStatusOf(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{nil, 200},
		{errors.New("x"), 500},
		{Errorf(404, "gone"), 404},
		{&Error{Status: 12}, 500},
		// Not a final status: rendered, 103 would be followed by a 200
		// carrying the error body, and 101 would switch protocols.
		{&Error{Status: 103}, 500},
		{&Error{Status: 101}, 500},
		{errors.Join(errors.New("a"), Errorf(409, "dup")), 409},
		{&http.MaxBytesError{Limit: 5}, 413},
		{context.DeadlineExceeded, 503},
	}
	for _, tc := range tests {
		if got := StatusOf(tc.err); got != tc.want {
			t.Errorf("StatusOf(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
	cause := errors.New("disk full")
	e := Errorf(507, "cannot store: %w", cause)
	if !errors.Is(e, cause) {
		t.Error("Errorf %w cause lost")
	}
}

func TestSecurityHeadersSharedValuesAreSafe(t *testing.T) {
	h := SecurityHeaders(SecurityHeadersOptions{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Referrer-Policy", "no-referrer") // appends to the shared value
		w.WriteHeader(204)
	}))
	first := serve(h, "GET", "/")
	second := serve(h, "GET", "/")
	if got := second.Header().Values("Referrer-Policy"); len(got) != 2 || got[0] != "strict-origin-when-cross-origin" {
		t.Errorf("second response Referrer-Policy %q (first %q)", got, first.Header().Values("Referrer-Policy"))
	}
}
