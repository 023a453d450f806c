// Command sns is the stdweb showcase app. This first version serves a page
// that lists the modules of the workspace; the social app grows here as the
// modules land.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "localhost:8080", "listen address")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *addr, slog.New(slog.NewTextHandler(os.Stderr, nil))); err != nil {
		fmt.Fprintln(os.Stderr, "sns:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, addr string, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: newHandler(), ReadHeaderTimeout: 5 * time.Second}
	log.Info("listening", "url", "http://"+ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

type module struct{ Path, About string }

var page = template.Must(template.New("index").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>stdweb</title></head>
<body><h1>stdweb</h1><p>The modules of this workspace:</p><ul>
{{range .}}<li><code>{{.Path}}</code>: {{.About}}</li>
{{end}}</ul></body></html>
`))

func newHandler() http.Handler {
	modules := []module{
		{"github.com/serverdev/stdweb/httpserver", "the net/http server, router and middleware"},
		{"github.com/serverdev/stdweb/cookies", "cookie parsing, building, signing and encryption"},
		{"github.com/serverdev/stdweb/sessioncache", "HTTP sessions and the in-memory cache"},
		{"github.com/serverdev/stdweb/sessioncache/redisstore", "sessions for a cluster of servers on Redis"},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := page.Execute(w, modules); err != nil {
			http.Error(w, "template error", http.StatusInternalServerError)
		}
	})
	return mux
}
