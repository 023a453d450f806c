package redisstore_test

import (
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/serverdev/stdweb/sessioncache"
	"github.com/serverdev/stdweb/sessioncache/redisstore"
)

// appNode is one application server: its own rueidis client, store and
// Manager, serving a small app on a loopback port.
type appNode struct {
	name    string
	manager *sessioncache.Manager
	server  *httptest.Server
}

// newAppNode starts an application node whose sessions live in Redis at
// addrs. The app has:
//
//	POST /login?user=u   renews the session and logs u in
//	GET  /me             answers the user logged in, 401 when none
//	POST /incr?key=k     adds one to the counter k of the session
//	GET  /count?key=k    answers the counter k
func newAppNode(t *testing.T, name string, opts redisstore.Options, addrs ...string) *appNode {
	t.Helper()
	m := &sessioncache.Manager{
		Store:       redisstore.New(newClient(t, addrs...), opts),
		IdleTimeout: 30 * time.Minute,
		Lifetime:    24 * time.Hour,
		Cookie:      sessioncache.CookieOptions{Insecure: true},
		Logger:      slog.New(slog.DiscardHandler),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		user := r.URL.Query().Get("user")
		m.Renew(r.Context())
		m.SetUser(r.Context(), user)
		m.Put(r.Context(), "user", user)
		fmt.Fprintln(w, "welcome", user)
	})
	mux.HandleFunc("GET /me", func(w http.ResponseWriter, r *http.Request) {
		user := m.GetString(r.Context(), "user")
		if user == "" {
			http.Error(w, "not logged in", http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, user)
	})
	mux.HandleFunc("POST /incr", func(w http.ResponseWriter, r *http.Request) {
		key := r.URL.Query().Get("key")
		m.Put(r.Context(), key, m.GetInt(r.Context(), key)+1)
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /count", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, m.GetInt(r.Context(), r.URL.Query().Get("key")))
	})
	n := &appNode{name: name, manager: m, server: httptest.NewServer(m.Handler(mux))}
	t.Cleanup(n.server.Close)
	return n
}

// balancer is a round-robin load balancer over app nodes, like a cloud load
// balancer: a node that refuses connections is skipped (the request never
// reached it, so sending it elsewhere is safe).
type balancer struct {
	backends []*url.URL
	drained  []atomic.Bool // taken out of rotation before a planned stop
	next     atomic.Uint64
	base     http.RoundTripper
}

func newBalancer(t *testing.T, nodes ...*appNode) (*httptest.Server, *balancer) {
	t.Helper()
	lb := &balancer{base: &http.Transport{MaxIdleConnsPerHost: 64}, drained: make([]atomic.Bool, len(nodes))}
	for _, n := range nodes {
		u, err := url.Parse(n.server.URL)
		if err != nil {
			t.Fatal(err)
		}
		lb.backends = append(lb.backends, u)
	}
	proxy := &httputil.ReverseProxy{
		Rewrite:   func(r *httputil.ProxyRequest) { r.SetXForwarded() },
		Transport: lb,
		ErrorLog:  log.New(io.Discard, "", 0),
	}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	return srv, lb
}

// stop takes node i out of rotation, as a load balancer's deregistration
// does, waits for the requests already routed to it to arrive, and stops
// it: it finishes its in-flight requests and then refuses connections.
func (lb *balancer) stop(i int, n *appNode) {
	lb.drained[i].Store(true)
	time.Sleep(20 * time.Millisecond)
	n.server.Close()
}

func (lb *balancer) RoundTrip(req *http.Request) (*http.Response, error) {
	var err error
	start := lb.next.Add(1)
	for k := range uint64(len(lb.backends)) {
		i := (start + k) % uint64(len(lb.backends))
		if lb.drained[i].Load() {
			continue
		}
		u := lb.backends[i]
		out := req.Clone(req.Context())
		out.URL.Scheme, out.URL.Host, out.Host = u.Scheme, u.Host, u.Host
		var resp *http.Response
		resp, err = lb.base.RoundTrip(out)
		var op *net.OpError
		if err != nil && errors.As(err, &op) && op.Op == "dial" {
			continue // node down: try the next one
		}
		return resp, err
	}
	return nil, err
}

// browser is a client with its own cookie jar.
type browser struct {
	t      *testing.T
	client *http.Client
	base   string
}

func newBrowser(t *testing.T, base string) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, base: base, client: &http.Client{Jar: jar, Timeout: testTimeout}}
}

// do sends a request and returns the status and body.
func (b *browser) do(method, path string) (int, string, error) {
	req, err := http.NewRequest(method, b.base+path, nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(body)), err
}

