package httpserver

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/serverdev/stdweb/httpserver"
)

// body is a typical small API answer.
var body = []byte(`{"id":42,"name":"ann","posts":[1,2,3]}` + "\n")

func apiHandler(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

// serveStack runs the full default stack: Server (timeouts, drain), Router
// (exactly-one tracking, recovery, error rendering) and DefaultMiddleware
// (request ID, slog access log as JSON to io.Discard, security headers).
func serveStack(tb testing.TB, ln net.Listener) func() {
	return serveOurs(tb, ln, true)
}

// serveRouter runs Server and Router without middleware.
func serveRouter(tb testing.TB, ln net.Listener) func() {
	return serveOurs(tb, ln, false)
}

func serveOurs(tb testing.TB, ln net.Listener, middleware bool) func() {
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	rt := httpserver.NewRouter(httpserver.RouterOptions{Logger: logger})
	if middleware {
		rt.Use(httpserver.DefaultMiddleware(logger)...)
	}
	rt.Handle("GET /users/{id}", http.HandlerFunc(apiHandler))
	s := &httpserver.Server{Listener: ln, Handler: rt, Logger: logger}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	return func() {
		cancel()
		if err := <-done; err != nil {
			tb.Error(err)
		}
	}
}

// serveBare runs a bare http.Server with an http.ServeMux.
func serveBare(tb testing.TB, ln net.Listener) func() {
	return serveBareFunc(tb, ln, apiHandler)
}

// serveBareFunc runs a bare http.Server with an http.ServeMux that routes
// GET /users/{id} to handler.
func serveBareFunc(tb testing.TB, ln net.Listener, handler http.HandlerFunc) func() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", handler)
	return serveHTTPServer(tb, ln, &http.Server{Handler: mux})
}

// serveHTTPServer serves ln with s until the returned function is called.
func serveHTTPServer(tb testing.TB, ln net.Listener, s *http.Server) func() {
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Shutdown(ctx)
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			tb.Error(err)
		}
	}
}

// securityHeaders are the response headers of SecurityHeaders with its
// defaults, for the bare servers that send them by hand.
var securityHeaders = [][2]string{
	{"X-Content-Type-Options", "nosniff"},
	{"Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"},
	{"X-Frame-Options", "DENY"},
	{"Referrer-Policy", "strict-origin-when-cross-origin"},
	{"Cross-Origin-Opener-Policy", "same-origin"},
}

// serveBareSameHeaders runs a bare http.Server whose handler sends the same
// response as the default stack: the security headers and an X-Request-ID
// of the same shape, set by hand, without logging. Against it the stack's
// figures show its own server-side cost, not the cost, paid by the
// in-process client as much as by the server, of the 6 extra response
// headers (about 300 bytes) that the bare handler does not send.
func serveBareSameHeaders(tb testing.TB, ln net.Listener) func() {
	var n atomic.Uint64
	return serveBareFunc(tb, ln, func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Request-Id", "9f86d081884c7d65-"+strconv.FormatUint(n.Add(1), 10))
		for _, kv := range securityHeaders {
			h.Set(kv[0], kv[1])
		}
		apiHandler(w, r)
	})
}

type requestIDKey struct{}

// statusRecorder is the ResponseWriter wrapper a hand-written access log
// needs to learn the status and the size of the response.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(p []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(p)
	s.bytes += n
	return n, err
}

