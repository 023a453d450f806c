package main

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

// TestBalancerFailover checks what the balancer does when a node it
// believes healthy has died without draining (a crash): a GET goes to the
// next node, a POST (not safe to repeat) gets 502, and the dead node is
// taken out of rotation.
func TestBalancerFailover(t *testing.T) {
	live := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Node", "live")
		io.WriteString(w, r.Host)
	}))
	defer live.Close()
	// A port nobody listens on any more.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadAddr := ln.Addr().String()
	ln.Close()

	b := &balancer{log: slog.New(slog.DiscardHandler)}
	for _, addr := range []string{deadAddr, live.Listener.Addr().String()} {
		n := &node{name: addr, url: &url.URL{Scheme: "http", Host: addr}}
		n.proxy = b.newProxy(n)
		n.healthy.Store(true)
		b.nodes = append(b.nodes, n)
	}
	dead := b.nodes[0]
	srv := httptest.NewServer(b)
	defer srv.Close()

	do := func(method string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+"/x", nil)
		req.Host = "app.example"
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(body)
	}
	// Round robin starts at the node after the counter: make the dead one next.
	b.next.Store(uint64(len(b.nodes) - 1))
	if code, body := do("GET"); code != 200 || body != "app.example" {
		t.Fatalf("GET through a dead node: %d %q (the Host must reach the node unchanged)", code, body)
	}
	if dead.healthy.Load() {
		t.Fatal("the dead node is still in rotation")
	}
	dead.healthy.Store(true)
	b.next.Store(uint64(len(b.nodes) - 1))
	if code, _ := do("POST"); code != http.StatusBadGateway {
		t.Fatalf("POST through a dead node: %d, want 502", code)
	}
	// Out of rotation now: everything goes to the live node.
	for range 4 {
		if code, _ := do("POST"); code != 200 {
			t.Fatalf("POST after the dead node was taken out: %d", code)
		}
	}
}