// TestAppNodesBehindBalancer runs three application nodes behind a
// round-robin load balancer, with logged-in clients working, and stops one
// node in the middle: no client is logged out and no session is lost.
//
// Each client adds one to a counter of its session on every round, each
// time through the next node, which reads the counter right after the
// previous node wrote it. A node that read the previous value would lose an
// increment: none may be lost, with the near cache (the default) as without
// it (CacheTTL < 0). With the cache, the write stamp in the session cookie
// makes a node whose cached copy has not been invalidated yet read Redis.
func TestAppNodesBehindBalancer(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		cacheTTL time.Duration
	}{
		{"near cache", 0},
		{"no cache", -1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			lost := runAppNodes(t, testOptions(redisstore.Options{Prefix: "app" + tt.name + ":", CacheTTL: tt.cacheTTL}))
			if lost > 0 {
				t.Errorf("%d increments lost: a node read a session older than the client's last write on another node", lost)
			}
		})
	}
}

// runAppNodes runs the balancer test and returns how many increments were
// lost.
func runAppNodes(t *testing.T, opts redisstore.Options) (lost int) {
	addrs := sharedCluster(t).Addrs()
	nodes := []*appNode{
		newAppNode(t, "a", opts, addrs...),
		newAppNode(t, "b", opts, addrs...),
		newAppNode(t, "c", opts, addrs...),
	}
	lb, balance := newBalancer(t, nodes...)

	const clients, rounds = 12, 30
	var requests atomic.Int64
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for requests.Load() < clients*rounds { // half of the requests
			time.Sleep(time.Millisecond)
		}
		balance.stop(1, nodes[1])
	}()

	var wg sync.WaitGroup
	var lostIncrements atomic.Int64
	for c := range clients {
		wg.Go(func() {
			defer requests.Add(2 * rounds) // let the node stop even if this client fails
			b := newBrowser(t, lb.URL)
			user := fmt.Sprint("user", c)
			if code, body, err := b.do("POST", "/login?user="+user); err != nil || code != http.StatusOK {
				t.Errorf("client %d: login: %d %q %v", c, code, body, err)
				return
			}
			for i := range rounds {
				code, body, err := b.do("GET", "/me")
				if err != nil || code != http.StatusOK || body != user {
					t.Errorf("client %d round %d: GET /me = %d %q %v; want %q: logged out", c, i, code, body, err, user)
					return
				}
				if code, body, err := b.do("POST", "/incr?key=n"); err != nil || code != http.StatusOK {
					t.Errorf("client %d round %d: POST /incr = %d %q %v", c, i, code, body, err)
					return
				}
				requests.Add(2)
			}
			// The last write is read back through one node.
			code, body, err := b.do("GET", "/count?key=n")
			n, _ := strconv.Atoi(body)
			if err != nil || code != http.StatusOK || n < 1 || n > rounds {
				t.Errorf("client %d: count = %d %q %v; want at most %d", c, code, body, err, rounds)
			}
			lostIncrements.Add(int64(rounds - n))
		})
	}
	wg.Wait()
	<-stopped

	// Every client's session is in Redis, listed under its user.
	for c := range clients {
		ids, err := nodes[0].manager.UserSessions(t.Context(), fmt.Sprint("user", c))
		if err != nil || len(ids) != 1 {
			t.Errorf("UserSessions(user%d) = %v, %v; want one session", c, ids, err)
		}
	}
	return int(lostIncrements.Load())
}

// TestReadYourWritesAcrossNodes sends each request of one client to the
// other node than the previous one, right after it: every read sees the
// write of the request before, although the reading node had cached the
// session before that write.
func TestReadYourWritesAcrossNodes(t *testing.T) {
	t.Parallel()
	addrs := sharedCluster(t).Addrs()
	opts := testOptions(redisstore.Options{Prefix: "ryw:"})
	nodes := [2]*appNode{newAppNode(t, "a", opts, addrs...), newAppNode(t, "b", opts, addrs...)}
	// Both nodes are on 127.0.0.1, so one cookie jar serves both.
	br := [2]*browser{newBrowser(t, nodes[0].server.URL), newBrowser(t, nodes[1].server.URL)}
	br[1].client.Jar = br[0].client.Jar
	if code, _, err := br[0].do("POST", "/login?user=erin"); err != nil || code != http.StatusOK {
		t.Fatalf("login: %d %v", code, err)
	}
	const rounds = 200
	for i := 1; i <= rounds; i++ {
		// Node r caches the session, node w writes it, node r reads it.
		r, w := br[i%2], br[(i+1)%2]
		if code, body, err := r.do("GET", "/count?key=n"); err != nil || code != http.StatusOK || body != strconv.Itoa(i-1) {
			t.Fatalf("round %d: count before the write = %d %q %v; want %d", i, code, body, err, i-1)
		}
		if code, body, err := w.do("POST", "/incr?key=n"); err != nil || code != http.StatusOK {
			t.Fatalf("round %d: POST /incr = %d %q %v", i, code, body, err)
		}
		if code, body, err := r.do("GET", "/count?key=n"); err != nil || code != http.StatusOK || body != strconv.Itoa(i) {
			t.Fatalf("round %d: count right after the write on the other node = %d %q %v; want %d (a stale read)", i, code, body, err, i)
		}
	}
}

