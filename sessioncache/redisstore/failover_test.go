package redisstore_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/serverdev/stdweb/sessioncache"
	"github.com/serverdev/stdweb/sessioncache/redisstore"
	"github.com/serverdev/stdweb/sessioncache/redisstore/redistest"
)

// waitFor polls cond every 50ms until it holds or limit passes.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %v: %s", what, limit, state)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestSentinelFailover kills the master of a Sentinel setup: Sentinel
// promotes the replica, the rueidis client follows it, and the sessions
// written before the failover (and replicated) are found and can be
// changed on the new master.
func TestSentinelFailover(t *testing.T) {
	t.Parallel()
	master := standalone(t)
	replica := redistest.Start(t, redistest.Options{Args: []string{"--replicaof", "127.0.0.1", fmt.Sprint(master.Port())}})
	waitFor(t, testTimeout, "replica in sync", func() (bool, string) {
		out, err := replica.CLI("INFO", "replication")
		return err == nil && strings.Contains(out, "master_link_status:up"), out
	})
	sentinel := redistest.StartSentinel(t, "failover", master)
	client := sentinelClient(t, sentinel, "failover")
	s := redisstore.New(client, testOptions(redisstore.Options{}))
	ctx := t.Context()

	const sessions = 20
	for i := range sessions {
		if err := s.Commit(ctx, fmt.Sprint("f", i), record("erin", "i", fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := master.CLI("WAIT", "1", "5000"); err != nil || strings.TrimSpace(out) != "1" {
		t.Fatalf("WAIT for the replica: %q %v", out, err)
	}
	waitFor(t, testTimeout, "sentinel knows the replica", func() (bool, string) {
		out, err := sentinel.CLI("SENTINEL", "REPLICAS", "failover")
		return err == nil && strings.Contains(out, fmt.Sprint(replica.Port())), out
	})

	master.Kill()
	waitFor(t, 30*time.Second, "failover to the replica", func() (bool, string) {
		out, err := sentinel.CLI("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "failover")
		return err == nil && strings.Contains(out, fmt.Sprint(replica.Port())), out
	})
	waitFor(t, testTimeout, "writes on the new master", func() (bool, string) {
		err := s.Apply(ctx, "f0", sessioncache.Delta{Set: map[string][]byte{"after": []byte("failover")}})
		return err == nil, fmt.Sprint(err)
	})
	for i := range sessions {
		rec, found, err := s.Find(ctx, fmt.Sprint("f", i))
		if err != nil || !found || string(rec.Values["i"]) != fmt.Sprint(i) {
			t.Fatalf("session f%d after the failover: found %v, err %v, values %q", i, found, err, rec.Values)
		}
	}
	if ids, err := s.UserSessions(ctx, "erin"); err != nil || len(ids) != sessions {
		t.Errorf("UserSessions after the failover = %d ids, %v; want %d", len(ids), err, sessions)
	}
}
