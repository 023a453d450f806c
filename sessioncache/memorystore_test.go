package sessioncache_test

import (
	"testing"

	"github.com/serverdev/stdweb/sessioncache"
	"github.com/serverdev/stdweb/sessioncache/storetest"
)

func TestMemoryStoreConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) sessioncache.Store {
		s := sessioncache.NewMemoryStore(sessioncache.MemoryOptions{CleanupInterval: 20e6})
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestMemoryStoreConformanceOneShard(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) sessioncache.Store {
		s := sessioncache.NewMemoryStore(sessioncache.MemoryOptions{Shards: 1, CleanupInterval: -1})
		t.Cleanup(func() { s.Close() })
		return s
	})
}
