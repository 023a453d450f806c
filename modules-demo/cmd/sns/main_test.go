package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/serverdev/stdweb/sessioncache/redisstore/redistest"
)

func TestParseConfig(t *testing.T) {
	env := map[string]string{"ADDR": "127.0.0.1:9999", "SECRET": "s"}
	cfg, err := parseConfig(nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil || cfg.addr != "127.0.0.1:9999" || cfg.secret != "s" || cfg.redis != "" {
		t.Fatalf("from env: %+v, %v", cfg, err)
	}
	cfg, err = parseConfig([]string{"-addr", ":1", "-redis", "r:6379"}, func(string) string { return "" }, io.Discard)
	if err != nil || cfg.addr != ":1" || cfg.redis != "r:6379" {
		t.Fatalf("from flags: %+v, %v", cfg, err)
	}
	if cfg, _ := parseConfig(nil, func(string) string { return "" }, io.Discard); cfg.addr != "localhost:8080" {
		t.Fatalf("default addr %q", cfg.addr)
	}
	if _, err := parseConfig([]string{"-nope"}, func(string) string { return "" }, io.Discard); err == nil {
		t.Fatal("unknown flag accepted")
	}
}

// startRun runs the program with cfg and returns its base URL and a
// function that stops it and reports run's error.
func startRun(t *testing.T, cfg config) (string, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	started := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- run(ctx, cfg, slog.New(slog.DiscardHandler), started) }()
	stop := func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(10 * time.Second):
			t.Fatal("run did not stop after its context ended")
			return nil
		}
	}
	select {
	case addr := <-started:
		return "http://" + addr.String(), stop
	case err := <-done:
		t.Fatalf("run: %v", err)
	}
	return "", nil
}

// TestRun starts the program as main does, with no settings, fetches the
// home page and the health endpoints, and stops it as SIGINT would.
func TestRun(t *testing.T) {
	base, stop := startRun(t, config{addr: "127.0.0.1:0"})
	get := func(path string) (int, string) {
		t.Helper()
		res, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	code, body := get("/")
	if code != 200 {
		t.Fatalf("GET /: %d", code)
	}
	for _, want := range []string{"stdweb/httpserver", "stdweb/cookies", "stdweb/sessioncache", "redisstore", "Sign up"} {
		if !strings.Contains(body, want) {
			t.Errorf("home page does not mention %s", want)
		}
	}
	if code, _ := get("/nope"); code != http.StatusNotFound {
		t.Errorf("unknown path: %d, want 404", code)
	}
	if code, _ := get("/healthz"); code != 200 {
		t.Errorf("healthz: %d", code)
	}
	if code, _ := get("/readyz"); code != 200 {
		t.Errorf("readyz: %d", code)
	}
	if err := stop(); err != nil {
		t.Fatalf("run after cancel: %v", err)
	}
}

// TestRunRedisSessionsSurviveRestart runs the program with its sessions in
// a real redis-server, restarts it, and checks the browser's session is
// still there. The demo's users live in memory and are gone after the
// restart, so the surviving session must count as logged out, not fail.
func TestRunRedisSessionsSurviveRestart(t *testing.T) {
	rs := redistest.Start(t, redistest.Options{}) // skips loudly without redis-server; fails with STDWEB_REQUIRE_REDIS=1
	cfg := config{addr: "127.0.0.1:0", redis: rs.Addr(), secret: "a test secret of at least thirty-two bytes"}
	base, stop := startRun(t, cfg)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	res, err := c.PostForm(base+"/signup", url.Values{"username": {"ann"}, "password": {"ann password"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), "Welcome, @ann") {
		t.Fatalf("signup: %d\n%s", res.StatusCode, body)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	sessionsBefore, err := rs.CLI("--scan", "--pattern", "session:*")
	if err != nil || !strings.Contains(sessionsBefore, "session:") {
		t.Fatalf("no session in redis after the first run: %q, %v", sessionsBefore, err)
	}

	base2, stop2 := startRun(t, cfg)
	defer stop2()
	// The cookie jar is keyed by host, and both runs are on 127.0.0.1.
	res, err = c.Get(base2 + "/api/timeline")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("timeline of a user the restart forgot: %d, want 401", res.StatusCode)
	}
	// A new account with the same name does not inherit the old session.
	other := &http.Client{Jar: must(cookiejar.New(nil))}
	res, err = other.PostForm(base2+"/signup", url.Values{"username": {"ann"}, "password": {"another password"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("second signup: %d", res.StatusCode)
	}
	for name, client := range map[string]*http.Client{"old session": c, "new account": other} {
		res, err = client.Get(base2 + "/api/timeline")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if want := map[string]int{"old session": 401, "new account": 200}[name]; res.StatusCode != want {
			t.Errorf("%s: timeline %d, want %d", name, res.StatusCode, want)
		}
	}
	res, err = c.Get(base2 + "/login")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(body), `value="ann"`) {
		t.Error("the sealed lastuser cookie did not survive the restart with the same SECRET")
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
