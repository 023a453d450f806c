package httpserver

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults applied by Server for zero fields. net/http itself has no
// timeouts, which lets slow clients hold connections forever.
const (
	DefaultAddr              = ":8080"
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = 60 * time.Second
	DefaultWriteTimeout      = 60 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
	DefaultMaxHeaderBytes    = 64 << 10
	DefaultShutdownTimeout   = 20 * time.Second
)

// ErrServerStarted is returned by Run when the Server already ran.
var ErrServerStarted = errors.New("httpserver: server already started")

// Server runs an http.Server with safe defaults and a graceful shutdown.
// Zero durations and sizes take the Default values above; a negative
// duration means no limit, a negative MaxHeaderBytes net/http's own default
// (1 MiB). Use a Server once.
type Server struct {
	// Addr is the TCP address to listen on; "" means DefaultAddr.
	// Ignored when Listener is set.
	Addr string
	// Listener, when set, is served instead of listening on Addr. Run
	// owns it: it is closed when Run returns, also when Run fails before
	// serving, as http.Server.Serve does.
	Listener net.Listener
	// Handler serves requests. A handler with an Err() error method (such as
	// *Router) must report no error, or Run refuses to start.
	Handler http.Handler
	// TLSConfig, when set with certificates, serves HTTPS (and HTTP/2).
	TLSConfig *tls.Config

	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	MaxHeaderBytes    int

	// DrainDelay is how long Run keeps serving, with Readyz answering 503
	// and keep-alive turned off, after ctx ends and before it stops
	// accepting connections. Behind a load balancer set it longer than the
	// balancer's readiness probe interval, so no new request is sent to a
	// closed listener. Zero means stop accepting at once.
	DrainDelay time.Duration
	// ShutdownTimeout bounds the wait for in-flight requests after the
	// listener closed; zero means DefaultShutdownTimeout.
	ShutdownTimeout time.Duration

	// ReadyCheck, when set, must return nil for Readyz to answer 200.
	ReadyCheck func(context.Context) error

	// Logger receives lifecycle and net/http error logs; nil means
	// slog.Default().
	Logger *slog.Logger

	state atomic.Int32
	addr  atomic.Pointer[net.Addr]

	mu       sync.Mutex
	newConns map[net.Conn]time.Time // accepted, no request read yet
	nNew     atomic.Int32           // len(newConns), read without mu
}

const (
	stateNew int32 = iota
	stateStarting
	stateServing
	stateDraining
	stateStopped
)

func orDefault[T int | time.Duration](v, def T) T {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}

func (s *Server) log() *slog.Logger {
	if s.Logger == nil {
		return slog.Default()
	}
	return s.Logger
}

// ListenAddr returns the address the server listens on once Run is
// serving (and Readyz answers 200), or nil before.
func (s *Server) ListenAddr() net.Addr {
	if a := s.addr.Load(); a != nil {
		return *a
	}
	return nil
}

