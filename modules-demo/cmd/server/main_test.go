package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/serverdev/stdweb/httpserver"
)

func TestHandler(t *testing.T) {
	srv := &httpserver.Server{}
	h := newHandler(srv, slog.New(slog.DiscardHandler), time.Millisecond)
	if err := h.Err(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		code int
		want string
	}{
		{"/hello/gopher", 200, `{"hello":"gopher"}`},
		{"/hello/x", 400, "at least 2 characters"},
		{"/nope", 404, "Not Found"},
		{"/slow", 200, "done after 1ms"},
		{"/healthz", 200, "ok"},
		{"/readyz", 503, ""}, // not running yet
	}
	for _, tt := range tests {
		rec := httptestServe(h, "GET", tt.path)
		if rec.code != tt.code || !strings.Contains(rec.body, tt.want) {
			t.Errorf("GET %s = %d %q, want %d with %q", tt.path, rec.code, rec.body, tt.code, tt.want)
		}
	}
	if rec := httptestServe(h, "POST", "/hello/gopher"); rec.code != 405 {
		t.Errorf("POST: %d, want 405", rec.code)
	}
}

// TestGracefulShutdown stops the server while /slow runs: the request
// completes, and Run returns nil.
func TestGracefulShutdown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &httpserver.Server{Listener: ln, Logger: slog.New(slog.DiscardHandler)}
	h := newHandler(srv, slog.New(slog.DiscardHandler), 300*time.Millisecond)
	started := make(chan struct{})
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			close(started)
		}
		h.ServeHTTP(w, r)
	})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()

	type reply struct {
		body string
		err  error
	}
	got := make(chan reply, 1)
	go func() {
		res, err := http.Get("http://" + ln.Addr().String() + "/slow")
		if err != nil {
			got <- reply{err: err}
			return
		}
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		got <- reply{string(b), err}
	}()
	<-started // the request is in flight
	cancel()
	r := <-got
	if r.err != nil || !strings.Contains(r.body, "done after") {
		t.Fatalf("in-flight request during shutdown: %q, %v", r.body, r.err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
}
