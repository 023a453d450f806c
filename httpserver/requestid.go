package httpserver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
)

type requestIDKey struct{}

// RequestIDOptions configures RequestIDWith. The zero value is ready to use.
type RequestIDOptions struct {
	// Header is the request and response header that carries the ID.
	// "" means "X-Request-ID".
	Header string
	// Generate makes a new ID. Nil means 16 random bytes in hex.
	Generate func() string
}

// RequestID is RequestIDWith(RequestIDOptions{}).
func RequestID(next http.Handler) http.Handler {
	return RequestIDWith(RequestIDOptions{})(next)
}

// RequestIDWith returns middleware that gives every request an ID: the
// incoming header when it is sane (1 to 128 characters from letters, digits
// and "-_.:/+="), a new one otherwise. The ID goes into the request context
// (see RequestIDFrom), into the response header, and into the Router's logs
// for the request.
func RequestIDWith(opts RequestIDOptions) Middleware {
	header := cmpOr(opts.Header, "X-Request-ID")
	gen := opts.Generate
	if gen == nil {
		gen = newRequestID
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id := r.Header.Get(header)
			if !saneRequestID(id) {
				id = gen()
			}
			w.Header().Set(header, id)
			if t := findTracker(w); t != nil {
				t.requestID = id
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
		})
	}
}

// RequestIDFrom returns the request ID that RequestID put in ctx, or "".
func RequestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

func saneRequestID(id string) bool {
	if len(id) == 0 || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '-' || c == '_' || c == '.' || c == ':' || c == '/' || c == '+' || c == '=':
		default:
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