// Run serves until ctx ends (pass signal.NotifyContext(ctx, os.Interrupt,
// syscall.SIGTERM)), then drains: Readyz turns 503, keep-alive is turned
// off, the server keeps serving for DrainDelay, stops accepting, and waits
// up to ShutdownTimeout for in-flight requests. Request contexts are not
// canceled by the drain. Run returns nil after a clean drain, an error
// wrapping context.DeadlineExceeded when requests were cut off, or the
// error that stopped serving.
func (s *Server) Run(ctx context.Context) error {
	if !s.state.CompareAndSwap(stateNew, stateStarting) {
		return ErrServerStarted
	}
	defer s.state.Store(stateStopped)
	if err := s.check(); err != nil {
		if s.Listener != nil {
			s.Listener.Close()
		}
		return err
	}
	ln := s.Listener
	if ln == nil {
		var err error
		ln, err = new(net.ListenConfig).Listen(ctx, "tcp", cmpOr(s.Addr, DefaultAddr))
		if err != nil {
			return fmt.Errorf("httpserver: %w", err)
		}
	}
	a := ln.Addr()
	log := s.log()
	hs := &http.Server{
		Handler:           s.Handler,
		TLSConfig:         s.TLSConfig,
		ReadHeaderTimeout: orDefault(s.ReadHeaderTimeout, DefaultReadHeaderTimeout),
		ReadTimeout:       orDefault(s.ReadTimeout, DefaultReadTimeout),
		WriteTimeout:      orDefault(s.WriteTimeout, DefaultWriteTimeout),
		IdleTimeout:       orDefault(s.IdleTimeout, DefaultIdleTimeout),
		MaxHeaderBytes:    orDefault(s.MaxHeaderBytes, DefaultMaxHeaderBytes),
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
		ConnState:         s.trackNew,
	}
	served := make(chan error, 1)
	go func() {
		if s.TLSConfig != nil {
			served <- hs.ServeTLS(ln, "", "")
		} else {
			served <- hs.Serve(ln)
		}
	}()
	s.state.Store(stateServing)
	s.addr.Store(&a)
	log.LogAttrs(ctx, slog.LevelInfo, "httpserver: serving", slog.String("addr", a.String()))

	select {
	case err := <-served:
		return fmt.Errorf("httpserver: serve: %w", err)
	case <-ctx.Done():
	}
	s.state.Store(stateDraining)
	log.LogAttrs(ctx, slog.LevelInfo, "httpserver: draining", slog.Duration("drain_delay", s.DrainDelay))
	hs.SetKeepAlivesEnabled(false)
	if s.DrainDelay > 0 {
		t := time.NewTimer(s.DrainDelay)
		select {
		case <-t.C:
		case err := <-served:
			t.Stop()
			return fmt.Errorf("httpserver: serve: %w", err)
		}
	}
	grace := orDefault(s.ShutdownTimeout, DefaultShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace)
	defer cancel()
	stopReaper := s.reapSilentConns(silentConnAge)
	defer stopReaper()
	if err := hs.Shutdown(sctx); err != nil {
		hs.Close()
		<-served
		return fmt.Errorf("httpserver: in-flight requests cut off after the %v shutdown timeout: %w", grace, err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("httpserver: serve: %w", err)
	}
	log.LogAttrs(ctx, slog.LevelInfo, "httpserver: stopped")
	return nil
}

// check reports a configuration that cannot serve.
func (s *Server) check() error {
	if s.Handler == nil {
		return errors.New("httpserver: Server.Handler is nil")
	}
	if e, ok := s.Handler.(interface{ Err() error }); ok {
		if err := e.Err(); err != nil {
			return fmt.Errorf("httpserver: handler not ready: %w", err)
		}
	}
	return nil
}

// silentConnAge is how long a connection may stay silent (accepted, no
// request) during shutdown before Run closes it. net/http waits 5 seconds for
// such connections, which clients' spare dials leave behind; a client that
// sends its request within this time is served.
const silentConnAge = 500 * time.Millisecond

// trackNew keeps the set of connections that have not sent a request yet.
// net/http calls it on every state change, twice per request on a
// keep-alive connection; those calls take no lock while no connection is
// new.
func (s *Server) trackNew(c net.Conn, state http.ConnState) {
	if state != http.StateNew && s.nNew.Load() == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if state == http.StateNew {
		if s.newConns == nil {
			s.newConns = make(map[net.Conn]time.Time)
		}
		s.newConns[c] = time.Now()
	} else {
		delete(s.newConns, c)
	}
	s.nNew.Store(int32(len(s.newConns)))
}

// reapSilentConns closes, until stopped, connections that have been silent
// for longer than age.
func (s *Server) reapSilentConns(age time.Duration) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(age / 5)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			s.mu.Lock()
			for c, since := range s.newConns {
				if time.Since(since) >= age {
					c.Close()
					delete(s.newConns, c)
				}
			}
			s.nNew.Store(int32(len(s.newConns)))
			s.mu.Unlock()
		}
	})
	return func() { close(done); wg.Wait() }
}

// Healthz returns the liveness handler: 200 "ok" while the process runs.
func (s *Server) Healthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		plain(w, http.StatusOK, "ok\n")
	})
}

// Readyz returns the readiness handler: 200 "ready" while Run serves and
// ReadyCheck passes, 503 before Run started, while draining and after.
func (s *Server) Readyz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch s.state.Load() {
		case stateNew, stateStarting:
			plain(w, http.StatusServiceUnavailable, "starting\n")
		case stateDraining:
			plain(w, http.StatusServiceUnavailable, "draining\n")
		case stateStopped:
			plain(w, http.StatusServiceUnavailable, "stopped\n")
		default:
			if s.ReadyCheck != nil {
				if err := s.ReadyCheck(r.Context()); err != nil {
					s.log().LogAttrs(r.Context(), slog.LevelWarn, "httpserver: not ready", slog.Any("error", err))
					plain(w, http.StatusServiceUnavailable, "not ready\n")
					return
				}
			}
			plain(w, http.StatusOK, "ready\n")
		}
	})
}

func plain(w http.ResponseWriter, status int, body string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write([]byte(body))
}
