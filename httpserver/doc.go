// Package httpserver is the net/http server a production service wants, with
// nothing hidden: a Server with safe timeouts and graceful shutdown, a Router
// on http.ServeMux patterns, handlers that return errors, middleware, and the
// rule that every request gets exactly one response.
//
// Everything is plain net/http: handlers are http.Handler, middleware is
// func(http.Handler) http.Handler, and logging goes through log/slog.
//
// # Server
//
// Server fills in the timeouts net/http leaves unlimited, serves until its
// context ends, then drains: Readyz answers 503, keep-alive is turned off,
// the listener stays open for DrainDelay so load balancers notice, and
// in-flight requests get ShutdownTimeout to finish. Healthz and Readyz are
// handlers to mount.
//
// # Router
//
// Router registers handlers on http.ServeMux patterns ("GET /posts/{id}"),
// with Group for a shared prefix and middleware and Mount for any handler
// under a prefix. Invalid and conflicting patterns are collected by Err
// instead of panicking. Unmatched requests get 404, or 405 with an Allow
// header that includes HEAD; both are replaceable.
//
// Handlers may return an error (HandlerFunc). An *Error carries its status
// and client message (Errorf); any other error becomes a 500 whose detail is
// logged, not shown. Error bodies are JSON or HTML by the request's Accept
// header, through a replaceable ErrorRenderer.
//
// # Exactly one response
//
// For every request it serves, the Router makes sure the client gets one
// complete response: a handler that writes nothing produces a 500 and a log
// line naming the route; a second WriteHeader or a header change after the
// response started is ignored and logged once; a failure after the body
// started aborts the connection instead of leaving a short body that looks
// complete; a panic becomes a 500 (logged with its stack) when nothing was
// written. The wrapper that enforces this is pooled, costs no allocation,
// and implements Unwrap, Flush, Hijack and ReadFrom, so
// http.ResponseController and sendfile keep working.
//
// # Middleware
//
// One per file: RequestID, AccessLog, Recover, BodyLimit, Timeout, Gzip,
// SecurityHeaders, CSRF (http.CrossOriginProtection), ConditionalGET and
// CacheControl; DefaultMiddleware returns the usual stack.
//
// # Helpers
//
// WriteJSON and ReadJSON (size limit, unknown-field rejection, errors that
// name the field), Static for files from any fs.FS (ETag, Range, immutable
// caching of content-hashed names), and the dotenv subpackage.
package httpserver
