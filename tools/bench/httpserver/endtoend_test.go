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
	s := &http.Server{Handler: mux}
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

// serveBareSameHeaders runs a bare http.Server whose handler sends the same
// response as the default stack: the security headers and an X-Request-ID
// of the same shape, set by hand, without logging. Against it the stack's
// figures show its own server-side cost, not the cost, paid by the
// in-process client as much as by the server, of the 6 extra response
// headers (about 300 bytes) that the bare handler does not send.
func serveBareSameHeaders(tb testing.TB, ln net.Listener) func() {
	var n atomic.Uint64
	security := [][2]string{
		{"X-Content-Type-Options", "nosniff"},
		{"Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"},
		{"X-Frame-Options", "DENY"},
		{"Referrer-Policy", "strict-origin-when-cross-origin"},
		{"Cross-Origin-Opener-Policy", "same-origin"},
	}
	return serveBareFunc(tb, ln, func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Request-Id", "9f86d081884c7d65-"+strconv.FormatUint(n.Add(1), 10))
		for _, kv := range security {
			h.Set(kv[0], kv[1])
		}
		apiHandler(w, r)
	})
}

// BenchmarkEndToEnd measures requests over loopback with keep-alive
// clients in the same process, one server at a time: "stack" is Server +
// Router + DefaultMiddleware, "router" is Server + Router; both against a
// bare http.Server with an http.ServeMux ("nethttp"). "samewire" is the
// stack again, against a bare server that sends the same response headers
// as the stack (see serveBareSameHeaders), so that both put the same bytes
// on the wire.
func BenchmarkEndToEnd(b *testing.B) {
	for _, impl := range []struct {
		name  string
		serve func(testing.TB, net.Listener) func()
	}{
		{"stack/ours", serveStack},
		{"stack/nethttp", serveBare},
		{"router/ours", serveRouter},
		{"router/nethttp", serveBare},
		{"samewire/ours", serveStack},
		{"samewire/nethttp", serveBareSameHeaders},
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
