package setup

import (
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/serverdev/stdweb/httpserver"
	"github.com/serverdev/stdweb/httpserver/dotenv"
)

// Main is the main function of a demo program that serves until SIGINT
// (Ctrl-C) or SIGTERM. It loads .env from the working directory if there
// is one (variables already in the environment win), reads the settings
// with parse (flags from the command line, defaults from the environment),
// and calls run with a context that ends on the first signal, so that the
// server drains gracefully. It exits with status 2 for bad flags and 1 when
// run fails.
func Main[C any](parse func(args []string, getenv func(string) string, out io.Writer) (C, error),
	run func(ctx context.Context, cfg C, log *slog.Logger) error) {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := dotenv.LoadIfExists(".env"); err != nil {
		log.Error("read .env", "err", err)
		os.Exit(1)
	}
	cfg, err := parse(os.Args[1:], os.Getenv, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	} else if err != nil {
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, log); err != nil {
		log.Error("stopped", "err", err)
		stop()
		os.Exit(1)
	}
}

// Serve is the main function of the small step programs (cmd/cookies,
// cmd/sessions, cmd/cache): it reads the -addr flag (default
// localhost:8080) and .env if there is one, builds the handler with build, and serves it with an
// httpserver.Server until SIGINT or SIGTERM, then drains gracefully and
// calls cleanup. cmd/server spells these steps out one by one.
func Serve(build func(log *slog.Logger) (h http.Handler, cleanup func(), err error)) {
	addr := flag.String("addr", "localhost:8080", "listen address")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := dotenv.LoadIfExists(".env"); err != nil {
		log.Error("read .env", "err", err)
		os.Exit(1)
	}
	h, cleanup, err := build(log)
	if err != nil {
		log.Error("start", "err", err)
		os.Exit(1)
	}
	if cleanup != nil {
		defer cleanup()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv := &httpserver.Server{Addr: *addr, Logger: log, Handler: h}
	log.Info("open http://" + *addr)
	if err := srv.Run(ctx); err != nil {
		log.Error("server stopped", "err", err)
		stop()
		if cleanup != nil {
			cleanup()
		}
		os.Exit(1)
	}
}
