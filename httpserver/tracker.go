package httpserver

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"
)

// responseState is implemented by every ResponseWriter wrapper of this
// package. started reports whether the handler has begun its response
// through this writer (a status or body byte was written to it).
type responseState interface {
	started() bool
}

// tracker wraps the ResponseWriter of every request a Router serves and
// enforces the exactly-one-response rule. Trackers are pooled: a request
// through a Router allocates nothing for it.
type tracker struct {
	w         http.ResponseWriter
	req       *http.Request
	core      *routerCore
	hdr       http.Header // the header map, once someone under the Router asked for it
	headerLen int         // len(hdr) when the response started (see Header)
	status    int
	bytes     int64
	wrote     bool
	returned  bool // the handler returned: finish need not recover a panic
	hijacked  bool
	warned    bool // a superfluous WriteHeader was logged
	abort     bool // a handler failed after the body started; later writes are dropped
	requestID string
	access    *slog.Logger
	start     time.Time
}

var trackerPool = sync.Pool{New: func() any { return new(tracker) }}

func getTracker(w http.ResponseWriter, r *http.Request, c *routerCore) *tracker {
	t := trackerPool.Get().(*tracker)
	t.w, t.req, t.core = w, r, c
	return t
}

func putTracker(t *tracker) {
	*t = tracker{}
	trackerPool.Put(t)
}

func (t *tracker) started() bool { return t.wrote }

// Unwrap returns the underlying ResponseWriter, for http.ResponseController.
func (t *tracker) Unwrap() http.ResponseWriter { return t.w }

// Header returns the header map of the response. The tracker asks the
// ResponseWriter for it only when someone under the Router does: net/http
// copies the map when the response starts if Header was ever called, and
// a handler that never touches it should not pay for that copy. Everything
// under the Router reaches the map through here, so the first call after the
// response started sees the map as it was sent, and its length is what a
// later header change is measured against.
func (t *tracker) Header() http.Header {
	if t.hdr == nil {
		t.hdr = t.w.Header()
		t.headerLen = len(t.hdr)
	}
	return t.hdr
}

func (t *tracker) WriteHeader(code int) {
	if t.hijacked || t.abort {
		return
	}
	if t.wrote {
		t.superfluous(code)
		return
	}
	if code < 100 || code > 999 {
		// net/http would panic after the status counted as sent; panic
		// before, so the client gets a 500 rather than a broken connection.
		panic(fmt.Sprintf("httpserver: invalid WriteHeader code %d", code))
	}
	if code >= 100 && code <= 199 && code != http.StatusSwitchingProtocols {
		t.w.WriteHeader(code) // informational: not the final response
		return
	}
	t.commit(code)
}

func (t *tracker) commit(code int) {
	t.wrote = true
	t.status = code
	t.w.WriteHeader(code)
	// After WriteHeader, so that headers a wrapper outside the Router adds
	// as the response starts are not taken for late ones. 0 if nobody
	// under the Router asked for the map yet: see Header.
	t.headerLen = len(t.hdr)
}

func (t *tracker) Write(p []byte) (int, error) {
	if t.abort {
		return 0, errAborted
	}
	if !t.wrote && !t.hijacked {
		t.commit(http.StatusOK)
	}
	n, err := t.w.Write(p)
	t.bytes += int64(n)
	return n, err
}

// WriteString keeps io.WriteString free of a []byte copy, as net/http's
// own ResponseWriter does.
func (t *tracker) WriteString(s string) (int, error) {
	if t.abort {
		return 0, errAborted
	}
	if !t.wrote && !t.hijacked {
		t.commit(http.StatusOK)
	}
	n, err := writeString(t.w, s)
	t.bytes += int64(n)
	return n, err
}

// ReadFrom keeps the sendfile path of net/http for io.Copy to the response.
func (t *tracker) ReadFrom(src io.Reader) (int64, error) {
	if t.abort {
		return 0, errAborted
	}
	if !t.wrote && !t.hijacked {
		t.commit(http.StatusOK)
	}
	n, err := readFrom(t.w, src)
	t.bytes += n
	return n, err
}

// Flush implements http.Flusher for code that asserts it directly;
// http.ResponseController finds it too.
func (t *tracker) Flush() {
	if t.abort {
		return
	}
	if !t.wrote && !t.hijacked {
		t.commit(http.StatusOK)
	}
	if f, ok := t.w.(http.Flusher); ok {
		f.Flush()
		return
	}
	_ = http.NewResponseController(t.w).Flush()
}

// Hijack implements http.Hijacker. After a hijack the tracker leaves the
// connection alone.
func (t *tracker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(t.w).Hijack()
	if err == nil {
		t.hijacked = true
	}
	return conn, rw, err
}

type writerOnly struct{ io.Writer }

