package sessioncache_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/serverdev/stdweb/sessioncache"
)

func TestCookieBeforeFirstByte(t *testing.T) {
	m := &sessioncache.Manager{}
	t.Cleanup(func() { m.Close() })
	tests := []struct {
		name  string
		write func(w http.ResponseWriter)
	}{
		{"Write", func(w http.ResponseWriter) { io.WriteString(w, "body") }},
		{"WriteHeader", func(w http.ResponseWriter) { w.WriteHeader(http.StatusCreated) }},
		{"Flush", func(w http.ResponseWriter) { w.(http.Flusher).Flush() }},
		{"ResponseController.Flush", func(w http.ResponseWriter) {
			if err := http.NewResponseController(w).Flush(); err != nil {
				t.Errorf("Flush: %v", err)
			}
		}},
		{"ReadFrom", func(w http.ResponseWriter) { w.(io.ReaderFrom).ReadFrom(strings.NewReader("body")) }},
		{"nothing", func(w http.ResponseWriter) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				m.Put(r.Context(), "k", "v")
				tt.write(w)
				m.Put(r.Context(), "late", "dropped: the session had no cookie yet")
			}))
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
			if len(w.Result().Cookies()) != 1 {
				t.Errorf("cookies = %v, want the session cookie", w.Result().Cookies())
			}
		})
	}
}

func TestChangesAfterHeaderAreSaved(t *testing.T) {
	m := &sessioncache.Manager{Logger: discardLogger()}
	t.Cleanup(func() { m.Close() })
	h := app(m)
	c := &client{t: t, h: h}
	c.get("/put?k=a&v=1")
	c.h = m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "streaming")
		m.Put(r.Context(), "b", "2")
	}))
	c.get("/")
	c.h = h
	if got := c.get("/keys"); got != "a,b" {
		t.Errorf("keys = %q, want a,b", got)
	}

	// A session started after the header has no cookie: nothing is stored.
	fresh := &client{t: t, h: m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "streaming")
		m.Put(r.Context(), "b", "2")
	}))}
	res := fresh.do("GET", "/")
	if len(res.Cookies()) != 0 {
		t.Errorf("late session sent cookies %v", res.Cookies())
	}
}

func TestInformationalHeaderPassesThrough(t *testing.T) {
	m := &sessioncache.Manager{}
	t.Cleanup(func() { m.Close() })
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</style.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		m.Put(r.Context(), "k", "v")
		io.WriteString(w, "ok")
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || len(res.Cookies()) != 1 {
		t.Errorf("status %d, cookies = %v after 103 Early Hints, want 200 and the session cookie", res.StatusCode, res.Cookies())
	}
}

func TestHijackAndUnwrap(t *testing.T) {
	m := &sessioncache.Manager{}
	t.Cleanup(func() { m.Close() })
	var unwrapped bool
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.Put(r.Context(), "k", "v")
		_, unwrapped = w.(interface{ Unwrap() http.ResponseWriter })
		rc := http.NewResponseController(w)
		if err := rc.SetWriteDeadline(time.Now().Add(time.Second)); err != nil {
			t.Errorf("SetWriteDeadline through Unwrap: %v", err)
		}
		conn, brw, err := rc.Hijack()
		if err != nil {
			t.Errorf("Hijack: %v", err)
			return
		}
		defer conn.Close()
		brw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nhijacked")
		brw.Flush()
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if string(body) != "hijacked" {
		t.Errorf("body = %q", body)
	}
	if !unwrapped {
		t.Error("the ResponseWriter has no Unwrap method")
	}
}

func TestStreamingThroughServer(t *testing.T) {
	m := &sessioncache.Manager{}
	t.Cleanup(func() { m.Close() })
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.Put(r.Context(), "k", "v")
		io.WriteString(w, "first\n")
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Errorf("Flush: %v", err)
		}
		io.WriteString(w, "second\n")
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	line, _ := bufio.NewReader(res.Body).ReadString('\n')
	if line != "first\n" || len(res.Cookies()) != 1 {
		t.Errorf("first line %q, cookies %v", line, res.Cookies())
	}
}

