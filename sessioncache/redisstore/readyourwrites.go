package redisstore

import (
	"sync"
	"sync/atomic"
	"time"
)

// Read-your-writes on one node.
//
// Redis tells a client that a cached key changed with an invalidation
// message. For a change made on the client's own connection, Redis sends
// that message just after the reply to the change, so a read made right
// after a write returns can still find the old value in the node-local cache
// for a moment. To give a node's own writes read-your-writes consistency,
// every write stores a version in the hash (m:ver: the server's clock in
// microseconds, kept increasing per key) and the Store remembers the version
// of its last write of each session until its cache has caught up: Find
// ignores a cached copy older than that version and reads Redis directly.

// pendingMax is how long a write is remembered at most. The invalidation of
// the cached copy arrives right after the write's reply on the same
// connection, and rueidis drops its whole cache when a connection breaks, so
// a cache cannot lag behind a write of its own node for this long.
const pendingMax = time.Second

// sweepEvery is how many writes pass between sweeps of forgotten entries.
const sweepEvery = 1024

// pendingWrite is the last write of one session by this Store.
type pendingWrite struct {
	ver     int64 // version of the write
	deleted bool  // the write deleted the session
	at      time.Time
}

// recentWrites remembers, per session id, this Store's last write that the
// node-local cache may not show yet.
type recentWrites struct {
	m      sync.Map // id → pendingWrite
	writes atomic.Uint64
}

// note records a write of id at version ver, keeping the highest version
// when writes of one session race.
func (r *recentWrites) note(id string, ver int64, deleted bool) {
	p := pendingWrite{ver: ver, deleted: deleted, at: time.Now()}
	for {
		old, loaded := r.m.LoadOrStore(id, p)
		if !loaded {
			break
		}
		if old.(pendingWrite).ver >= ver || r.m.CompareAndSwap(id, old, p) {
			break
		}
	}
	if r.writes.Add(1)%sweepEvery == 0 {
		r.sweep()
	}
}

// stale reports whether a cached copy of id at version ver (empty when the
// cache holds no session) may predate this Store's last write of id. Once
// the cache has caught up, the write is forgotten.
func (r *recentWrites) stale(id string, ver int64, empty bool) bool {
	v, ok := r.m.Load(id)
	if !ok {
		return false
	}
	p := v.(pendingWrite)
	if (p.deleted && (empty || ver > p.ver)) || (!p.deleted && !empty && ver >= p.ver) {
		r.m.CompareAndDelete(id, v)
		return false
	}
	if time.Since(p.at) > pendingMax {
		r.m.CompareAndDelete(id, v)
	}
	return true
}

// sweep forgets writes older than pendingMax.
func (r *recentWrites) sweep() {
	now := time.Now()
	r.m.Range(func(k, v any) bool {
		if now.Sub(v.(pendingWrite).at) > pendingMax {
			r.m.CompareAndDelete(k, v)
		}
		return true
	})
}
