package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/serverdev/stdweb/sessioncache"
	"github.com/serverdev/stdweb/sessioncache/redisstore"
	"github.com/serverdev/stdweb/sessioncache/redisstore/redistest"
)

func record(user string, kv ...string) sessioncache.Record {
	rec := sessioncache.Record{
		Values:   map[string][]byte{},
		User:     user,
		Created:  time.Now(),
		Deadline: time.Now().Add(time.Hour),
	}
	for i := 0; i+1 < len(kv); i += 2 {
		rec.Values[kv[i]] = []byte(kv[i+1])
	}
	return rec
}

func values(t *testing.T, s *redisstore.Store, id string) map[string]string {
	t.Helper()
	rec, found, err := s.Find(t.Context(), id)
	if err != nil || !found {
		t.Fatalf("Find(%q) = found %v, err %v", id, found, err)
	}
	m := make(map[string]string)
	for k, v := range rec.Values {
		m[k] = string(v)
	}
	return m
}

// topLevel drops from a commandstats delta the commands that the store's
// Lua scripts run inside EVALSHA, and those of a connection's setup (a
// loaded test machine can make rueidis reconnect), leaving what the client
// sent for the operations.
func topLevel(d map[string]int64) map[string]int64 {
	inside := []string{"hset", "hget", "hmget", "hdel", "hkeys", "del", "exists", "pexpireat", "time", "zadd", "pexpiretime", "zrange", "zremrangebyscore"}
	out := maps.Clone(d)
	for _, c := range inside {
		delete(out, c)
	}
	for _, c := range []string{"info", "hello", "client|tracking", "client|setinfo", "ping"} {
		delete(out, c)
	}
	return out
}