func TestWithoutMiddleware(t *testing.T) {
	m := &sessioncache.Manager{Logger: discardLogger()}
	t.Cleanup(func() { m.Close() })
	ctx := context.Background()
	// None of these may panic; all return zero values.
	m.Put(ctx, "k", "v")
	if m.Get(ctx, "k") != nil || m.GetString(ctx, "k") != "" || m.Exists(ctx, "k") || m.Keys(ctx) != nil || m.User(ctx) != "" {
		t.Error("a context without a session returned data")
	}
	m.Remove(ctx, "k")
	m.Clear(ctx)
	m.Renew(ctx)
	m.Destroy(ctx)
	m.RememberMe(ctx, true)
	m.SetUser(ctx, "u")
	if v, ok := sessioncache.Get[int](ctx, m, "k"); ok || v != 0 {
		t.Error("Get[int] without a session")
	}
}

func TestEncodeError(t *testing.T) {
	m := &sessioncache.Manager{Logger: discardLogger()}
	t.Cleanup(func() { m.Close() })
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.Put(r.Context(), "ch", make(chan int))
		io.WriteString(w, "should not be seen")
	}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	if w.Code != http.StatusInternalServerError || strings.Contains(w.Body.String(), "should not") {
		t.Errorf("status %d body %q; want 500 from the error handler", w.Code, w.Body)
	}
}

func TestReservedKeys(t *testing.T) {
	m := &sessioncache.Manager{Logger: discardLogger()}
	t.Cleanup(func() { m.Close() })
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.Put(r.Context(), "\x00remember", "1")
		if m.Exists(r.Context(), "\x00remember") {
			t.Error("Put accepted a reserved key")
		}
	}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	if len(w.Result().Cookies()) != 0 {
		t.Error("a reserved key started a session")
	}
}

type profile struct {
	Name  string   `json:"name"`
	Langs []string `json:"langs"`
}

func TestTypedGetters(t *testing.T) {
	m := &sessioncache.Manager{Logger: discardLogger()}
	t.Cleanup(func() { m.Close() })
	when := time.Date(2026, 11, 25, 16, 30, 0, 123, time.UTC)
	put := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		m.Put(ctx, "int", 42)
		m.Put(ctx, "bool", true)
		m.Put(ctx, "time", when)
		m.Put(ctx, "str", "s")
		m.Put(ctx, "profile", profile{"gopher", []string{"go"}})
		// Within the request, values come back as they were put.
		if m.Get(ctx, "int") != 42 {
			t.Errorf("Get in the same request = %v", m.Get(ctx, "int"))
		}
	}))
	c := &client{t: t, h: put}
	c.get("/")
	c.h = m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if got := m.GetInt(ctx, "int"); got != 42 {
			t.Errorf("GetInt = %d", got)
		}
		if !m.GetBool(ctx, "bool") {
			t.Error("GetBool = false")
		}
		if got := m.GetTime(ctx, "time"); !got.Equal(when) {
			t.Errorf("GetTime = %v, want %v", got, when)
		}
		if got := m.GetString(ctx, "str"); got != "s" {
			t.Errorf("GetString = %q", got)
		}
		if p, ok := sessioncache.Get[profile](ctx, m, "profile"); !ok || p.Name != "gopher" || len(p.Langs) != 1 {
			t.Errorf("Get[profile] = %+v, %v", p, ok)
		}
		// Untyped Get of a stored number is a float64 (JSON).
		if got := m.Get(ctx, "int"); got != float64(42) {
			t.Errorf("Get = %#v, want float64(42)", got)
		}
		// A value of another type is missing, not an error.
		if v, ok := sessioncache.Get[int](ctx, m, "str"); ok || v != 0 {
			t.Errorf("Get[int] of a string = %v, %v", v, ok)
		}
		if got := m.GetInt(ctx, "missing"); got != 0 {
			t.Errorf("GetInt of a missing key = %d", got)
		}
		if v, ok := sessioncache.Pop[profile](ctx, m, "profile"); !ok || v.Name != "gopher" {
			t.Errorf("Pop[profile] = %+v, %v", v, ok)
		}
		if m.Exists(ctx, "profile") {
			t.Error("Pop left the value")
		}
		io.WriteString(w, "ok")
	}))
	if res := c.do("GET", "/"); res.StatusCode != http.StatusOK {
		t.Errorf("status %d", res.StatusCode)
	}
}

