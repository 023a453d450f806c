// Command sns is the stdweb showcase: a small social network (sign up,
// log in, post, follow, timeline) built from the stdweb modules.
//
//	go run ./modules-demo/cmd/sns                        # http://localhost:8080, everything in memory
//	go run ./modules-demo/cmd/sns -redis localhost:6379  # sessions in Redis
//
// Settings come from flags, then the environment, then a .env file in the
// working directory (the real environment wins over the file):
//
//	-addr   ADDR    listen address (default localhost:8080)
//	-redis  REDIS   host:port of a Redis for the sessions (default: in memory)
//	        SECRET  at least 32 bytes to derive the cookie keys from; random when unset
//	-secure-cookies mark cookies Secure (when served over HTTPS)
//
// The app itself is in package internal/sns; this file only wires it up:
// settings, the session store, the server.
// SIGINT (Ctrl-C) or SIGTERM stops it gracefully: readiness turns 503, the
// requests in flight finish, then the process exits.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"

	"github.com/serverdev/stdweb/httpserver"
	"github.com/serverdev/stdweb/modules-demo/internal/setup"
	"github.com/serverdev/stdweb/modules-demo/internal/sns"
	"github.com/serverdev/stdweb/modules-demo/internal/social"
	"github.com/serverdev/stdweb/sessioncache"
	"github.com/serverdev/stdweb/sessioncache/redisstore"
)

// config is what the flags and the environment set.
type config struct {
	addr          string
	redis         string
	secret        string
	secureCookies bool
}

func main() {
	setup.Main(parseConfig, func(ctx context.Context, cfg config, log *slog.Logger) error {
		return run(ctx, cfg, log, nil)
	})
}

// parseConfig reads the flags in args, with defaults from the environment.
func parseConfig(args []string, getenv func(string) string, out io.Writer) (config, error) {
	cfg := config{secret: getenv("SECRET")}
	fs := flag.NewFlagSet("sns", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&cfg.addr, "addr", or(getenv("ADDR"), "localhost:8080"), "listen `address` ($ADDR)")
	fs.StringVar(&cfg.redis, "redis", getenv("REDIS"), "`host:port` of a Redis to keep sessions in ($REDIS; default: in memory)")
	fs.BoolVar(&cfg.secureCookies, "secure-cookies", false, "mark cookies Secure (set it when served over HTTPS)")
	err := fs.Parse(args)
	return cfg, err
}

func or(s, def string) string {
	if s != "" {
		return s
	}
	return def
}

// run serves the app until ctx ends. When started is not nil it receives
// the listening address once the server accepts connections.
func run(ctx context.Context, cfg config, log *slog.Logger, started chan<- net.Addr) error {
	keys, err := setup.Keys(cfg.secret, log)
	if err != nil {
		return err
	}

	// The session store: in this process's memory, or in Redis so that
	// sessions outlive the process and several processes share them.
	var store sessioncache.Store
	var readyCheck func(context.Context) error
	if cfg.redis != "" {
		client, err := setup.Redis(ctx, cfg.redis)
		if err != nil {
			return err
		}
		defer client.Close()
		store = redisstore.New(client, redisstore.Options{})
		readyCheck = func(ctx context.Context) error { return setup.Ping(ctx, client) }
		log.Info("sessions in redis", "addr", cfg.redis)
	} else {
		mem := sessioncache.NewMemoryStore(sessioncache.MemoryOptions{})
		defer mem.Close()
		store = mem
	}

	app, err := sns.New(sns.Config{
		Social:          social.New(social.Options{}),
		SessionStore:    store,
		Keys:            keys,
		InsecureCookies: !cfg.secureCookies,
		Logger:          log,
	})
	if err != nil {
		return err
	}
	defer app.Close()

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	srv := &httpserver.Server{Listener: ln, Logger: log, ReadyCheck: readyCheck}
	srv.Handler = app.Handler(srv)
	log.Info("sns listening", "url", "http://"+ln.Addr().String())
	if started != nil {
		started <- ln.Addr()
	}
	if err := srv.Run(ctx); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