// TestTwoNodesOneSession has one browser session used at the same time
// through two nodes, each changing a different key: both keep every change.
func TestTwoNodesOneSession(t *testing.T) {
	t.Parallel()
	addrs := sharedCluster(t).Addrs()
	opts := testOptions(redisstore.Options{Prefix: "two:"})
	a := newAppNode(t, "a", opts, addrs...)
	b := newAppNode(t, "b", opts, addrs...)

	login := newBrowser(t, a.server.URL)
	if code, _, err := login.do("POST", "/login?user=dana"); err != nil || code != http.StatusOK {
		t.Fatalf("login: %d %v", code, err)
	}
	u, _ := url.Parse(a.server.URL)
	cookies := login.client.Jar.Cookies(u)

	const writes = 40
	var wg sync.WaitGroup
	for _, n := range []*appNode{a, b} {
		wg.Go(func() {
			br := newBrowser(t, n.server.URL)
			nu, _ := url.Parse(n.server.URL)
			br.client.Jar.SetCookies(nu, cookies)
			for i := range writes {
				if code, body, err := br.do("POST", "/incr?key="+n.name); err != nil || code != http.StatusOK {
					t.Errorf("node %s write %d: %d %q %v", n.name, i, code, body, err)
					return
				}
			}
		})
	}
	wg.Wait()
	for _, n := range []*appNode{a, b} {
		for _, key := range []string{"a", "b"} {
			br := newBrowser(t, n.server.URL)
			nu, _ := url.Parse(n.server.URL)
			br.client.Jar.SetCookies(nu, cookies)
			code, body, err := br.do("GET", "/count?key="+key)
			if err != nil || code != http.StatusOK || body != strconv.Itoa(writes) {
				t.Errorf("node %s reads %s = %d %q %v; want %d", n.name, key, code, body, err, writes)
			}
		}
	}
}

// TestMiddlewareRedisKilled kills redis-server under a load of logged-in
// clients: requests during the outage get 503 quickly, and after Redis
// restarts from its append-only file every client is still logged in with
// every acknowledged change.
func TestMiddlewareRedisKilled(t *testing.T) {
	srv := startAOF(t)
	node := newAppNode(t, "a", redisstore.Options{Timeout: outageTimeout}, srv.Addr())

	const clients = 8
	browsers := make([]*browser, clients)
	for c := range clients {
		browsers[c] = newBrowser(t, node.server.URL)
		for try := 0; ; try++ { // a loaded test machine can exceed the timeout
			code, body, err := browsers[c].do("POST", fmt.Sprint("/login?user=k", c))
			if err == nil && code == http.StatusOK {
				break
			}
			if try == 5 {
				t.Fatalf("login: %d %q %v", code, body, err)
			}
		}
	}
	var (
		stop               atomic.Bool
		down               atomic.Bool
		outage503, slow503 atomic.Int64
		acked              = make([]int, clients)
		uncertain          = make([]int, clients)
		wg                 sync.WaitGroup
	)
	for c, b := range browsers {
		wg.Go(func() {
			for i := 0; !stop.Load() && i < 100000; i++ {
				start := time.Now()
				code, body, err := b.do("POST", "/incr?key=n")
				switch {
				case err != nil:
					t.Errorf("client %d: %v", c, err)
					return
				case code == http.StatusOK:
					acked[c]++
				case code == http.StatusServiceUnavailable:
					uncertain[c]++
					if down.Load() {
						outage503.Add(1)
					}
					if time.Since(start) > slowFailure {
						slow503.Add(1)
					}
					time.Sleep(5 * time.Millisecond)
				default:
					t.Errorf("client %d: %d %q", c, code, body)
					return
				}
			}
		})
	}
	killUnderLoad(t, srv, &down, &stop, &wg)
	checkOutage(t, "requests (503)", outage503.Load(), slow503.Load())
	for c, b := range browsers {
		code, body, err := b.do("GET", "/me")
		if err != nil || code != http.StatusOK || body != fmt.Sprint("k", c) {
			t.Errorf("client %d after the restart: GET /me = %d %q %v: logged out", c, code, body, err)
		}
		code, body, err = b.do("GET", "/count?key=n")
		n, _ := strconv.Atoi(body)
		if err != nil || code != http.StatusOK || n < acked[c] || n > acked[c]+uncertain[c] {
			t.Errorf("client %d after the restart: count = %d %q %v; want %d acknowledged (+ up to %d failed)", c, code, body, err, acked[c], uncertain[c])
		}
	}
}
