package httpserver

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// Timeout returns middleware that gives each request a context deadline of
// d. The handler runs on the request's goroutine as usual and is expected to
// honor its context; when the deadline passed and the handler wrote nothing,
// the client gets 503 "request timed out".
//
// Unlike http.TimeoutHandler, Timeout neither buffers the response nor runs
// the handler on another goroutine, so a late handler can never race the
// timeout response into a superfluous write, streaming and
// http.ResponseController keep working, and the handler's own answer wins
// whenever it wrote one. The price: a handler that ignores its context runs
// to its end (its writes fail once the Server's WriteTimeout has passed).
func Timeout(d time.Duration) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), d)
			defer cancel()
			g := &guard{ResponseWriter: w}
			next.ServeHTTP(g, r.WithContext(ctx))
			if !g.wrote && errors.Is(ctx.Err(), context.DeadlineExceeded) && r.Context().Err() == nil {
				WriteError(w, r, &Error{Status: http.StatusServiceUnavailable, Msg: "request timed out",
					Err: context.DeadlineExceeded})
			}
		})
	}
}
