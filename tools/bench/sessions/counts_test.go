package sessions

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestStoreWrites counts the store writes of requests that do not change
// their session: none for ours, with or without an idle timeout.
func TestStoreWrites(t *testing.T) {
	const requests = 100
	for _, idle := range []time.Duration{0, 30 * time.Minute} {
		for _, peer := range impls {
			t.Run(fmt.Sprintf("idle=%v/%s", idle, peer.name), func(t *testing.T) {
				in := peer.new(options{idle: idle})
				defer in.close()
				untouched := in.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Write([]byte("hello"))
				}))
				readOnly := in.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Write([]byte(in.getString(r.Context(), "name")))
				}))
				r := request(newSession(in))
				for _, tc := range []struct {
					name string
					h    http.Handler
				}{{"untouched", untouched}, {"read-only", readOnly}} {
					before := in.writes()
					for range requests {
						tc.h.ServeHTTP(newWriter(), r)
					}
					n := in.writes() - before
					t.Logf("%s: %d store writes for %d %s requests", in.name, n, requests, tc.name)
					if in.name == "ours" && n != 0 {
						t.Errorf("%d store writes for %d %s requests, want 0", n, requests, tc.name)
					}
				}
			})
		}
	}
}

// TestConcurrentKeys sends 64 concurrent requests on one session, each
// setting its own key, and counts the keys lost.
func TestConcurrentKeys(t *testing.T) {
	const n = 64
	for _, peer := range impls {
		t.Run(peer.name, func(t *testing.T) {
			in := peer.new(options{})
			defer in.close()
			start := make(chan struct{})
			put := in.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				<-start // every request has loaded its session before any saves
				in.put(r.Context(), r.URL.Query().Get("k"), "v")
			}))
			token := newSession(in)
			var loaded, done sync.WaitGroup
			for i := range n {
				loaded.Add(1)
				done.Go(func() {
					r := request(token)
					r.URL.RawQuery = fmt.Sprintf("k=key%02d", i)
					loaded.Done()
					put.ServeHTTP(newWriter(), r)
				})
			}
			loaded.Wait()
			time.Sleep(10 * time.Millisecond) // let the requests reach the handler
			close(start)
			done.Wait()

			lost := 0
			check := in.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for i := range n {
					if in.getString(r.Context(), fmt.Sprintf("key%02d", i)) != "v" {
						lost++
					}
				}
			}))
			check.ServeHTTP(newWriter(), request(token))
			t.Logf("%s: %d of %d keys lost", in.name, lost, n)
			if in.name == "ours" && lost != 0 {
				t.Errorf("%d of %d keys lost, want 0", lost, n)
			}
		})
	}
}

// TestReadOverhead measures a read-only request on an existing session
// against the same request without sessions: at most 10 more allocations
// (timing is reported by the benchmarks, it is too noisy for a test).
func TestReadOverhead(t *testing.T) {
	in := newOurs(options{idle: 30 * time.Minute}, nil)
	defer in.close()
	h := in.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if in.getString(r.Context(), "name") != "Gopher" {
			t.Fatal("session lost")
		}
		w.Write([]byte("hello"))
	}))
	w, r := newWriter(), request(newSession(in))
	bareW, bareR := newWriter(), request("")
	bareAllocs := testing.AllocsPerRun(1000, func() { bareW.reset(); bare.ServeHTTP(bareW, bareR) })
	allocs := testing.AllocsPerRun(1000, func() { w.reset(); h.ServeHTTP(w, r) })
	t.Logf("allocations: bare %.0f, with a session read %.0f (+%.0f)", bareAllocs, allocs, allocs-bareAllocs)
	if allocs-bareAllocs > 10 {
		t.Errorf("a session read costs %.0f allocations over a bare request, want at most 10", allocs-bareAllocs)
	}
	if !strings.Contains(strings.Join(w.h["Vary"], ","), "Cookie") {
		t.Error("no Vary: Cookie on a response that read its session")
	}
}
