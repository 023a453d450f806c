// Command server is step 2 of the learning path: an HTTP server with the
// httpserver module.
//
//	go run ./modules-demo/cmd/server
//	curl localhost:8080/hello/gopher
//	curl -i localhost:8080/hello/x       # a handler's error becomes a 400 with a readable body
//	curl -i localhost:8080/nope          # 404 from the router, as JSON for curl, HTML for a browser
//	curl localhost:8080/slow & sleep 1; kill -INT <pid>   # the slow request still completes
//
// What it shows:
//   - httpserver.Server: timeouts set by default (net/http has none), and
//     Run(ctx), which serves until ctx ends and then drains: /readyz turns
//     503, in-flight requests finish, then Run returns.
//   - httpserver.Router: http.ServeMux patterns ("GET /hello/{name}") and
//     handlers that return an error instead of writing one by hand.
//   - Middleware as plain func(http.Handler) http.Handler: request IDs and
//     one access-log line per request through log/slog.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/serverdev/stdweb/httpserver"
)

func main() {
	addr := flag.String("addr", "localhost:8080", "listen address")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))

	// The context ends on Ctrl-C (SIGINT) or on SIGTERM, the signal
	// container platforms send before they stop a process.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	srv := &httpserver.Server{Addr: *addr, Logger: log}
	srv.Handler = newHandler(srv, log, 3*time.Second)
	log.Info("try: curl localhost:8080/hello/gopher", "addr", *addr)
	if err := srv.Run(ctx); err != nil {
		log.Error("server stopped", "err", err)
		os.Exit(1)
	}
}

// newHandler returns the routes. srv provides the health endpoints; slow
// is how long /slow takes.
func newHandler(srv *httpserver.Server, log *slog.Logger, slow time.Duration) *httpserver.Router {
	rt := httpserver.NewRouter(httpserver.RouterOptions{Logger: log})
	// Middleware first, then routes: Use applies to routes registered after it.
	rt.Use(httpserver.RequestID, httpserver.AccessLog(log))

	// A handler returns an error; the router writes the response for it.
	rt.HandleFunc("GET /hello/{name}", func(w http.ResponseWriter, r *http.Request) error {
		name := r.PathValue("name")
		if len(name) < 2 {
			// An *httpserver.Error carries the status and the message the
			// client sees. Any other error becomes a 500 whose detail is
			// logged, never shown.
			return httpserver.Errorf(http.StatusBadRequest, "a name has at least 2 characters, %q has %d", name, len(name))
		}
		return httpserver.WriteJSON(w, http.StatusOK, map[string]string{"hello": name})
	})

	// A slow request: stop the server while it runs, and it still finishes.
	rt.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) error {
		select {
		case <-time.After(slow):
		case <-r.Context().Done(): // the client went away
			return r.Context().Err()
		}
		_, err := fmt.Fprintf(w, "done after %s\n", slow)
		return err
	})

	// Liveness and readiness for a load balancer or an orchestrator.
	rt.Handle("GET /healthz", srv.Healthz())
	rt.Handle("GET /readyz", srv.Readyz())
	return rt
}
