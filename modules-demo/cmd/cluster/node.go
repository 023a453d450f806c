package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/rueidis"
	"github.com/serverdev/stdweb/cookies"
	"github.com/serverdev/stdweb/httpserver"
	"github.com/serverdev/stdweb/modules-demo/internal/password"
	"github.com/serverdev/stdweb/modules-demo/internal/setup"
	"github.com/serverdev/stdweb/modules-demo/internal/sns"
	"github.com/serverdev/stdweb/modules-demo/internal/social"
	"github.com/serverdev/stdweb/sessioncache"
	"github.com/serverdev/stdweb/sessioncache/redisstore"
)

// drainDelay is how long a stopping node keeps serving with /readyz at
// 503: longer than the balancer's health-check interval, so the balancer
// stops sending it requests before its listener closes.
//
// readyTimeout bounds how long the balancer waits, at start, for every node
// to answer /readyz.
const (
	healthInterval = 200 * time.Millisecond
	drainDelay     = 3 * healthInterval
	readyTimeout   = 10 * time.Second
)

// shared is what every node of the cluster uses: the social data (the
// stand-in for a database), the cookie keys and, in memory mode, the
// session store.
type shared struct {
	social   *social.Store
	keys     *cookies.KeyRing
	memStore *sessioncache.MemoryStore // nil when sessions are in Redis
	redis    string                    // Redis address, when sessions are in Redis
	hasher   password.Hasher
	log      *slog.Logger // the cluster's own log: node starts and stops
	nodeLog  *slog.Logger // the nodes' logs (access logs), quiet without -v
}

// node is one app server of the cluster: an sns.App on its own loopback
// port, with its own session Manager, timeline cache and (with Redis) its
// own Redis client, as if it were a separate process.
type node struct {
	name   string
	addr   string // 127.0.0.1:port, kept across restarts
	url    *url.URL
	proxy  *httputil.ReverseProxy
	shared *shared

	healthy atomic.Bool // the balancer's view, from /readyz
	running atomic.Bool // started and not yet drained

	mu   sync.Mutex // serializes start and shutdown
	stop context.CancelFunc
	done chan error
}

// start runs the node until stop is called. A stopped node can start
// again, on the same port, with a fresh app (empty cache, new Redis
// client), like a restarted process.
func (n *node) start() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.running.Load() {
		return nil
	}
	addr := n.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("node %s: %w", n.name, err)
	}
	if n.addr == "" {
		n.addr = ln.Addr().String() // a restart listens on the same port
	}
	log := n.shared.nodeLog.With("node", n.name)

	var store sessioncache.Store = n.shared.memStore
	var client rueidis.Client
	var ready func(context.Context) error
	if n.shared.redis != "" {
		// Each node has its own client, with its own near cache that Redis
		// keeps coherent: what separate processes would have.
		if client, err = setup.Redis(context.Background(), n.shared.redis); err != nil {
			ln.Close()
			return fmt.Errorf("node %s: %w", n.name, err)
		}
		store = redisstore.New(client, redisstore.Options{})
		ready = func(ctx context.Context) error { return setup.Ping(ctx, client) }
	}
	app, err := sns.New(sns.Config{
		Social:          n.shared.social,
		SessionStore:    store,
		Keys:            n.shared.keys,
		Hasher:          n.shared.hasher,
		InsecureCookies: true,
		Node:            n.name,
		Logger:          log,
	})
	if err != nil {
		ln.Close()
		if client != nil {
			client.Close()
		}
		return err
	}
	srv := &httpserver.Server{Listener: ln, Logger: log, ReadyCheck: ready, DrainDelay: drainDelay}
	srv.Handler = app.Handler(srv)

	ctx, cancel := context.WithCancel(context.Background())
	n.stop, n.done = cancel, make(chan error, 1)
	n.running.Store(true)
	go func() {
		err := srv.Run(ctx)
		app.Close()
		if client != nil {
			client.Close()
		}
		n.done <- err
	}()
	n.shared.log.Info("node started", "node", n.name, "addr", n.addr)
	return nil
}

// shutdown stops the node gracefully and waits until it has drained. The
// balancer is not told: it sees /readyz turn 503 during the drain delay, as
// a real load balancer would.
func (n *node) shutdown() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.running.Load() {
		return nil
	}
	n.stop()
	err := <-n.done
	n.running.Store(false)
	n.healthy.Store(false)
	if err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("node %s: %w", n.name, err)
	}
	n.shared.log.Info("node stopped", "node", n.name)
	return nil
}
