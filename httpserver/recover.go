package httpserver

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
)

// Recover returns middleware that recovers a panic in next, logs it with its
// stack to logger (nil means slog.Default()) and answers 500 when nothing
// was written yet, or aborts the connection when the response had started.
// http.ErrAbortHandler passes through untouched. A Router already does all
// this for its routes; Recover is for handlers served without one.
func Recover(logger *slog.Logger) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			st, ok := w.(responseState)
			if !ok {
				g := &guard{ResponseWriter: w}
				w, st = g, g
			}
			defer func() {
				p := recover()
				if p == nil {
					return
				}
				if p == http.ErrAbortHandler {
					panic(p)
				}
				log := logger
				if log == nil {
					log = slog.Default()
				}
				log.LogAttrs(r.Context(), slog.LevelError, "httpserver: handler panicked",
					slog.String("method", r.Method),
					slog.String("route", r.Pattern),
					slog.String("path", r.URL.Path),
					slog.String("request_id", RequestIDFrom(r.Context())),
					slog.Any("panic", p),
					slog.String("stack", string(debug.Stack())))
				if st.started() {
					panic(http.ErrAbortHandler)
				}
				var c *routerCore
				if t := findTracker(w); t != nil {
					c = t.core
				}
				c.renderer()(w, r, &Error{Status: http.StatusInternalServerError, Err: fmt.Errorf("panic: %v", p)})
			}()
			next.ServeHTTP(w, r)
		})
	}
}
