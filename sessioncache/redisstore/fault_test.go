package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/serverdev/stdweb/sessioncache"
	"github.com/serverdev/stdweb/sessioncache/redisstore"
	"github.com/serverdev/stdweb/sessioncache/redisstore/redistest"
)

// slowFailure is how long an operation may take to fail while Redis is
// down: its timeout plus slack for a loaded test machine.
const slowFailure = 2 * time.Second

// outageTimeout is the store timeout of the tests that kill Redis.
// rueidis retries reads until the deadline, so a read rides out an outage
// shorter than this and fails with ErrUnavailable after it.
const outageTimeout = 300 * time.Millisecond

// killUnderLoad lets the load that wg waits for run, kills srv, keeps it
// down for a while (down is true meanwhile) longer than outageTimeout,
// restarts it from its append-only file, lets the load run again, then sets
// stop and waits for the load to end.
func killUnderLoad(t *testing.T, srv *redistest.Server, down, stop *atomic.Bool, wg *sync.WaitGroup) {
	t.Helper()
	const phase = 150 * time.Millisecond
	time.Sleep(phase)
	down.Store(true)
	srv.Kill()
	time.Sleep(3 * outageTimeout)
	down.Store(false)
	if err := srv.Restart(); err != nil {
		t.Error(err)
	}
	time.Sleep(phase)
	stop.Store(true)
	wg.Wait()
}

// checkOutage checks that some operations failed during the outage and
// that none took long to fail.
func checkOutage(t *testing.T, what string, failed, slow int64) {
	t.Helper()
	if failed == 0 {
		t.Errorf("no %s failed while Redis was down", what)
	}
	if slow > 0 {
		t.Errorf("%d %s took more than %v to fail", slow, what, slowFailure)
	}
	t.Logf("%s failed during the outage: %d", what, failed)
}

// sessionLog is what one worker knows about its session: the value of its
// last acknowledged write, and the values of writes that failed after it
// (which Redis may or may not have applied).
type sessionLog struct {
	acked   int
	pending []int
}

// TestKillUnderLoad kills redis-server with SIGKILL while workers write
// sessions, restarts it from its append-only file (appendfsync always) and
// checks that no acknowledged write was lost, and that writes during the
// outage failed fast with ErrUnavailable.
func TestKillUnderLoad(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t, redistest.Options{AppendOnly: true})
	client := newClient(t, srv.Addr())
	setup := redisstore.New(client, testOptions(redisstore.Options{}))
	s := redisstore.New(client, redisstore.Options{Timeout: outageTimeout})
	ctx := t.Context()

	const workers = 8
	logs := make([]sessionLog, workers)
	var (
		stop       atomic.Bool
		down       atomic.Bool
		outageErrs atomic.Int64
		slowErrs   atomic.Int64
		wg         sync.WaitGroup
	)
	for w := range workers {
		id := fmt.Sprint("load", w)
		if err := setup.Commit(ctx, id, record(fmt.Sprint("user", w), "n", "0")); err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			for n := 1; !stop.Load() && n < 100000; n++ {
				start := time.Now()
				err := s.Apply(ctx, id, sessioncache.Delta{
					Set:      map[string][]byte{"n": []byte(strconv.Itoa(n))},
					Deadline: time.Now().Add(time.Hour),
				})
				switch {
				case err == nil:
					logs[w] = sessionLog{acked: n}
				case errors.Is(err, sessioncache.ErrUnavailable):
					logs[w].pending = append(logs[w].pending, n)
					if down.Load() {
						outageErrs.Add(1)
					}
					if time.Since(start) > slowFailure {
						slowErrs.Add(1)
					}
					time.Sleep(5 * time.Millisecond)
				default:
					t.Errorf("worker %d: Apply: %v", w, err)
					return
				}
			}
		})
	}
	killUnderLoad(t, srv, &down, &stop, &wg)
	checkOutage(t, "writes", outageErrs.Load(), slowErrs.Load())
	for w, l := range logs {
		id := fmt.Sprint("load", w)
		rec, found, err := setup.Find(ctx, id)
		if err != nil || !found {
			t.Errorf("session %s after restart: found %v, err %v", id, found, err)
			continue
		}
		n, _ := strconv.Atoi(string(rec.Values["n"]))
		if n != l.acked && !slices.Contains(l.pending, n) {
			t.Errorf("session %s: n = %d after restart, want the last acknowledged %d (or a failed later write %v)", id, n, l.acked, l.pending)
		}
		if l.acked == 0 {
			t.Errorf("worker %d never wrote successfully", w)
		}
		if ids, err := setup.UserSessions(ctx, fmt.Sprint("user", w)); err != nil || !slices.Equal(ids, []string{id}) {
			t.Errorf("UserSessions(user%d) = %v, %v after restart", w, ids, err)
		}
	}
}

// TestClusterNodeDown stops one master of a cluster: sessions on the other
// masters stay readable and writable, those on the stopped master fail with
// ErrUnavailable, and all come back when it restarts.
func TestClusterNodeDown(t *testing.T) {
	t.Parallel()
	cluster := redistest.StartCluster(t, 3, redistest.Options{AppendOnly: true})
	client := newClient(t, cluster.Addrs()...)
	setup := redisstore.New(client, testOptions(redisstore.Options{}))
	s := redisstore.New(client, redisstore.Options{Timeout: 300 * time.Millisecond})
	ctx := t.Context()
	const sessions = 30
	for i := range sessions {
		if err := setup.Commit(ctx, fmt.Sprint("n", i), record("", "i", fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	cluster.Nodes[1].Kill()
	var ok, unavailable int
	for i := range sessions {
		c, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		err := s.Apply(c, fmt.Sprint("n", i), sessioncache.Delta{Set: map[string][]byte{"x": []byte("1")}})
		cancel()
		switch {
		case err == nil:
			ok++
		case errors.Is(err, sessioncache.ErrUnavailable):
			unavailable++
		default:
			t.Fatalf("Apply with one master down: %v", err)
		}
	}
	if ok == 0 || unavailable == 0 {
		t.Errorf("with one of three masters down: %d writes ok, %d unavailable; want some of each", ok, unavailable)
	}
	if err := cluster.Nodes[1].Restart(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; i < sessions; {
		_, found, err := s.Find(ctx, fmt.Sprint("n", i))
		if err == nil && found {
			i++
			continue
		}
		if time.Now().After(deadline) {
			t.Fatalf("session n%d after the master restarted: found %v, err %v", i, found, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
