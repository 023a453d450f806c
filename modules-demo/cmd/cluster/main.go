// Command cluster runs several nodes of the SNS app behind a round-robin
// load balancer, all in this one process on loopback ports, to show
// sessions that any node can serve and that survive a node going down.
//
//	go run ./modules-demo/cmd/cluster                  # 3 nodes sharing one in-memory session store
//	go run ./modules-demo/cmd/cluster -redis-server    # start a local redis-server and share sessions through it
//	go run ./modules-demo/cmd/cluster -redis localhost:6379
//
// Open http://localhost:8080, sign up, and watch the footer (or the X-Node
// response header, or this program's log) name the node that served each
// request. Stop a node at http://localhost:8080/_cluster, or with
//
//	curl -X POST localhost:8080/_cluster/nodes/2/stop
//
// and keep using the app: nobody is logged out. Start it again with
// .../start.
//
// In memory mode the nodes share one MemoryStore object, which only works
// inside one process; with Redis each node has its own Redis client and
// near cache, exactly as separate processes on separate machines would.
// The users, posts and follows are always shared in memory: they stand in
// for the database a real deployment would have.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strconv"

	"github.com/serverdev/stdweb/httpserver"
	"github.com/serverdev/stdweb/modules-demo/internal/password"
	"github.com/serverdev/stdweb/modules-demo/internal/setup"
	"github.com/serverdev/stdweb/modules-demo/internal/social"
	"github.com/serverdev/stdweb/sessioncache"
)

type config struct {
	addr        string
	nodes       int
	redis       string
	redisServer bool
	verbose     bool
	secret      string
	hasher      password.Hasher // tests lower its cost
}

func main() {
	setup.Main(parseConfig, func(ctx context.Context, cfg config, log *slog.Logger) error {
		return run(ctx, cfg, log, nil)
	})
}

func parseConfig(args []string, getenv func(string) string, out io.Writer) (config, error) {
	cfg := config{secret: getenv("SECRET")}
	fs := flag.NewFlagSet("cluster", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&cfg.addr, "addr", "localhost:8080", "load balancer listen `address`")
	fs.IntVar(&cfg.nodes, "n", 3, "number of app nodes")
	fs.StringVar(&cfg.redis, "redis", getenv("REDIS"), "`host:port` of a Redis to share sessions through ($REDIS)")
	fs.BoolVar(&cfg.redisServer, "redis-server", false, "start a local redis-server (if installed) and share sessions through it")
	fs.BoolVar(&cfg.verbose, "v", false, "show the nodes' own logs (access logs, lifecycle)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if cfg.nodes < 1 || cfg.nodes > 16 {
		fmt.Fprintln(out, "-n must be between 1 and 16")
		return cfg, errors.New("bad -n")
	}
	return cfg, nil
}

// run starts the nodes and the balancer and serves until ctx ends. When
// started is not nil it receives the balancer's address once it listens.
func run(ctx context.Context, cfg config, log *slog.Logger, started chan<- net.Addr) error {
	keys, err := setup.Keys(cfg.secret, log)
	if err != nil {
		return err
	}
	nodeLog := slog.New(slog.DiscardHandler)
	if cfg.verbose {
		nodeLog = log
	}
	sh := &shared{social: social.New(social.Options{}), keys: keys, hasher: cfg.hasher, log: log, nodeLog: nodeLog, redis: cfg.redis}

	if cfg.redisServer && sh.redis == "" {
		rs, err := setup.StartRedis(ctx)
		if err != nil {
			return err
		}
		defer rs.Stop()
		sh.redis = rs.Addr
		log.Info("started redis-server", "addr", rs.Addr)
	}
	if sh.redis == "" {
		sh.memStore = sessioncache.NewMemoryStore(sessioncache.MemoryOptions{})
		defer sh.memStore.Close()
		log.Info("sessions in one in-memory store shared by the nodes (use -redis-server or -redis for Redis)")
	} else {
		log.Info("sessions in redis; each node has its own client", "addr", sh.redis)
	}

	lb := &balancer{log: log}
	defer lb.shutdown()
	for i := range cfg.nodes {
		n := &node{name: strconv.Itoa(i + 1), shared: sh}
		if err := n.start(); err != nil {
			return err
		}
		n.url = &url.URL{Scheme: "http", Host: n.addr}
		n.proxy = lb.newProxy(n)
		lb.nodes = append(lb.nodes, n)
	}
	hctx, stopHealth := context.WithCancel(ctx)
	defer stopHealth()
	if !lb.waitHealthy(hctx, readyTimeout) {
		log.Warn("not every node is ready; the balancer starts with those that are")
	}
	go lb.checkHealth(hctx, healthInterval)

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	srv := &httpserver.Server{Listener: ln, Logger: log}
	rt := lb.routes(log)
	rt.Handle("GET /healthz", srv.Healthz())
	srv.Handler = rt
	log.Info("load balancer listening", "url", "http://"+ln.Addr().String(), "nodes", cfg.nodes,
		"control", "http://"+ln.Addr().String()+"/_cluster")
	if started != nil {
		started <- ln.Addr()
	}
	return srv.Run(ctx)
}
