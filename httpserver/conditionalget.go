package httpserver

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"time"
)

// ConditionalGETOptions configures ConditionalGET. The zero value is ready
// to use.
type ConditionalGETOptions struct {
	// MaxBuffer is the largest body buffered to compute an ETag; larger or
	// flushed responses stream through unchanged. 0 means 1 MiB.
	MaxBuffer int
}

// ConditionalGET returns middleware that makes GET and HEAD responses
// cacheable by validation. It buffers a 200 response (up to MaxBuffer),
// gives it a strong ETag computed from its body unless the handler set an
// ETag, and answers 304 Not Modified when the request's If-None-Match
// matches the ETag, or, without If-None-Match, when If-Modified-Since is not
// older than the handler's Last-Modified. A 304 keeps Cache-Control,
// Content-Location, Date, ETag, Expires and Vary and drops the body
// headers. Buffered responses also get an exact Content-Length.
func ConditionalGET(opts ConditionalGETOptions) Middleware {
	maxBuf := opts.MaxBuffer
	if maxBuf <= 0 {
		maxBuf = 1 << 20
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				next.ServeHTTP(w, r)
				return
			}
			cw := &condWriter{ResponseWriter: w, max: maxBuf}
			next.ServeHTTP(cw, r)
			cw.finish(r)
		})
	}
}

type condWriter struct {
	http.ResponseWriter
	max int
	heldStatus
	buf       bytes.Buffer
	streaming bool
}

func (c *condWriter) started() bool               { return c.status != 0 }
func (c *condWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

func (c *condWriter) WriteHeader(code int) {
	c.hold(c.ResponseWriter, code, c.streaming)
}

func (c *condWriter) Write(p []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	if !c.streaming && c.buf.Len()+len(p) > c.max {
		c.stream()
	}
	if c.streaming {
		return c.ResponseWriter.Write(p)
	}
	return c.buf.Write(p)
}

// stream gives up buffering: it sends what it has and passes the rest on.
func (c *condWriter) stream() {
	c.streaming = true
	c.send(c.ResponseWriter)
	if c.buf.Len() > 0 {
		c.ResponseWriter.Write(c.buf.Bytes())
		c.buf = bytes.Buffer{}
	}
}

func (c *condWriter) Flush() {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	if !c.streaming {
		c.stream()
	}
	_ = http.NewResponseController(c.ResponseWriter).Flush()
}

func (c *condWriter) finish(r *http.Request) {
	if c.streaming || c.status == 0 {
		return // streamed, or nothing written (the Router answers for it)
	}
	h := c.Header()
	if c.status == http.StatusOK {
		etag := h.Get("Etag")
		if etag == "" && (c.buf.Len() > 0 || r.Method == http.MethodGet) {
			sum := sha256.Sum256(c.buf.Bytes())
			etag = `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
			h.Set("Etag", etag)
		}
		if notModified(r, etag, h.Get("Last-Modified")) {
			for _, k := range [...]string{"Content-Type", "Content-Length", "Content-Encoding", "Transfer-Encoding", "Content-Range"} {
				delete(h, k)
			}
			if etag != "" {
				delete(h, "Last-Modified")
			}
			c.ResponseWriter.WriteHeader(http.StatusNotModified)
			return
		}
	}
	if c.buf.Len() > 0 && h.Get("Content-Length") == "" {
		h.Set("Content-Length", strconv.Itoa(c.buf.Len()))
	}
	c.send(c.ResponseWriter)
	if c.buf.Len() > 0 {
		c.ResponseWriter.Write(c.buf.Bytes())
	}
}

// notModified evaluates If-None-Match, or else If-Modified-Since (RFC 9110
// section 13.2.2) for a GET or HEAD whose response would be 200.
func notModified(r *http.Request, etag, lastModified string) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		return etag != "" && etagMatch(inm, etag)
	}
	ims := r.Header.Get("If-Modified-Since")
	if ims == "" || lastModified == "" {
		return false
	}
	since, err := http.ParseTime(ims)
	if err != nil {
		return false
	}
	mod, err := http.ParseTime(lastModified)
	if err != nil {
		return false
	}
	return !mod.Truncate(time.Second).After(since)
}

// etagMatch reports whether an If-None-Match list matches etag by the weak
// comparison: "*" or an entity-tag with the same opaque value.
func etagMatch(list, etag string) bool {
	want := opaqueTag(etag)
	for list != "" {
		list = trimLeftSpaceComma(list)
		if list == "" {
			break
		}
		if list[0] == '*' {
			return true
		}
		if len(list) >= 2 && list[:2] == "W/" {
			list = list[2:]
		}
		if list == "" || list[0] != '"' {
			return false // malformed: no match
		}
		end := 1
		for end < len(list) && list[end] != '"' {
			end++
		}
		if end == len(list) {
			return false
		}
		if list[:end+1] == want {
			return true
		}
		list = list[end+1:]
	}
	return false
}

func opaqueTag(etag string) string {
	if len(etag) >= 2 && etag[:2] == "W/" {
		return etag[2:]
	}
	return etag
}

func trimLeftSpaceComma(s string) string {
	for s != "" && (s[0] == ' ' || s[0] == '\t' || s[0] == ',') {
		s = s[1:]
	}
	return s
}
