package cache

import (
	"runtime"
	"sync/atomic"
)

// Queues a node can be in, for the eviction policy.
const (
	queueNone uint8 = iota // not (or no longer) tracked by the policy
	queueWindow
	queueProbation
	queueProtected
	queuePinned // weight zero: tracked, but never a size victim
)

// Node states.
const (
	stateAlive uint32 = iota
	stateDead         // removed from the hash table
)

// node is one entry. The key and hash never change. The value is guarded
// by seq, which is both the writers' lock (odd while held) and, on
// platforms where it is safe, a seqlock for lock-free reads.
// The fields after the first block belong to the eviction policy and the
// timer wheel and are touched only under the cache's eviction lock.
type node[K comparable, V any] struct {
	key   K
	hash  uint64
	chain atomic.Pointer[node[K, V]] // next node in the hash bucket
	seq   atomic.Uint32
	state atomic.Uint32
	value V

	expiresAt atomic.Int64  // cache nanotime; 0 means never
	writeTime atomic.Int64  // cache nanotime of the last write
	weight    atomic.Uint32 // the weight the writer computed
	ver       atomic.Uint32 // incremented by every write, under the lock
	fixedTTL  atomic.Bool   // deadline set per entry; reads do not extend it

	// Policy fields (eviction lock).
	prev, next   *node[K, V] // access-order deque
	tprev, tnext *node[K, V] // timer wheel bucket
	policyWeight uint32
	queue        uint8
}

// lock takes the node's write lock: seq becomes odd.
func (n *node[K, V]) lock() {
	for spins := 0; ; spins++ {
		s := n.seq.Load()
		if s&1 == 0 && n.seq.CompareAndSwap(s, s+1) {
			return
		}
		if spins > 16 {
			runtime.Gosched()
		}
	}
}

// unlock releases the write lock: seq becomes even and larger than before.
func (n *node[K, V]) unlock() { n.seq.Add(1) }

func (n *node[K, V]) alive() bool { return n.state.Load() == stateAlive }
