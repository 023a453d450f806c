package httpserver

import "net/http"

// CSRF returns middleware that rejects cross-origin state-changing requests
// with 403, using p (nil means a zero http.CrossOriginProtection: same-origin
// only). Configure trusted origins and bypass patterns on p with its own
// methods before serving. Safe methods (GET, HEAD, OPTIONS) always pass.
// The 403 is rendered like every other error of the Router.
func CSRF(p *http.CrossOriginProtection) Middleware {
	if p == nil {
		p = http.NewCrossOriginProtection()
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := p.Check(r); err != nil {
				WriteError(w, r, &Error{Status: http.StatusForbidden, Msg: "cross-origin request rejected", Err: err})
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
