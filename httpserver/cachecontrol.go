package httpserver

import (
	"net/http"
	"strconv"
	"time"
)

// Cache-Control values for common cases.
const (
	// CacheNoStore keeps responses out of every cache (private data).
	CacheNoStore = "no-store"
	// CacheRevalidate lets caches store a response but asks them to
	// revalidate it (with ETag or Last-Modified) before each use.
	CacheRevalidate = "no-cache"
	// CacheImmutable is for content-addressed files whose name changes
	// when their content does: cached for a year, never revalidated.
	CacheImmutable = "public, max-age=31536000, immutable"
)

// CachePublic returns "public, max-age=N" for shared caches.
func CachePublic(maxAge time.Duration) string {
	return "public, max-age=" + strconv.FormatInt(int64(maxAge/time.Second), 10)
}

// CachePrivate returns "private, max-age=N": the browser may cache, shared
// caches may not.
func CachePrivate(maxAge time.Duration) string {
	return "private, max-age=" + strconv.FormatInt(int64(maxAge/time.Second), 10)
}

// CacheControl returns middleware that sets Cache-Control to value on
// successful and redirect responses (status below 400) whose handler did not
// set one. Error responses are left alone, so a 404 or 500 is never cached
// for as long as the content it stands in for.
func CacheControl(value string) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(&cacheWriter{ResponseWriter: w, value: value}, r)
		})
	}
}

type cacheWriter struct {
	http.ResponseWriter
	value string
	wrote bool
}

func (c *cacheWriter) started() bool               { return c.wrote }
func (c *cacheWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

func (c *cacheWriter) WriteHeader(code int) {
	if !c.wrote && (code >= 200 || code == http.StatusSwitchingProtocols) {
		c.wrote = true
		if h := c.Header(); code < 400 && h.Get("Cache-Control") == "" {
			h.Set("Cache-Control", c.value)
		}
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *cacheWriter) Write(p []byte) (int, error) {
	if !c.wrote {
		c.WriteHeader(http.StatusOK)
	}
	return c.ResponseWriter.Write(p)
}

func (c *cacheWriter) Flush() {
	if !c.wrote {
		c.WriteHeader(http.StatusOK)
	}
	_ = http.NewResponseController(c.ResponseWriter).Flush()
}
