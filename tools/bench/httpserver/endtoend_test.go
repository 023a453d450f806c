package httpserver

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
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
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", apiHandler)
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

// BenchmarkEndToEnd measures requests over loopback with keep-alive
// clients in the same process, one server at a time: "stack" is Server +
// Router + DefaultMiddleware, "router" is Server + Router; both against a
// bare http.Server with an http.ServeMux ("nethttp").
func BenchmarkEndToEnd(b *testing.B) {
	for _, impl := range []struct {
		name  string
		serve func(testing.TB, net.Listener) func()
	}{
		{"stack/ours", serveStack},
		{"stack/nethttp", serveBare},
		{"router/ours", serveRouter},
		{"router/nethttp", serveBare},
	} {
		b.Run(impl.name, func(b *testing.B) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			stop := impl.serve(b, ln)
			defer stop()
			const parallelism = 4
			tr := &http.Transport{MaxIdleConnsPerHost: parallelism * runtime.GOMAXPROCS(0)}
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
