package httpserver

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

func get(t *testing.T, c *http.Client, url string) (int, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServerReadinessAndDrain(t *testing.T) {
	log, _ := newLogger()
	s := &Server{Listener: listen(t), Logger: log, DrainDelay: 300 * time.Millisecond}
	rt := NewRouter(RouterOptions{Logger: log})
	rt.Handle("GET /healthz", s.Healthz())
	rt.Handle("GET /readyz", s.Readyz())
	release := make(chan struct{})
	started := make(chan struct{})
	rt.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) error {
		close(started)
		<-release
		io.WriteString(w, "slow done")
		return nil
	})
	s.Handler = rt
	base := "http://" + s.Listener.Addr().String()

	rec := &discardWriter{h: http.Header{}}
	s.Readyz().ServeHTTP(rec, nil)
	if rec.status != 503 {
		t.Errorf("readyz before Run: %d, want 503", rec.status)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	c := &http.Client{Timeout: 5 * time.Second}
	if code, _ := get(t, c, base+"/readyz"); code != 200 {
		t.Fatalf("readyz while serving: %d", code)
	}
	slow := make(chan string, 1)
	go func() {
		_, body := get(t, c, base+"/slow")
		slow <- body
	}()
	<-started
	cancel()
	// During the drain delay the server still serves, and says it is not ready.
	deadline := time.Now().Add(2 * time.Second)
	for {
		code, body := get(t, c, base+"/readyz")
		if code == 503 && strings.Contains(body, "draining") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("readyz never turned 503 while draining")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if code, _ := get(t, c, base+"/healthz"); code != 200 {
		t.Errorf("healthz while draining: %d", code)
	}
	close(release)
	if body := <-slow; body != "slow done" {
		t.Errorf("in-flight request got %q", body)
	}
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if err := s.Run(context.Background()); !errors.Is(err, ErrServerStarted) {
		t.Errorf("second Run: %v", err)
	}
}

func TestServerShutdownTimeout(t *testing.T) {
	log, _ := newLogger()
	started := make(chan struct{})
	unblock := make(chan struct{})
	defer close(unblock)
	s := &Server{Listener: listen(t), Logger: log, ShutdownTimeout: 100 * time.Millisecond,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			close(started)
			<-unblock
		})}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	go http.Get("http://" + s.Listener.Addr().String() + "/")
	<-started
	cancel()
	if err := <-done; !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Run = %v, want an error wrapping context.DeadlineExceeded", err)
	}
}

func TestServerRefusesBadRouter(t *testing.T) {
	rt := NewRouter(RouterOptions{})
	rt.Handle("GET /a/{x}", http.NotFoundHandler())
	rt.Handle("GET /a/{y}", http.NotFoundHandler())
	s := &Server{Listener: listen(t), Handler: rt}
	if err := s.Run(context.Background()); !errors.Is(err, ErrInvalidRoute) {
		t.Fatalf("Run = %v, want ErrInvalidRoute", err)
	}
	if err := (&Server{Listener: listen(t)}).Run(context.Background()); err == nil {
		t.Fatal("Run without a handler succeeded")
	}
	// Run owns the Listener even when it refuses to start: the port is
	// not left open with nobody accepting.
	if _, err := s.Listener.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Accept on the refused server's listener: %v, want net.ErrClosed", err)
	}
}

func TestServerDefaultTimeouts(t *testing.T) {
	// A client that never finishes its headers is cut off by
	// ReadHeaderTimeout, which net/http leaves unlimited by default.
	log, _ := newLogger()
	s := &Server{Listener: listen(t), Logger: log, ReadHeaderTimeout: 50 * time.Millisecond,
		Handler: http.NotFoundHandler()}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	defer func() { cancel(); <-done }()
	conn, err := net.Dial("tcp", s.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n") // never ends the headers
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err = io.ReadAll(conn)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("slow-header connection was not closed by the server")
	}
	if orDefault(0, DefaultReadHeaderTimeout) != DefaultReadHeaderTimeout || orDefault(-time.Second, time.Minute) != 0 {
		t.Error("orDefault does not apply defaults")
	}
}

