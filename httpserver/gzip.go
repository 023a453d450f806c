package httpserver

import (
	"compress/gzip"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// GzipOptions configures Gzip. The zero value is ready to use.
type GzipOptions struct {
	// Level is the compression level; 0 means gzip.DefaultCompression.
	Level int
	// MinSize is the smallest body worth compressing; 0 means 1024 bytes.
	// Bodies that are flushed early are compressed whatever their size.
	MinSize int
}

// Gzip returns middleware that compresses responses with gzip for clients
// that accept it. It adds "Vary: Accept-Encoding" to every response, so
// caches keep the two forms apart, and compresses only responses that
// gain from it: text, JSON, JavaScript, XML, SVG and WebAssembly bodies of at
// least MinSize bytes, never 1xx/204/206/304 responses, responses that
// already have a Content-Encoding, or range responses. A HEAD response gets
// the headers the GET would get: its body, if the handler writes one, is
// compressed and dropped by net/http, and a handler that writes none but
// sets Content-Type and Content-Length (as http.ServeContent does) gets
// the Content-Encoding its GET would have. A
// strong ETag of a compressed response is made weak, because the bytes are
// no longer those it named. Flush works: what was written so far is
// compressed and sent.
func Gzip(opts GzipOptions) Middleware {
	level := opts.Level
	if level == 0 {
		level = gzip.DefaultCompression
	}
	if _, err := gzip.NewWriterLevel(io.Discard, level); err != nil {
		level = gzip.DefaultCompression
	}
	minSize := opts.MinSize
	if minSize <= 0 {
		minSize = 1024
	}
	pool := &sync.Pool{New: func() any {
		zw, _ := gzip.NewWriterLevel(io.Discard, level)
		return zw
	}}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			addVary(w.Header(), "Accept-Encoding")
			if !acceptsGzip(r.Header.Values("Accept-Encoding")) {
				next.ServeHTTP(w, r)
				return
			}
			gw := &gzipWriter{ResponseWriter: w, pool: pool, minSize: minSize, head: r.Method == http.MethodHead}
			next.ServeHTTP(gw, r)
			gw.close()
		})
	}
}

func addVary(h http.Header, token string) {
	for _, v := range h.Values("Vary") {
		if containsToken(v, token) || strings.TrimSpace(v) == "*" {
			return
		}
	}
	h.Add("Vary", token)
}

// acceptsGzip reports whether Accept-Encoding values allow gzip.
func acceptsGzip(values []string) bool {
	gzipQ, starQ := -1.0, -1.0
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			name, params, _ := strings.Cut(part, ";")
			name = strings.ToLower(strings.TrimSpace(name))
			q := 1.0
			if k, val, ok := strings.Cut(strings.TrimSpace(params), "="); ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil {
					q = f
				} else {
					q = 0
				}
			}
			switch name {
			case "gzip", "x-gzip":
				gzipQ = max(gzipQ, q)
			case "*":
				starQ = max(starQ, q)
			}
		}
	}
	if gzipQ >= 0 {
		return gzipQ > 0
	}
	return starQ > 0
}

// compressible reports whether a Content-Type is worth compressing.
func compressible(ct string) bool {
	ct, _, _ = strings.Cut(ct, ";")
	ct = strings.ToLower(strings.TrimSpace(ct))
	switch {
	case strings.HasPrefix(ct, "text/"),
		strings.HasSuffix(ct, "+json"), strings.HasSuffix(ct, "+xml"),
		strings.HasSuffix(ct, "/json"), strings.HasSuffix(ct, "/xml"),
		strings.HasSuffix(ct, "/javascript"), strings.HasSuffix(ct, "/ecmascript"),
		ct == "application/x-ndjson", ct == "application/wasm", ct == "image/svg+xml":
		return true
	}
	return false
}

type gzipWriter struct {
	http.ResponseWriter
	pool    *sync.Pool
	minSize int
	head    bool // a HEAD request: the body is dropped by net/http
	heldStatus
	buf     []byte
	decided bool
	zw      *gzip.Writer
}

func (g *gzipWriter) started() bool               { return g.status != 0 }
func (g *gzipWriter) Unwrap() http.ResponseWriter { return g.ResponseWriter }

