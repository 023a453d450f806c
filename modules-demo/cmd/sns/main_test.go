package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
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

// TestRun starts the program as main does, with no settings, fetches the
// home page and the health endpoints, and stops it as SIGINT would.
func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	started := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, config{addr: "127.0.0.1:0"}, slog.New(slog.DiscardHandler), started)
	}()
	var base string
	select {
	case addr := <-started:
		base = "http://" + addr.String()
	case err := <-done:
		t.Fatalf("run: %v", err)
	}
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
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run after cancel: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop after its context ended")
	}
}
