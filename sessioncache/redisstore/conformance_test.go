package redisstore_test

import (
	"testing"

	"github.com/serverdev/stdweb/sessioncache"
	"github.com/serverdev/stdweb/sessioncache/redisstore"
	"github.com/serverdev/stdweb/sessioncache/redisstore/redistest"
	"github.com/serverdev/stdweb/sessioncache/storetest"
)

func TestConformanceStandalone(t *testing.T) {
	srv := standalone(t)
	client := newClient(t, srv.Addr())
	storetest.Run(t, func(t *testing.T) sessioncache.Store {
		return redisstore.New(client, redisstore.Options{})
	})
}

func TestConformanceCluster(t *testing.T) {
	cluster := redistest.StartCluster(t, 3)
	client := newClient(t, cluster.Addrs()...)
	storetest.Run(t, func(t *testing.T) sessioncache.Store {
		return redisstore.New(client, redisstore.Options{Prefix: "conf:"})
	})
}

func TestConformanceNoCache(t *testing.T) {
	srv := standalone(t)
	client := newClient(t, srv.Addr())
	storetest.Run(t, func(t *testing.T) sessioncache.Store {
		return redisstore.New(client, redisstore.Options{CacheTTL: -1})
	})
}