// TestServerLoadDuringShutdown sends requests from keep-alive clients while
// the server is told to stop. The clients behave like a load balancer: they
// poll /readyz and send no new request once it answers 503; the server keeps
// serving for DrainDelay, longer than the poll interval. Every request sent
// must succeed, including ones in flight when the listener closes.
func TestServerLoadDuringShutdown(t *testing.T) {
	const (
		clients      = 8
		pollInterval = 10 * time.Millisecond
		drainDelay   = 400 * time.Millisecond
		maxRequests  = 20000
	)
	log, _ := newLogger()
	s := &Server{Listener: listen(t), Logger: log, DrainDelay: drainDelay, ShutdownTimeout: 5 * time.Second}
	rt := NewRouter(RouterOptions{Logger: log})
	rt.Handle("GET /readyz", s.Readyz())
	rt.HandleFunc("GET /work/{n}", func(w http.ResponseWriter, r *http.Request) error {
		if r.PathValue("n") == "slow" {
			time.Sleep(150 * time.Millisecond)
		}
		io.WriteString(w, "done")
		return nil
	})
	s.Handler = rt
	base := "http://" + s.Listener.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()

	tr := &http.Transport{MaxIdleConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	var (
		stop             atomic.Bool
		sent, ok, failed atomic.Int64
		firstErr         atomic.Value
		wg               sync.WaitGroup
		halfway          = make(chan struct{})
		halfwayOnce      sync.Once
	)
	do := func(path string) {
		sent.Add(1)
		resp, err := client.Get(base + path)
		if err == nil {
			var b []byte
			b, err = io.ReadAll(resp.Body)
			resp.Body.Close()
			if err == nil && (resp.StatusCode != 200 || string(b) != "done") {
				err = errors.New(resp.Status + " " + string(b))
			}
		}
		if err != nil {
			failed.Add(1)
			firstErr.CompareAndSwap(nil, err)
			return
		}
		if ok.Add(1) == 1000 {
			halfwayOnce.Do(func() { close(halfway) })
		}
	}
	for i := range clients {
		wg.Go(func() {
			for n := 0; !stop.Load() && sent.Load() < maxRequests; n++ {
				if i == 0 && n%50 == 0 {
					do("/work/slow")
				} else {
					do("/work/fast")
				}
			}
		})
	}
	// The balancer's readiness probe.
	wg.Go(func() {
		for !stop.Load() {
			resp, err := client.Get(base + "/readyz")
			if err != nil || resp.StatusCode != 200 {
				stop.Store(true)
			}
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			time.Sleep(pollInterval)
		}
	})
	select {
	case <-halfway:
	case <-time.After(10 * time.Second):
		t.Fatal("load never got going")
	}
	cancel()
	wg.Wait()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	t.Logf("sent %d, ok %d, failed %d", sent.Load(), ok.Load(), failed.Load())
	if failed.Load() != 0 {
		t.Fatalf("%d of %d requests failed during shutdown; first: %v", failed.Load(), sent.Load(), firstErr.Load())
	}
	if ok.Load() < 200 {
		t.Fatalf("only %d requests succeeded", ok.Load())
	}
}

// TestServerClosesSilentConnections: a connection that never sends a request
// (a client's spare dial) does not hold up shutdown for net/http's 5 seconds.
func TestServerClosesSilentConnections(t *testing.T) {
	log, _ := newLogger()
	s := &Server{Listener: listen(t), Logger: log, Handler: http.NotFoundHandler()}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	conn, err := net.Dial("tcp", s.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Make sure the server accepted it: a request on another connection.
	if code, _ := get(t, &http.Client{}, "http://"+s.Listener.Addr().String()+"/"); code != 404 {
		t.Fatalf("status %d", code)
	}
	start := time.Now()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("shutdown took %v with a silent connection open", d)
	}
}

func TestServerTLS(t *testing.T) {
	// Borrow httptest's certificate and a client that trusts it.
	ts := httptest.NewUnstartedServer(nil)
	ts.EnableHTTP2 = true
	ts.StartTLS()
	cfg := ts.TLS.Clone()
	client := ts.Client()
	ts.Close()

	log, _ := newLogger()
	rt := NewRouter(RouterOptions{Logger: log})
	rt.HandleFunc("GET /proto", func(w http.ResponseWriter, r *http.Request) error {
		io.WriteString(w, r.Proto)
		return nil
	})
	s := &Server{Listener: listen(t), Logger: log, Handler: rt, TLSConfig: cfg}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	code, body := get(t, client, "https://"+s.Listener.Addr().String()+"/proto")
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if code != 200 || body != "HTTP/2.0" {
		t.Errorf("%d %q, want 200 over HTTP/2", code, body)
	}
}

func TestReadyCheck(t *testing.T) {
	log, logs := newLogger()
	var healthy atomic.Bool
	s := &Server{Listener: listen(t), Logger: log, Handler: http.NotFoundHandler(),
		ReadyCheck: func(ctx context.Context) error {
			if !healthy.Load() {
				return errors.New("database unreachable")
			}
			return nil
		}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	defer func() { cancel(); <-done }()
	for s.ListenAddr() == nil {
		time.Sleep(time.Millisecond)
	}
	if rec := serve(s.Readyz(), "GET", "/readyz"); rec.Code != 503 || !strings.Contains(logs.String(), "database unreachable") {
		t.Errorf("failing check: %d\n%s", rec.Code, logs)
	}
	healthy.Store(true)
	if rec := serve(s.Readyz(), "GET", "/readyz"); rec.Code != 200 {
		t.Errorf("passing check: %d", rec.Code)
	}
	if rec := serve(s.Healthz(), "GET", "/healthz"); rec.Code != 200 || rec.Body.String() != "ok\n" {
		t.Errorf("healthz: %d %q", rec.Code, rec.Body)
	}
}