// serveBareEqualWork runs a bare http.Server that does by hand, and as
// cheaply as we know how, the work of the default stack: the same
// timeouts as Server's defaults, a request ID (the incoming one or a
// prefix and a counter) in the context and the response header, the five
// security headers, and one JSON slog line with the same attributes,
// handed to the slog.Handler directly as AccessLog does (Logger.LogAttrs
// would also capture the caller's program counter, a cost we do not want
// to count against the bare server). It has no exactly-one-response
// guarantee, no panic recovery and no error rendering: those are the
// Router's, and what the comparison prices.
func serveBareEqualWork(tb testing.TB, ln net.Listener) func() {
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	prefix := "9f86d081884c7d65-"
	var n atomic.Uint64
	security := make([][]string, len(securityHeaders))
	for i, kv := range securityHeaders {
		security[i] = []string{kv[1]}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", apiHandler)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if id == "" {
			id = prefix + strconv.FormatUint(n.Add(1), 10)
		}
		h := w.Header()
		h["X-Request-Id"] = []string{id}
		for i, kv := range securityHeaders {
			h[kv[0]] = security[i]
		}
		r = r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id))
		rec := &statusRecorder{ResponseWriter: w}
		mux.ServeHTTP(rec, r)
		took := time.Since(start)
		lr := slog.NewRecord(start.Add(took), slog.LevelInfo, "request", 0)
		lr.AddAttrs(
			slog.String("method", r.Method),
			slog.String("route", r.Pattern),
			slog.String("path", r.URL.Path),
			slog.Int("status", rec.status),
			slog.Int("bytes", rec.bytes),
			slog.Duration("duration", took),
			slog.String("request_id", id),
		)
		_ = logger.Handler().Handle(r.Context(), lr)
	})
	s := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: httpserver.DefaultReadHeaderTimeout,
		ReadTimeout:       httpserver.DefaultReadTimeout,
		WriteTimeout:      httpserver.DefaultWriteTimeout,
		IdleTimeout:       httpserver.DefaultIdleTimeout,
		MaxHeaderBytes:    httpserver.DefaultMaxHeaderBytes,
	}
	return serveHTTPServer(tb, ln, s)
}

// BenchmarkEndToEnd measures requests over loopback with keep-alive
// clients in the same process, one server at a time: "stack" is Server +
// Router + DefaultMiddleware, "router" is Server + Router; both against a
// bare http.Server with an http.ServeMux ("nethttp"). "equalwork" is the
// stack again, against a bare server that does the stack's work by hand
// (see serveBareEqualWork): the same response bytes, the same log line, the
// same timeouts.
func BenchmarkEndToEnd(b *testing.B) {
	for _, impl := range []struct {
		name  string
		serve func(testing.TB, net.Listener) func()
	}{
		{"stack/ours", serveStack},
		{"stack/nethttp", serveBare},
		{"router/ours", serveRouter},
		{"router/nethttp", serveBare},
		{"equalwork/ours", serveStack},
		{"equalwork/nethttp", serveBareEqualWork},
	} {
		b.Run(impl.name, func(b *testing.B) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			counted := &countingListener{Listener: ln}
			stop := impl.serve(b, counted)
			defer stop()
			const parallelism = 4
			clients := parallelism * runtime.GOMAXPROCS(0)
			defer func() {
				// Every client goroutine keeps its connection alive; more
				// connections than that would mean an implementation
				// closes them (Connection: close, no Content-Length), and
				// the comparison would measure TCP handshakes.
				if n := counted.accepted.Load(); n > int64(2*clients) {
					b.Errorf("%d connections for %d client goroutines: keep-alive is not working", n, clients)
				}
			}()
			tr := &http.Transport{MaxIdleConnsPerHost: clients}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
			url := "http://" + ln.Addr().String() + "/users/42"
			b.SetParallelism(parallelism)
			b.ReportAllocs()
			defer reportCPU(b)()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if !fetch(b, client, url) {
						return
					}
				}
			})
		})
	}
}

// countingListener counts the connections it accepts.
type countingListener struct {
	net.Listener
	accepted atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.accepted.Add(1)
	}
	return c, err
}

// fetch sends one GET and checks the answer, reporting failures to tb.
func fetch(tb testing.TB, client *http.Client, url string) bool {
	resp, err := client.Get(url)
	if err != nil {
		tb.Error(err)
		return false
	}
	n, _ := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || n != int64(len(body)) {
		tb.Errorf("status %d, %d bytes", resp.StatusCode, n)
		return false
	}
	return true
}
