package redisstore_test

import (
	"testing"

	"github.com/serverdev/stdweb/sessioncache"
	"github.com/serverdev/stdweb/sessioncache/redisstore"
	"github.com/serverdev/stdweb/sessioncache/redisstore/redistest"
	"github.com/serverdev/stdweb/sessioncache/storetest"
)

func TestConformanceStandalone(t *testing.T) {
	t.Parallel()
	srv := standalone(t)
	client := newClient(t, srv.Addr())
	storetest.Run(t, func(t *testing.T) sessioncache.Store {
		return redisstore.New(client, testOptions(redisstore.Options{}))
	})
}

func TestConformanceCluster(t *testing.T) {
	t.Parallel()
	client := newClient(t, sharedCluster(t).Addrs()...)
	storetest.Run(t, func(t *testing.T) sessioncache.Store {
		return redisstore.New(client, testOptions(redisstore.Options{Prefix: "conf:"}))
	})
}

func TestConformanceSentinel(t *testing.T) {
	t.Parallel()
	master := standalone(t)
	sentinel := redistest.StartSentinel(t, "sessions", master)
	client := sentinelClient(t, sentinel, "sessions")
	storetest.Run(t, func(t *testing.T) sessioncache.Store {
		return redisstore.New(client, testOptions(redisstore.Options{}))
	})
}

func TestConformanceNoCache(t *testing.T) {
	t.Parallel()
	srv := standalone(t)
	client := newClient(t, srv.Addr())
	storetest.Run(t, func(t *testing.T) sessioncache.Store {
		return redisstore.New(client, testOptions(redisstore.Options{CacheTTL: -1}))
	})
}
