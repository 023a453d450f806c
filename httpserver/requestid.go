package httpserver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strconv"
	"sync/atomic"
)

type requestIDKey struct{}

// RequestIDOptions configures RequestIDWith. The zero value is ready to use.
type RequestIDOptions struct {
	// Header is the request and response header that carries the ID.
	// "" means "X-Request-ID".
	Header string
	// Generate makes a new ID. Nil means a random 16-hex-digit prefix,
	// fixed per middleware, a dash and a counter: unique across processes
	// and cheap to make. IDs are not secret and need not be unguessable.
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
	header := http.CanonicalHeaderKey(cmpOr(opts.Header, "X-Request-ID"))
	gen := opts.Generate
	if gen == nil {
		gen = newRequestIDs()
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id := r.Header.Get(header)
			if !saneRequestID(id) {
				id = gen()
			}
			// One allocation holds the context value and the header's
			// value slice (len == cap, so a later Add copies).
			ctx := withRequestID(r.Context(), id)
			w.Header()[header] = ctx.header[:]
			if t := findTracker(w); t != nil {
				t.requestID = id
			}
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// requestIDContext carries the request ID. It answers Value(requestIDKey{})
// with itself, a pointer, so neither storing nor looking up the ID boxes the
// string into an interface; everything else is the parent's, so
// cancellation and deadlines pass through unchanged.
type requestIDContext struct {
	context.Context
	id     string
	header [1]string
}

// withRequestID returns a child of parent that carries id.
func withRequestID(parent context.Context, id string) *requestIDContext {
	c := &requestIDContext{Context: parent, id: id}
	c.header[0] = id
	return c
}

func (c *requestIDContext) Value(key any) any {
	if key == (requestIDKey{}) {
		return c
	}
	return c.Context.Value(key)
}

// RequestIDFrom returns the request ID that RequestID put in ctx, or "".
func RequestIDFrom(ctx context.Context) string {
	if c, ok := ctx.Value(requestIDKey{}).(*requestIDContext); ok {
		return c.id
	}
	return ""
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

// newRequestIDs returns a generator of IDs like "9f86d081884c7d65-1".
func newRequestIDs() func() string {
	var seed [8]byte
	rand.Read(seed[:])
	prefix := hex.EncodeToString(seed[:]) + "-"
	var n atomic.Uint64
	return func() string {
		var b [40]byte
		return string(strconv.AppendUint(append(b[:0], prefix...), n.Add(1), 10))
	}
}