func (g *gzipWriter) WriteHeader(code int) {
	if g.hold(g.ResponseWriter, code, g.decided) {
		g.decideFromHeaders()
	}
}

// decideFromHeaders decides what it can from the status and headers alone.
func (g *gzipWriter) decideFromHeaders() {
	h := g.Header()
	switch {
	case g.status < 200, g.status == http.StatusNoContent, g.status == http.StatusNotModified,
		g.status == http.StatusPartialContent,
		h.Get("Content-Encoding") != "", h.Get("Content-Range") != "",
		h.Get("Content-Type") != "" && !compressible(h.Get("Content-Type")):
		g.decide(false)
	default:
		if cl := h.Get("Content-Length"); cl != "" {
			if n, err := strconv.Atoi(cl); err == nil && n < g.minSize {
				g.decide(false)
			}
		}
	}
}

func (g *gzipWriter) decide(compress bool) {
	g.decided = true
	h := g.Header()
	addVary(h, "Accept-Encoding") // again: the handler may have replaced Vary
	if compress {
		if h.Get("Content-Type") == "" {
			h.Set("Content-Type", http.DetectContentType(g.buf))
			if !compressible(h.Get("Content-Type")) {
				compress = false
			}
		}
	}
	if compress {
		h.Del("Content-Length")
		h.Set("Content-Encoding", "gzip")
		if et := h.Get("Etag"); et != "" && !strings.HasPrefix(et, "W/") {
			h.Set("Etag", "W/"+et)
		}
		g.zw = g.pool.Get().(*gzip.Writer)
		g.zw.Reset(g.ResponseWriter)
	}
	g.send(g.ResponseWriter)
	if len(g.buf) > 0 {
		buf := g.buf
		g.buf = nil
		g.write(buf)
	}
}

func (g *gzipWriter) write(p []byte) (int, error) {
	if g.zw != nil {
		return g.zw.Write(p)
	}
	return g.ResponseWriter.Write(p)
}

func (g *gzipWriter) Write(p []byte) (int, error) {
	if g.status == 0 {
		g.status = http.StatusOK
		g.decideFromHeaders()
	}
	if g.decided {
		return g.write(p)
	}
	g.buf = append(g.buf, p...)
	if len(g.buf) >= g.minSize {
		g.decide(true)
	}
	return len(p), nil
}

func (g *gzipWriter) Flush() {
	if g.status == 0 {
		g.status = http.StatusOK
		g.decideFromHeaders()
	}
	if !g.decided {
		g.decide(true)
	}
	if g.zw != nil {
		g.zw.Flush()
	}
	_ = http.NewResponseController(g.ResponseWriter).Flush()
}

// close finishes the response after the handler returned.
func (g *gzipWriter) close() {
	if g.status == 0 {
		return // nothing written: the Router answers for it
	}
	if !g.decided {
		// A small body is not worth compressing. A HEAD response without a
		// body that got this far has a compressible Content-Type and a
		// Content-Length of at least minSize (decideFromHeaders ruled out
		// the rest): its GET would be compressed.
		h := g.Header()
		g.decide(g.head && len(g.buf) == 0 && h.Get("Content-Type") != "" && h.Get("Content-Length") != "")
	}
	if g.zw != nil {
		g.zw.Close()
		g.zw.Reset(io.Discard)
		g.pool.Put(g.zw)
		g.zw = nil
	}
}

// heldStatus is the status of a response that a buffering wrapper has not
// sent yet, and the first superfluous status to pass on after it, so the
// Router still sees and logs it.
type heldStatus struct {
	status int
	late   int
}

// hold takes a WriteHeader call. Informational statuses, and every status
// once the response was sent, go straight to w. hold reports whether code
// is the response's status.
func (s *heldStatus) hold(w http.ResponseWriter, code int, sent bool) (first bool) {
	switch {
	case code >= 100 && code <= 199 && code != http.StatusSwitchingProtocols, sent:
		w.WriteHeader(code)
	case s.status != 0:
		if s.late == 0 {
			s.late = code
		}
	default:
		s.status = code
		return true
	}
	return false
}

// send writes the held status to w.
func (s *heldStatus) send(w http.ResponseWriter) {
	w.WriteHeader(s.status)
	if s.late != 0 {
		w.WriteHeader(s.late)
	}
}