// TestRoundTrips counts, with INFO commandstats, the commands Redis receives:
// none for a read of an unchanged cached session, one EVALSHA for a write.
func TestRoundTrips(t *testing.T) {
	t.Parallel()
	srv := standalone(t)
	s := redisstore.New(newClient(t, srv.Addr()), testOptions(redisstore.Options{}))
	ctx := t.Context()
	if err := s.Commit(ctx, "rt", record("", "a", "1")); err != nil {
		t.Fatal(err)
	}
	values(t, s, "rt") // first read: fetches and starts tracking

	stats := func() map[string]int64 {
		t.Helper()
		st, err := srv.CommandStats()
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	before := stats()
	for range 100 {
		if got := values(t, s, "rt"); got["a"] != "1" {
			t.Fatalf("values = %v", got)
		}
	}
	if d := redistest.Delta(before, stats()); len(topLevel(d)) != 0 {
		t.Errorf("100 reads of a cached unchanged session sent %v, want nothing", d)
	}

	apply := func() {
		t.Helper()
		if err := s.Apply(ctx, "rt", sessioncache.Delta{Set: map[string][]byte{"b": []byte("2")}, Deadline: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	apply() // the first run of a script loads it: EVALSHA, NOSCRIPT, EVAL
	before = stats()
	apply()
	d := topLevel(redistest.Delta(before, stats()))
	if !maps.Equal(d, map[string]int64{"evalsha": 1}) {
		t.Errorf("one Apply sent %v, want exactly one evalsha", d)
	}
}

// modeAddrs returns the addresses of the shared cluster for mode "cluster",
// or of a new standalone server.
func modeAddrs(t *testing.T, mode string) []string {
	if mode == "cluster" {
		return sharedCluster(t).Addrs()
	}
	return []string{standalone(t).Addr()}
}

// TestInvalidationAcrossNodes writes on one node and reads on another: the
// reader's cached copy is dropped by Redis' invalidation, so it sees the
// write as soon as the invalidation has arrived.
func TestInvalidationAcrossNodes(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"standalone", "cluster"} {
		t.Run(mode, func(t *testing.T) {
			addrs := modeAddrs(t, mode)
			a := redisstore.New(newClient(t, addrs...), testOptions(redisstore.Options{Prefix: "inv:"}))
			b := redisstore.New(newClient(t, addrs...), testOptions(redisstore.Options{Prefix: "inv:"}))
			ctx := t.Context()
			const sessions = 20
			for i := range sessions {
				id := fmt.Sprint("inv", i)
				if err := a.Commit(ctx, id, record("", "n", "0")); err != nil {
					t.Fatal(err)
				}
				values(t, b, id) // cached on b
			}
			var worst time.Duration
			for round := 1; round <= 5; round++ {
				for i := range sessions {
					id := fmt.Sprint("inv", i)
					want := fmt.Sprint(round)
					if err := a.Apply(ctx, id, sessioncache.Delta{Set: map[string][]byte{"n": []byte(want)}}); err != nil {
						t.Fatal(err)
					}
					start := time.Now()
					for values(t, b, id)["n"] != want {
						if time.Since(start) > time.Second {
							t.Fatalf("node b still reads a stale %s a second after node a's write", id)
						}
						time.Sleep(100 * time.Microsecond)
					}
					worst = max(worst, time.Since(start))
				}
			}
			t.Logf("longest window in which node b read the previous version: %v", worst)
		})
	}
}

// TestFindFreshAcrossNodes writes on one node with a stamp and reads with
// that stamp on another node right after the write returns: the reader
// never returns its cached copy of the previous version, even before Redis'
// invalidation of that copy reaches it.
func TestFindFreshAcrossNodes(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"standalone", "cluster"} {
		t.Run(mode, func(t *testing.T) {
			addrs := modeAddrs(t, mode)
			nodes := [2]*redisstore.Store{
				redisstore.New(newClient(t, addrs...), testOptions(redisstore.Options{Prefix: "fresh:"})),
				redisstore.New(newClient(t, addrs...), testOptions(redisstore.Options{Prefix: "fresh:"})),
			}
			ctx := t.Context()
			const sessions, rounds = 10, 30
			for i := range sessions {
				rec := record("", "n", "0")
				rec.Stamp = 1
				if err := nodes[0].Commit(ctx, fmt.Sprint("fresh", i), rec); err != nil {
					t.Fatal(err)
				}
			}
			for round := 1; round <= rounds; round++ {
				w, r := nodes[round%2], nodes[(round+1)%2]
				for i := range sessions {
					id := fmt.Sprint("fresh", i)
					// The reader caches the current version first.
					if _, found, err := r.FindFresh(ctx, id, uint64(round)); err != nil || !found {
						t.Fatalf("FindFresh(%s) before the write: found %v, err %v", id, found, err)
					}
					want := strconv.Itoa(round)
					d := sessioncache.Delta{Set: map[string][]byte{"n": []byte(want)}, Stamp: uint64(round + 1)}
					if err := w.Apply(ctx, id, d); err != nil {
						t.Fatal(err)
					}
					rec, found, err := r.FindFresh(ctx, id, uint64(round+1))
					if err != nil || !found {
						t.Fatalf("FindFresh(%s) after the write: found %v, err %v", id, found, err)
					}
					if got := string(rec.Values["n"]); got != want || rec.Stamp != uint64(round+1) {
						t.Fatalf("round %d: FindFresh(%s) right after a write on the other node = n %q stamp %d, want %q stamp %d",
							round, id, got, rec.Stamp, want, round+1)
					}
				}
			}
		})
	}
}

// TestConcurrentDeltasAcrossNodes has two nodes change different values of
// one session at the same time: every change is kept.
func TestConcurrentDeltasAcrossNodes(t *testing.T) {
	t.Parallel()
	addrs := sharedCluster(t).Addrs()
	nodes := []*redisstore.Store{
		redisstore.New(newClient(t, addrs...), testOptions(redisstore.Options{Prefix: "deltas:"})),
		redisstore.New(newClient(t, addrs...), testOptions(redisstore.Options{Prefix: "deltas:"})),
	}
	ctx := t.Context()
	if err := nodes[0].Commit(ctx, "shared", record("u")); err != nil {
		t.Fatal(err)
	}
	const writes = 50
	var wg sync.WaitGroup
	for n, s := range nodes {
		wg.Go(func() {
			for i := range writes {
				d := sessioncache.Delta{Set: map[string][]byte{fmt.Sprintf("node%d-%d", n, i): []byte("x")}}
				if err := s.Apply(ctx, "shared", d); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	for n, s := range nodes {
		if got := len(values(t, s, "shared")); got != 2*writes {
			t.Errorf("node %d sees %d values, want %d", n, got, 2*writes)
		}
	}
}

func TestApplyNeverResurrects(t *testing.T) {
	t.Parallel()
	srv := standalone(t)
	s := redisstore.New(newClient(t, srv.Addr()), testOptions(redisstore.Options{}))
	ctx := t.Context()
	if err := s.Commit(ctx, "gone", record("u", "a", "1")); err != nil {
		t.Fatal(err)
	}
	values(t, s, "gone")
	if err := s.Delete(ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	user := "v"
	err := s.Apply(ctx, "gone", sessioncache.Delta{Set: map[string][]byte{"b": []byte("2")}, User: &user, Deadline: time.Now().Add(time.Hour)})
	if !errors.Is(err, sessioncache.ErrNotFound) {
		t.Fatalf("Apply of a deleted session: err = %v, want ErrNotFound", err)
	}
	if _, found, _ := s.Find(ctx, "gone"); found {
		t.Fatal("Apply brought a deleted session back")
	}
	if ids, err := s.UserSessions(ctx, user); err != nil || len(ids) != 0 {
		t.Fatalf("UserSessions(%q) = %v, %v; want none", user, ids, err)
	}
}

// TestCorrupt checks that data the store did not write is reported as
// corrupt, not returned and not a panic.
func TestCorrupt(t *testing.T) {
	t.Parallel()
	srv := standalone(t)
	s := redisstore.New(newClient(t, srv.Addr()), testOptions(redisstore.Options{Prefix: "c:"}))
	tests := []struct {
		name string
		cmd  []string
	}{
		{"string key", []string{"SET", "c:{str}", "x"}},
		{"unknown field", []string{"HSET", "c:{unknown}", "m:deadline", "99999999999999999", "zz", "1"}},
		{"no deadline", []string{"HSET", "c:{nodeadline}", "v:a", "1"}},
		{"bad deadline", []string{"HSET", "c:{baddeadline}", "m:deadline", "soon"}},
		{"bad created", []string{"HSET", "c:{badcreated}", "m:deadline", "99999999999999999", "m:created", "-x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if out, err := srv.CLI(tt.cmd...); err != nil {
				t.Fatal(out, err)
			}
			key := tt.cmd[1]
			id := strings.TrimSuffix(strings.TrimPrefix(key, "c:{"), "}")
			_, found, err := s.Find(t.Context(), id)
			if !errors.Is(err, sessioncache.ErrCorrupt) || found {
				t.Errorf("Find = found %v, err %v; want ErrCorrupt", found, err)
			}
		})
	}
}

// TestUserIndexOwnerChange moves a session between users and checks that
// each user's index lists exactly its sessions, in a cluster where the
// sessions and the indexes live on different nodes.
func TestUserIndexOwnerChange(t *testing.T) {
	t.Parallel()
	s := redisstore.New(newClient(t, sharedCluster(t).Addrs()...), testOptions(redisstore.Options{Prefix: "owner:"}))
	ctx := t.Context()
	for i := range 6 {
		if err := s.Commit(ctx, fmt.Sprint("s", i), record("alice", "i", fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	bob := "bob"
	if err := s.Apply(ctx, "s0", sessioncache.Delta{User: &bob}); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx, "s1", record("bob")); err != nil {
		t.Fatal(err)
	}
	none := ""
	if err := s.Apply(ctx, "s2", sessioncache.Delta{User: &none}); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "s3"); err != nil {
		t.Fatal(err)
	}
	check := func(user string, want ...string) {
		t.Helper()
		got, err := s.UserSessions(ctx, user)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("UserSessions(%q) = %v, want %v", user, got, want)
		}
	}
	check("alice", "s4", "s5")
	check("bob", "s0", "s1")
	n, err := s.DeleteUser(ctx, "alice")
	if err != nil || n != 2 {
		t.Fatalf("DeleteUser(alice) = %d, %v; want 2", n, err)
	}
	check("alice")
	check("bob", "s0", "s1")
	for _, id := range []string{"s4", "s5"} {
		if _, found, _ := s.Find(ctx, id); found {
			t.Errorf("session %s of alice survived DeleteUser", id)
		}
	}
}

// TestUserIndexLongLife covers a session that lives longer than
// Options.MaxLifetime: its index entry is extended, so DeleteUser still
// finds it after the first entry would have expired.
func TestUserIndexLongLife(t *testing.T) {
	t.Parallel()
	srv := standalone(t)
	s := redisstore.New(newClient(t, srv.Addr()), testOptions(redisstore.Options{MaxLifetime: 10 * time.Millisecond}))
	ctx := t.Context()
	rec := record("carol")
	rec.Created = time.Now().Add(-time.Hour)
	rec.Deadline = time.Now().Add(5 * time.Second) // the index entry lasts until then
	if err := s.Commit(ctx, "long", rec); err != nil {
		t.Fatal(err)
	}
	if err := s.Apply(ctx, "long", sessioncache.Delta{Deadline: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	// The entry and the index itself now last at least as long as the
	// session, not just the 5s of the first commit.
	for _, cmd := range [][]string{{"ZSCORE", "session:user:{carol}", "long"}, {"PEXPIRETIME", "session:user:{carol}"}} {
		out, err := srv.CLI(cmd...)
		if err != nil {
			t.Fatal(out, err)
		}
		ms, err := strconv.ParseInt(strings.TrimSpace(out), 10, 64)
		if err != nil || time.UnixMilli(ms).Before(time.Now().Add(59*time.Minute)) {
			t.Errorf("%v = %q, want a time an hour from now", cmd, out)
		}
	}
	ids, err := s.UserSessions(ctx, "carol")
	if err != nil || !slices.Equal(ids, []string{"long"}) {
		t.Fatalf("UserSessions = %v, %v; want [long]", ids, err)
	}
}

// TestPrefixIsolation checks that stores with different prefixes on one
// Redis do not see each other, and that All skips the user indexes.
func TestPrefixIsolation(t *testing.T) {
	t.Parallel()
	srv := standalone(t)
	client := newClient(t, srv.Addr())
	a := redisstore.New(client, testOptions(redisstore.Options{Prefix: "a*["}))
	b := redisstore.New(client, testOptions(redisstore.Options{Prefix: "a"}))
	ctx := t.Context()
	if err := a.Commit(ctx, "x", record("u", "k", "a")); err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(ctx, "y", record("u", "k", "b")); err != nil {
		t.Fatal(err)
	}
	for s, want := range map[*redisstore.Store]string{a: "x", b: "y"} {
		var ids []string
		for e, err := range s.All(ctx) {
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, e.ID)
		}
		if !slices.Equal(ids, []string{want}) {
			t.Errorf("All = %v, want [%s]", ids, want)
		}
	}
	if _, found, _ := b.Find(ctx, "x"); found {
		t.Error("store b finds store a's session")
	}
}

// TestUnavailable kills Redis: every operation fails fast with an error
// wrapping ErrUnavailable, no goroutines pile up, and the store works again
// once Redis is back. It does not run in parallel with other tests, so that
// it can count goroutines.
func TestUnavailable(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{AppendOnly: true})
	client := newClient(t, srv.Addr())
	s := redisstore.New(client, redisstore.Options{Timeout: 200 * time.Millisecond})
	ctx := t.Context()
	if err := redisstore.New(client, testOptions(redisstore.Options{})).Commit(ctx, "kept", record("u", "a", "1")); err != nil {
		t.Fatal(err)
	}
	srv.Kill()

	ops := map[string]func(context.Context) error{
		"find":   func(ctx context.Context) error { _, _, err := s.Find(ctx, "other"); return err },
		"commit": func(ctx context.Context) error { return s.Commit(ctx, "new", record("u")) },
		"apply": func(ctx context.Context) error {
			return s.Apply(ctx, "kept", sessioncache.Delta{Remove: []string{"a"}})
		},
		"delete": func(ctx context.Context) error { return s.Delete(ctx, "kept") },
		"users":  func(ctx context.Context) error { _, err := s.UserSessions(ctx, "u"); return err },
		"delete user": func(ctx context.Context) error {
			_, err := s.DeleteUser(ctx, "u")
			return err
		},
		"all": func(ctx context.Context) error {
			for _, err := range s.All(ctx) {
				return err
			}
			return nil
		},
	}
	goroutines := runtimeGoroutines()
	for round := range 10 {
		for name, op := range ops {
			start := time.Now()
			var err error
			if round%2 == 0 {
				err = op(ctx) // bounded by Options.Timeout
			} else {
				c, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
				err = op(c)
				cancel()
			}
			if !errors.Is(err, sessioncache.ErrUnavailable) {
				t.Fatalf("%s with Redis down: err = %v, want ErrUnavailable", name, err)
			}
			d := time.Since(start)
			if d > slowFailure {
				t.Errorf("%s with Redis down took %v", name, d)
			}
			if round < 2 {
				t.Logf("%s with Redis down failed after %v: %v", name, d, err)
			}
		}
	}
	if g := runtimeGoroutines(); g > goroutines+20 {
		t.Errorf("goroutines grew from %d to %d while Redis was down", goroutines, g)
	}

	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(testTimeout)
	for {
		rec, found, err := s.Find(ctx, "kept")
		if err == nil {
			if !found || string(rec.Values["a"]) != "1" {
				t.Fatalf("after restart: found %v, values %q; the committed session was lost", found, rec.Values)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("store did not recover after Redis restarted: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestAllManyPages iterates over more sessions than one SCAN page holds, on
// every master of a cluster: each live session is yielded exactly once.
func TestAllManyPages(t *testing.T) {
	t.Parallel()
	s := redisstore.New(newClient(t, sharedCluster(t).Addrs()...), testOptions(redisstore.Options{Prefix: "many:"}))
	ctx := t.Context()
	const n, workers = 1500, 8
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				if err := s.Commit(ctx, fmt.Sprint("m", i), record("", "i", fmt.Sprint(i))); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := s.Delete(ctx, "m0"); err != nil {
		t.Fatal(err)
	}
	seen := make(map[string]int)
	for e, err := range s.All(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		seen[e.ID]++
		if want := strings.TrimPrefix(e.ID, "m"); string(e.Record.Values["i"]) != want {
			t.Fatalf("session %s has i = %q", e.ID, e.Record.Values["i"])
		}
	}
	if len(seen) != n-1 {
		t.Errorf("All yielded %d sessions, want %d", len(seen), n-1)
	}
	for id, k := range seen {
		if k != 1 {
			t.Errorf("All yielded %s %d times", id, k)
		}
	}
	if seen["m0"] != 0 {
		t.Error("All yielded a deleted session")
	}
}
