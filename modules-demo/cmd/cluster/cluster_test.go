package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/serverdev/stdweb/modules-demo/internal/password"
	"github.com/serverdev/stdweb/sessioncache/redisstore/redistest"
)

// startCluster runs the program as main does and returns the balancer's
// base URL; the cluster stops when the test ends.
func startCluster(t *testing.T, cfg config) string {
	t.Helper()
	cfg.addr = "127.0.0.1:0"
	cfg.hasher = password.Hasher{Memory: 64, Time: 1}
	cfg.secret = "a test secret of at least thirty-two bytes"
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, cfg, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})), started)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("cluster did not stop")
		}
	})
	select {
	case addr := <-started:
		return "http://" + addr.String()
	case err := <-done:
		t.Fatalf("run: %v", err)
	case <-time.After(15 * time.Second):
		t.Fatal("cluster did not start")
	}
	return ""
}

// result is one request's outcome.
type result struct {
	status int
	node   string
}

type client struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newClient(t *testing.T, base string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: base, c: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
}

func (c *client) send(method, path string, form url.Values) (result, string) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, c.base+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := c.c.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return result{res.StatusCode, res.Header.Get("X-Node")}, string(b)
}

// testNodeStop logs in through the balancer, keeps using the app while
// node 2 is stopped and after, and checks that every request succeeded
// with the login intact: no 401 (a lost session), no 5xx. The flash
// message put on one node must show on the next page even when another
// node serves it: with Redis, the cookie's write stamp makes that node
// read past its near cache.
func testNodeStop(t *testing.T, base string) {
	c := newClient(t, base)
	if r, body := c.send("POST", "/signup", url.Values{"username": {"ann"}, "password": {"ann password"}}); r.status != 200 || !strings.Contains(body, "Welcome, @ann") {
		t.Fatalf("signup: %+v\n%s", r, body)
	}
	seen := map[string]int{}
	use := func(phase string, i int) {
		if r, body := c.send("GET", "/api/timeline", nil); r.status != 200 {
			t.Fatalf("%s request %d: %+v (a lost session is 401)\n%s", phase, i, r, body)
		} else {
			seen[r.node]++
		}
		if i%5 == 0 {
			post := fmt.Sprintf("%s %d", phase, i)
			r, body := c.send("POST", "/posts", url.Values{"body": {post}})
			if r.status != 200 || !strings.Contains(body, post) || !strings.Contains(body, "Posted.") {
				t.Fatalf("%s post %d: %+v\n%s", phase, i, r, body)
			}
		}
	}
	for i := range 9 {
		use("before", i)
	}
	if seen["1"] == 0 || seen["2"] == 0 || seen["3"] == 0 {
		t.Fatalf("round robin did not reach every node: %v", seen)
	}

	// Stop node 2 while requests keep coming.
	var stopped atomic.Bool
	stopErr := make(chan error, 1)
	go func() {
		defer stopped.Store(true)
		res, err := http.Post(base+"/_cluster/nodes/2/stop", "", nil)
		if err == nil {
			res.Body.Close()
			if res.StatusCode != 200 { // after the redirect to /_cluster
				err = &url.Error{Op: "stop", URL: base, Err: io.ErrUnexpectedEOF}
			}
		}
		stopErr <- err
	}()
	for i := 0; !stopped.Load() && i < 2000; i++ {
		use("during", i)
	}
	if err := <-stopErr; err != nil {
		t.Fatalf("stop node 2: %v", err)
	}
	clear(seen)
	for i := range 12 {
		use("after", i)
	}
	if seen["2"] != 0 || seen["1"] == 0 || seen["3"] == 0 {
		t.Fatalf("after node 2 stopped, requests went to %v", seen)
	}
	// Node 2 comes back and serves the same session.
	if res, err := http.Post(base+"/_cluster/nodes/2/start", "", nil); err != nil || res.StatusCode != 200 {
		t.Fatalf("start node 2: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for seen["2"] == 0 && time.Now().Before(deadline) {
		use("restarted", 1)
	}
	if seen["2"] == 0 {
		t.Fatal("node 2 got no requests after it started again")
	}
	_, body := c.send("GET", "/u/ann", nil)
	if n := strings.Count(body, `class="post"`); n < 3 {
		t.Errorf("profile shows %d posts, want at least 3", n)
	}
}

func TestClusterMemoryNodeStop(t *testing.T) {
	testNodeStop(t, startCluster(t, config{nodes: 3}))
}

func TestClusterRedisNodeStop(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{}) // skips loudly without redis-server, fails with STDWEB_REQUIRE_REDIS=1
	testNodeStop(t, startCluster(t, config{nodes: 3, redis: srv.Addr()}))
}

func TestClusterControl(t *testing.T) {
	base := startCluster(t, config{nodes: 2})
	res, err := http.Get(base + "/_cluster")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || strings.Count(string(b), "<button>stop</button>") != 2 {
		t.Fatalf("cluster page: %d\n%s", res.StatusCode, b)
	}
	res, err = http.Post(base+"/_cluster/nodes/9/stop", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 404 {
		t.Errorf("stop unknown node: %d", res.StatusCode)
	}
	// A cross-site form cannot stop nodes.
	req, _ := http.NewRequest("POST", base+"/_cluster/nodes/1/stop", nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 403 {
		t.Errorf("cross-site stop: %d, want 403", res.StatusCode)
	}
	// With every node stopped the balancer answers 503.
	for _, n := range []string{"1", "2"} {
		if res, err := http.Post(base+"/_cluster/nodes/"+n+"/stop", "", nil); err != nil {
			t.Fatal(err)
		} else {
			res.Body.Close()
		}
	}
	// Stop waits for the drain, after which the node is out of rotation.
	if res, err = http.Get(base + "/"); err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 503 {
		t.Errorf("no node up: %d, want 503", res.StatusCode)
	}
}

func TestParseConfig(t *testing.T) {
	none := func(string) string { return "" }
	cfg, err := parseConfig(nil, none, io.Discard)
	if err != nil || cfg.nodes != 3 || cfg.addr != "localhost:8080" || cfg.redis != "" || cfg.redisServer {
		t.Fatalf("defaults: %+v, %v", cfg, err)
	}
	if _, err := parseConfig([]string{"-n", "0"}, none, io.Discard); err == nil {
		t.Error("-n 0 accepted")
	}
	cfg, _ = parseConfig([]string{"-redis-server", "-n", "5"}, none, io.Discard)
	if !cfg.redisServer || cfg.nodes != 5 {
		t.Errorf("flags: %+v", cfg)
	}
}

// TestClusterRedisServerFlag runs the cluster as -redis-server does: it
// starts its own redis-server and shares the sessions through it.
func TestClusterRedisServerFlag(t *testing.T) {
	redistest.Require(t) // skips loudly without redis-server, fails with STDWEB_REQUIRE_REDIS=1
	c := newClient(t, startCluster(t, config{nodes: 2, redisServer: true}))
	if r, body := c.send("POST", "/signup", url.Values{"username": {"ann"}, "password": {"ann password"}}); r.status != 200 || !strings.Contains(body, "Welcome, @ann") {
		t.Fatalf("signup: %+v\n%s", r, body)
	}
	seen := map[string]bool{}
	for range 4 {
		r, _ := c.send("GET", "/api/timeline", nil)
		if r.status != 200 {
			t.Fatalf("timeline: %+v", r)
		}
		seen[r.node] = true
	}
	if !seen["1"] || !seen["2"] {
		t.Errorf("requests reached nodes %v, want both", seen)
	}
}
