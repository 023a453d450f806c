package httpserver

import (
	"io"
	"log/slog"
	"net/http"
)

// HandlerFunc is a handler that may return an error instead of writing a
// response. ServeHTTP turns a returned error into the response:
//
//   - nothing written yet: the status of the error (see StatusOf) and a body
//     from the Router's ErrorRenderer; for statuses of 500 and above the
//     error's detail is logged, and only a generic message is shown;
//   - response already started: the error is logged and the connection
//     aborted, so the client sees a broken response rather than a short one
//     that looks complete.
//
// HandlerFunc works under any http.Handler stack; under a Router it uses the
// Router's logger and renderer and costs no allocation.
type HandlerFunc func(http.ResponseWriter, *http.Request) error

// ServeHTTP calls f and handles its error.
func (f HandlerFunc) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	st, ok := w.(responseState)
	if !ok {
		g := &guard{ResponseWriter: w}
		w, st = g, g
	}
	err := f(w, r)
	if err == nil {
		return
	}
	if !st.started() {
		WriteError(w, r, err)
		return
	}
	if t := findTracker(w); t != nil {
		t.failLate(r.Context(), err)
		return
	}
	slog.Default().LogAttrs(r.Context(), slog.LevelError,
		"httpserver: handler failed after the response started; aborting the connection",
		slog.String("method", r.Method), slog.String("route", r.Pattern), slog.Any("error", err))
	panic(http.ErrAbortHandler)
}

// WriteError writes the response for err: its status (see StatusOf) and a
// body rendered by the Router's ErrorRenderer, or by RenderError outside a
// Router. Errors with a status of 500 or above are logged with their detail,
// which the client does not see.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	e := publicError(err)
	t := findTracker(w)
	var c *routerCore
	if t != nil {
		c = t.core
	}
	if e.StatusCode() >= 500 {
		attrs := []slog.Attr{
			slog.String("method", r.Method),
			slog.String("route", r.Pattern),
			slog.String("path", r.URL.Path),
			slog.Int("status", e.StatusCode()),
			slog.Any("error", err),
		}
		if id := RequestIDFrom(r.Context()); id != "" {
			attrs = append(attrs, slog.String("request_id", id))
		}
		c.log().LogAttrs(r.Context(), slog.LevelError, "httpserver: handler error", attrs...)
	}
	c.renderer()(w, r, e)
}

// guard records whether a response started, for handlers served outside a
// Router.
type guard struct {
	http.ResponseWriter
	wrote bool
}

func (g *guard) started() bool               { return g.wrote }
func (g *guard) Unwrap() http.ResponseWriter { return g.ResponseWriter }
func (g *guard) WriteHeader(code int) {
	if code >= 200 || code == http.StatusSwitchingProtocols {
		g.wrote = true
	}
	g.ResponseWriter.WriteHeader(code)
}
func (g *guard) Write(p []byte) (int, error) {
	g.wrote = true
	return g.ResponseWriter.Write(p)
}
func (g *guard) WriteString(s string) (int, error) {
	g.wrote = true
	return writeString(g.ResponseWriter, s)
}

func (g *guard) ReadFrom(src io.Reader) (int64, error) {
	g.wrote = true
	return readFrom(g.ResponseWriter, src)
}

func (g *guard) Flush() {
	g.wrote = true
	_ = http.NewResponseController(g.ResponseWriter).Flush()
}