func TestCookieOptions(t *testing.T) {
	m := &sessioncache.Manager{Cookie: sessioncache.CookieOptions{
		Name: "sid", Domain: "example.com", Path: "/app", Insecure: true, ScriptReadable: true, SameSite: http.SameSiteStrictMode,
	}}
	t.Cleanup(func() { m.Close() })
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { m.Put(r.Context(), "k", "v") }))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/app", nil))
	ck := w.Result().Cookies()
	if len(ck) != 1 {
		t.Fatalf("cookies %v", ck)
	}
	c := ck[0]
	if c.Name != "sid" || c.Domain != "example.com" || c.Path != "/app" || c.Secure || c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
		t.Errorf("cookie = %+v", c)
	}
}

func TestDefaultErrorMessage(t *testing.T) {
	st := newCountingStore(t)
	m := &sessioncache.Manager{Store: st, Logger: discardLogger()}
	c := &client{t: t, h: app(m)}
	c.get("/put?k=a&v=1")
	st.failWith(errors.Join(errors.New("dial tcp: refused"), sessioncache.ErrUnavailable))
	res := c.do("GET", "/get?k=a")
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "session store") || res.Header.Get("Retry-After") == "" {
		t.Errorf("status %d body %q Retry-After %q", res.StatusCode, body, res.Header.Get("Retry-After"))
	}
}

// TestCookieNameExact: only the exact cookie name counts, with space and
// tab trimmed, never other white space (prefix-bypass tricks).
func TestCookieNameExact(t *testing.T) {
	m := &sessioncache.Manager{}
	t.Cleanup(func() { m.Close() })
	h := app(m)
	c := &client{t: t, h: h}
	c.get("/put?k=a&v=1")
	tok := c.cookie.Value
	tests := []struct {
		header string
		found  bool
	}{
		{"session=" + tok, true},
		{"other=1; \tsession=" + tok + " ", true},
		{`session="` + tok + `"`, true},
		{"session=bad; session=" + tok, true},
		{"\u00a0session=" + tok, false},
		{"Session=" + tok, false},
		{"sessionx=" + tok, false},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/get?k=a", nil)
		r.Header.Set("Cookie", tt.header)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if got := w.Body.String() == "1"; got != tt.found {
			t.Errorf("Cookie: %q: session found = %v, want %v", tt.header, got, tt.found)
		}
	}
}

// TestTwoManagers nests two Managers with their own cookies: each request
// context answers both.
func TestTwoManagers(t *testing.T) {
	a := &sessioncache.Manager{Cookie: sessioncache.CookieOptions{Name: "a"}}
	b := &sessioncache.Manager{Cookie: sessioncache.CookieOptions{Name: "b"}}
	t.Cleanup(func() { a.Close(); b.Close() })
	h := a.Handler(b.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		seen := a.GetString(ctx, "k") + "," + b.GetString(ctx, "k")
		a.Put(ctx, "k", "from a")
		b.Put(ctx, "k", "from b")
		io.WriteString(w, seen)
	})))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	cookies := w.Result().Cookies()
	if len(cookies) != 2 {
		t.Fatalf("cookies %v, want one per manager", cookies)
	}
	r := httptest.NewRequest("GET", "/", nil)
	for _, c := range cookies {
		r.AddCookie(c)
	}
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if got := w.Body.String(); got != "from a,from b" {
		t.Errorf("body %q, want each manager's own value", got)
	}
}

// TestErrorAnswerDropsHandlerRepresentation checks that when the session
// fails, the error answer does not carry the headers the handler set for
// its own body: a plain-text 503 labelled gzip, or with the handler's ETag
// and public freshness, would be garbled or cached in place of the page.
func TestErrorAnswerDropsHandlerRepresentation(t *testing.T) {
	st := newCountingStore(t)
	m := &sessioncache.Manager{Store: st, Logger: discardLogger()}
	st.failWith(sessioncache.ErrUnavailable)
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.Put(r.Context(), "k", "v")
		h := w.Header()
		h.Set("Content-Encoding", "gzip")
		h.Set("ETag", `"v1"`)
		h.Set("Last-Modified", "Mon, 02 Jan 2006 15:04:05 GMT")
		h.Set("Cache-Control", "public, max-age=600")
		h.Set("Content-Disposition", "attachment")
		w.Write([]byte{0x1f, 0x8b})
	}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	res := w.Result()
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", res.StatusCode)
	}
	for _, name := range []string{"Content-Encoding", "ETag", "Last-Modified", "Content-Disposition"} {
		if v := res.Header.Get(name); v != "" {
			t.Errorf("error answer carries the handler's %s: %q", name, v)
		}
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}
}
