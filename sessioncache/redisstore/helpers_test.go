package redisstore_test

import (
	"testing"
	"time"

	"github.com/redis/rueidis"
	"github.com/serverdev/stdweb/sessioncache/redisstore/redistest"
)

// newClient returns a rueidis client of the servers at addrs, closed when t
// ends. Dial and write timeouts are short so that tests against a killed
// server fail fast.
func newClient(t testing.TB, addrs ...string) rueidis.Client {
	t.Helper()
	c, err := rueidis.NewClient(rueidis.ClientOption{
		InitAddress:      addrs,
		Dialer:           dialer(),
		ConnWriteTimeout: time.Second,
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
