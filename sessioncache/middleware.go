package sessioncache

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
)

// Handler returns middleware that gives each request a session, reachable
// through the request's context by the Manager's methods.
//
// The session is loaded on first use and saved just before the response's
// header is written (the first WriteHeader, Write, Flush or Hijack, or the
// end of the handler), so the cookie always makes it into the header. If
// loading or saving fails, the ErrorHandler answers instead and what the
// handler writes afterwards is dropped; the headers that described the
// handler's body (Content-Encoding, ETag, Last-Modified, ...) are removed
// first and the answer gets Cache-Control: no-store. Changes made after the header was
// written are still saved when the handler returns, but a session started
// that late gets no cookie (this is logged).
//
// The ResponseWriter passed on implements Unwrap, so http.ResponseController
// reaches the original writer, as well as http.Flusher, http.Hijacker and
// io.ReaderFrom.
func (m *Manager) Handler(next http.Handler) http.Handler {
	m.init()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := &session{Context: r.Context(), m: m}
		r = r.WithContext(s)
		s.r = r
		s.w = responseWriter{ResponseWriter: w, s: s}
		returned := false
		defer func() {
			if !returned {
				s.w.abandon() // the handler panicked; the panic goes on
			}
		}()
		next.ServeHTTP(&s.w, r)
		returned = true
		s.w.finish()
	})
}

// abandon runs when the handler panicked. Its changes are dropped, but the
// sessions it destroyed are still deleted: a logout must not
// survive a later failure of its handler.
func (w *responseWriter) abandon() {
	s := w.s
	s.mu.Lock()
	defer s.mu.Unlock()
	// The request's context is still live: the server cancels it once the
	// handler has returned.
	ctx := s.r.Context()
	defer func() {
		// A store that panics too must not replace the handler's panic.
		if v := recover(); v != nil {
			s.m.logger().ErrorContext(ctx, "sessioncache: the store panicked deleting a destroyed session after the handler panicked",
				"method", s.r.Method, "path", s.r.URL.Path, "panic", v)
		}
	}()
	for _, id := range s.dead {
		if err := s.m.store.Delete(ctx, id); err != nil {
			s.m.logger().ErrorContext(ctx, "sessioncache: deleting a destroyed session after the handler panicked failed",
				"method", s.r.Method, "path", s.r.URL.Path, "err", err)
		}
	}
	s.dead = nil
}

// responseWriter saves the session before the header goes out.
type responseWriter struct {
	http.ResponseWriter
	s *session

	headerDone bool  // the header was written, or the save failed
	failed     error // the save failed and the ErrorHandler answered
}

// errResponseReplaced is returned from writes after the ErrorHandler has
// answered in place of the handler.
var errResponseReplaced = errors.New("sessioncache: response replaced by the session error handler")

// before saves the session and sets the cookie, once, before the header is
// written. It reports whether the handler's output may go on.
func (w *responseWriter) before() bool {
	if w.headerDone {
		return w.failed == nil
	}
	w.headerDone = true
	s := w.s
	c, loaded, err := s.saveForHeader()
	if err != nil {
		w.failed = err
		dropRepresentation(w.Header())
		s.m.serveError(w.ResponseWriter, s.r, err)
		return false
	}
	h := w.Header()
	if loaded {
		h.Add("Vary", "Cookie")
	}
	if c != nil {
		h.Add("Set-Cookie", c.String())
		keepCookieFromCaches(h)
	}
	return true
}

// saveForHeader saves the session and returns the cookie to send, if any,
// and whether the session was loaded.
func (s *session) saveForHeader() (c *http.Cookie, loaded bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock() // a store may panic: abandon then needs the lock
	change, err := s.save()
	if err == nil && change != cookieKeep {
		c = s.cookie(change)
	}
	return c, s.loaded, err
}

// dropRepresentation removes from h the headers a handler set to describe
// the body it began, before an error answer replaces that body: they would
// mislabel it (a plain-text error sent as gzip) or let caches keep it in
// place of the page. The error answer is never stored.
func dropRepresentation(h http.Header) {
	for _, name := range []string{"Content-Encoding", "Content-Range", "Content-Disposition", "Content-Language", "ETag", "Last-Modified", "Expires"} {
		h.Del(name)
	}
	h.Set("Cache-Control", "no-store")
}

