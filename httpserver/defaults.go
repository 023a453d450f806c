package httpserver

import "log/slog"

// DefaultMiddleware returns the stack most services want on every route, in
// order: RequestID, AccessLog(logger) and SecurityHeaders with defaults.
// Panic recovery, the exactly-one-response rule and error rendering come
// with the Router itself.
//
//	rt := httpserver.NewRouter(httpserver.RouterOptions{Logger: logger})
//	rt.Use(httpserver.DefaultMiddleware(logger)...)
func DefaultMiddleware(logger *slog.Logger) []Middleware {
	return []Middleware{
		RequestID,
		AccessLog(logger),
		SecurityHeaders(SecurityHeadersOptions{}),
	}
}
