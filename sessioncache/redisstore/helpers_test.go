package redisstore_test

import (
	"net"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/redis/rueidis"
	"github.com/serverdev/stdweb/sessioncache/redisstore"
	"github.com/serverdev/stdweb/sessioncache/redisstore/redistest"
)

// newClient returns a rueidis client of the servers at addrs, closed when t
// ends. Its dial timeout is short so that tests against a killed server
// fail fast.
func newClient(t testing.TB, addrs ...string) rueidis.Client {
	t.Helper()
	c, err := rueidis.NewClient(rueidis.ClientOption{
		InitAddress: addrs,
		Dialer:      net.Dialer{Timeout: 500 * time.Millisecond},
	})
	if err != nil {
		t.Fatalf("rueidis.NewClient(%v): %v", addrs, err)
	}
	t.Cleanup(c.Close)
	return c
}

// standalone starts one redis-server for t.
func standalone(t testing.TB) *redistest.Server {
	return redistest.Start(t, redistest.Options{})
}

func runtimeGoroutines() int { return runtime.NumGoroutine() }

// testTimeout bounds store operations in tests: generous, because the test
// machine may be loaded, except in the tests of failures.
const testTimeout = 10 * time.Second

// testOptions sets testTimeout in opts when it has no timeout.
func testOptions(opts redisstore.Options) redisstore.Options {
	if opts.Timeout == 0 {
		opts.Timeout = testTimeout
	}
	return opts
}

// shared is one Redis Cluster that the tests which do not stop nodes share
// (each with its own key prefix), because a cluster takes seconds to form.
var shared struct {
	once    sync.Once
	cluster *redistest.Cluster
	err     error
}

// sharedCluster returns the shared cluster, starting it on first use.
func sharedCluster(t *testing.T) *redistest.Cluster {
	t.Helper()
	redistest.Require(t)
	shared.once.Do(func() {
		shared.cluster, shared.err = redistest.NewCluster(3, redistest.Options{})
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.cluster
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.cluster != nil {
		shared.cluster.Close()
	}
	os.Exit(code)
}

// startAOF starts a standalone redis-server that persists every write
// before acknowledging it, for tests that kill it.
func startAOF(t testing.TB) *redistest.Server {
	return redistest.Start(t, redistest.Options{AppendOnly: true})
}

// sentinelClient returns a rueidis client of the master that sentinel
// knows as masterName, closed when t ends.
func sentinelClient(t testing.TB, sentinel *redistest.Server, masterName string) rueidis.Client {
	t.Helper()
	c, err := rueidis.NewClient(rueidis.ClientOption{
		InitAddress: []string{sentinel.Addr()},
		Sentinel:    rueidis.SentinelOption{MasterSet: masterName},
		Dialer:      net.Dialer{Timeout: 500 * time.Millisecond},
	})
	if err != nil {
		t.Fatalf("rueidis.NewClient(sentinel %s): %v", sentinel.Addr(), err)
	}
	t.Cleanup(c.Close)
	return c
}
