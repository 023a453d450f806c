package httpserver

import (
	"fmt"
	"net/http"
)

// BodyLimit returns middleware that limits request bodies to n bytes. A
// request that declares a larger Content-Length is answered 413 at once,
// before the handler runs; a body that turns out larger makes reads fail
// with *http.MaxBytesError, which a HandlerFunc that returns it (or
// ReadJSON's error) turns into a 413 with a message naming the limit.
func BodyLimit(n int64) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ContentLength > n {
				WriteError(w, r, &Error{Status: http.StatusRequestEntityTooLarge,
					Msg: fmt.Sprintf("request body too large: the limit is %d bytes", n)})
				return
			}
			if r.Body == nil || r.Body == http.NoBody {
				next.ServeHTTP(w, r)
				return
			}
			r2 := new(http.Request)
			*r2 = *r
			r2.Body = http.MaxBytesReader(w, r.Body, n)
			next.ServeHTTP(w, r2)
		})
	}
}