// writeString writes s to w without a copy when w can take strings.
func writeString(w http.ResponseWriter, s string) (int, error) {
	if sw, ok := w.(io.StringWriter); ok {
		return sw.WriteString(s)
	}
	return w.Write([]byte(s))
}

// readFrom copies src to w through w's ReadFrom when it has one (net/http's
// uses sendfile for files).
func readFrom(w http.ResponseWriter, src io.Reader) (int64, error) {
	if rf, ok := w.(io.ReaderFrom); ok {
		return rf.ReadFrom(src)
	}
	return io.Copy(writerOnly{w}, src)
}

func (t *tracker) route() string {
	if t.req.Pattern != "" {
		return t.req.Pattern
	}
	return "(unmatched)"
}

func (t *tracker) logger() *slog.Logger { return t.core.log() }

func (t *tracker) attrs(extra ...slog.Attr) []slog.Attr {
	a := []slog.Attr{
		slog.String("method", t.req.Method),
		slog.String("route", t.route()),
		slog.String("path", t.req.URL.Path),
	}
	if t.requestID != "" {
		a = append(a, slog.String("request_id", t.requestID))
	}
	return append(a, extra...)
}

func (t *tracker) superfluous(code int) {
	if t.warned {
		return
	}
	t.warned = true
	t.logger().LogAttrs(t.req.Context(), slog.LevelWarn, "httpserver: superfluous WriteHeader ignored",
		t.attrs(slog.Int("status", t.status), slog.Int("ignored_status", code))...)
}

// errAborted is what writes get once a handler failed after its response
// started.
var errAborted = errors.New("httpserver: response aborted after a handler error")

// failLate records that a handler failed after its response started: the
// response cannot be fixed, so the connection will be aborted. Writes after
// this are dropped, so a buffering middleware between the handler and the
// Router (ConditionalGET sets an exact Content-Length) cannot send the
// partial body as a response that looks complete.
func (t *tracker) failLate(ctx context.Context, err error) {
	t.abort = true
	t.logger().LogAttrs(ctx, slog.LevelError, "httpserver: handler failed after the response started; aborting the connection",
		t.attrs(slog.Int("status", t.status), slog.Any("error", err))...)
}

// finish runs after the handler returned or panicked (p is the recovered
// value). It writes the 500 nobody wrote, logs, and returns whether the
// connection must be aborted.
func (t *tracker) finish(p any) (abort bool) {
	ctx := t.req.Context()
	if p != nil {
		t.logger().LogAttrs(ctx, slog.LevelError, "httpserver: handler panicked",
			t.attrs(slog.Any("panic", p), slog.String("stack", string(debug.Stack())))...)
		if t.wrote || t.hijacked {
			t.abort = true
		} else {
			t.render(&Error{Status: http.StatusInternalServerError})
		}
	} else if t.hijacked || t.abort {
		// The handler owns the connection, or it is being aborted.
	} else if !t.wrote {
		t.logger().LogAttrs(ctx, slog.LevelError, "httpserver: handler returned without writing a response",
			t.attrs()...)
		t.render(&Error{Status: http.StatusInternalServerError, Msg: "the server sent no response"})
	} else if len(t.hdr) != t.headerLen && t.headerChanged() {
		t.logger().LogAttrs(ctx, slog.LevelWarn, "httpserver: header changed after the response started (ignored)",
			t.attrs(slog.Int("status", t.status))...)
	}
	if t.access != nil && !t.hijacked {
		t.logAccess()
	}
	return t.abort
}

// headerChanged reports whether keys other than trailers were added after
// the response started.
func (t *tracker) headerChanged() bool {
	h := t.hdr
	declared := strings.Join(h.Values("Trailer"), ",")
	n := 0
	for k := range h {
		if strings.HasPrefix(k, http.TrailerPrefix) || containsToken(declared, k) {
			continue
		}
		n++
	}
	return n > t.headerLen
}

func containsToken(list, tok string) bool {
	for part := range strings.SplitSeq(list, ",") {
		if strings.EqualFold(strings.TrimSpace(part), tok) {
			return true
		}
	}
	return false
}

func (t *tracker) render(e *Error) {
	r := t.req
	if t.requestID != "" && RequestIDFrom(r.Context()) == "" {
		// The ID lives in the context of the request the handler got.
		r = r.WithContext(withRequestID(r.Context(), t.requestID))
	}
	t.core.renderer()(t, r, e)
}

func (t *tracker) logAccess() {
	logAccess(t.access, t.req.Context(), t.req.Method, t.route(), t.req.URL.Path,
		t.status, t.bytes, t.start, t.requestID)
}

// findTracker walks the Unwrap chain of w to the tracker of the Router
// serving the request, or returns nil.
func findTracker(w http.ResponseWriter) *tracker {
	for range 32 {
		switch x := w.(type) {
		case *tracker:
			return x
		case interface{ Unwrap() http.ResponseWriter }:
			w = x.Unwrap()
		default:
			return nil
		}
	}
	return nil
}
