// Package httpserver is the net/http server a production service wants, with
// nothing hidden: a Server with safe timeouts and graceful shutdown, a Router
// on http.ServeMux patterns, handlers that return errors, middleware, and the
// rule that every request gets exactly one response.
//
// Everything is plain net/http: handlers are http.Handler, middleware is
// func(http.Handler) http.Handler, and logging goes through log/slog.
package httpserver