// keepCookieFromCaches makes sure that no shared cache stores the
// Set-Cookie header of h: it adds no-cache="Set-Cookie" to the response's
// Cache-Control, unless the handler already forbade storing or sharing the
// whole response (no-store, private, no-cache). Several Cache-Control
// lines are merged into one.
func keepCookieFromCaches(h http.Header) {
	const directive = `no-cache="Set-Cookie"`
	lines := h.Values("Cache-Control")
	if len(lines) == 0 {
		h.Set("Cache-Control", directive)
		return
	}
	cc := strings.Join(lines, ", ")
	if !coversSetCookie(cc) {
		cc += ", " + directive
	}
	h.Set("Cache-Control", cc)
}

// coversSetCookie reports whether the Cache-Control value cc already keeps
// shared caches from storing a Set-Cookie header.
func coversSetCookie(cc string) bool {
	for len(cc) > 0 {
		// Cut one directive, minding commas inside quoted strings.
		i, quoted := 0, false
		for ; i < len(cc) && (quoted || cc[i] != ','); i++ {
			switch {
			case cc[i] == '"':
				quoted = !quoted
			case cc[i] == '\\' && quoted:
				i++
			}
		}
		d := strings.TrimSpace(cc[:min(i, len(cc))])
		cc = cc[min(i+1, len(cc)):]
		name, arg, hasArg := strings.Cut(d, "=")
		name = strings.ToLower(strings.TrimSpace(name))
		switch {
		case name == "no-store":
			return true
		case (name == "private" || name == "no-cache") && !hasArg:
			return true
		case name == "no-cache" || name == "private":
			for f := range strings.SplitSeq(strings.Trim(strings.TrimSpace(arg), `"`), ",") {
				if strings.EqualFold(strings.TrimSpace(f), "Set-Cookie") {
					return true
				}
			}
		}
	}
	return false
}

// finish runs after the handler: it saves a session the handler never
// wrote a response for, or changes made after the header was written.
func (w *responseWriter) finish() {
	if !w.headerDone {
		w.before()
		return
	}
	if w.failed != nil {
		return
	}
	s := w.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.loaded || (!s.dirty() && !s.renew && len(s.dead) == 0) {
		return
	}
	switch {
	case !s.exists:
		if s.dirty() {
			s.m.logger().ErrorContext(s.r.Context(), "sessioncache: session started after the response header was written; its cookie cannot be sent, the change is dropped",
				"method", s.r.Method, "path", s.r.URL.Path)
		}
		// Deleting dead sessions (a Destroy) is still safe and wanted.
		s.resetChanges()
	case s.renew:
		s.m.logger().ErrorContext(s.r.Context(), "sessioncache: Renew called after the response header was written; the token cannot change, the session is NOT renewed",
			"method", s.r.Method, "path", s.r.URL.Path)
		s.renew = false
	}
	if _, err := s.save(); err != nil {
		s.m.logger().ErrorContext(s.r.Context(), "sessioncache: saving the session after the response began failed",
			"method", s.r.Method, "path", s.r.URL.Path, "err", err)
	}
}

// WriteHeader implements http.ResponseWriter. Informational (1xx) headers
// pass through without saving the session.
func (w *responseWriter) WriteHeader(code int) {
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	if w.before() {
		w.ResponseWriter.WriteHeader(code)
	}
}

// Write implements http.ResponseWriter.
func (w *responseWriter) Write(b []byte) (int, error) {
	if !w.before() {
		return 0, errResponseReplaced
	}
	return w.ResponseWriter.Write(b)
}

// ReadFrom implements io.ReaderFrom, keeping sendfile and splice for the
// writers that have them.
func (w *responseWriter) ReadFrom(r io.Reader) (int64, error) {
	if !w.before() {
		return 0, errResponseReplaced
	}
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(w.ResponseWriter, r)
}

// Flush implements http.Flusher.
func (w *responseWriter) Flush() {
	if w.before() {
		http.NewResponseController(w.ResponseWriter).Flush()
	}
}

// FlushError flushes like Flush and reports errors; http.ResponseController
// uses it.
func (w *responseWriter) FlushError() error {
	if !w.before() {
		return errResponseReplaced
	}
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Hijack implements http.Hijacker. The session is saved first; the cookie
// of a new session is lost unless the caller copies the header.
func (w *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if !w.before() {
		return nil, nil, fmt.Errorf("sessioncache: hijack: %w", w.failed)
	}
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
