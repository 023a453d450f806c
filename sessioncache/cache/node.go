package cache

import (
	"runtime"
	"sync/atomic"
)

// Queues a node can be in, for the eviction policy.
const (
	queueNone      uint32 = iota // not (or no longer) tracked by the policy
	queueWindow                  // admission window
	queueProbation               // main region, seen once there
	queueProtected               // main region, seen again
	queuePinned                  // tracked without a list (unbounded caches)

	// queueProtectedUsed is queueProtected for an entry read since the
	// protected segment's clock hand last passed it; queue reports it as
	// queueProtected.
	queueProtectedUsed
)

const queueShift = 29 // pw's bits above the weight hold the queue

// seq bits: the writers' lock, the removal mark, and a write count above.
const (
	seqLocked = 1
	seqDead   = 2
	seqWrite  = 4
)

// node is one entry: 64 bytes for 8-byte keys and values. The key and hash
// never change. The value is guarded by seq, which is both the writers'
// lock (bit 0) and, where safe, a seqlock for lock-free reads; bit 1 marks
// a node removed from the table; the rest counts writes. prev, next and pw
// belong to the eviction policy (eviction lock). Nodes that can expire are
// allocated together with their expiry fields (timedNode), so they stay one
// allocation, and nodes that cannot do not pay for them.
type node[K comparable, V any] struct {
	key        K
	value      V
	chain      atomic.Pointer[node[K, V]] // next node in the hash bucket
	exp        *expiry[K, V]
	prev, next *node[K, V] // the policy's list: access order, or clock order in protected
	hash       uint32
	seq        atomic.Uint32
	weight     atomic.Uint32 // the weight the last writer computed
	pw         uint32        // policy: queue<<queueShift | accounted weight
}

// expiry holds the time fields of a node that can expire or be refreshed.
type expiry[K comparable, V any] struct {
	expiresAt    atomic.Int64 // cache nanotime; 0 means never
	writeTime    atomic.Int64 // cache nanotime of the last write
	fixed        atomic.Bool  // deadline set per entry; reads do not extend it
	tprev, tnext *node[K, V]  // timer wheel bucket (eviction lock)
}

type timedNode[K comparable, V any] struct {
	node node[K, V]
	exp  expiry[K, V]
}

func newNode[K comparable, V any](key K, hash uint32, value V, timed bool) *node[K, V] {
	if timed {
		t := &timedNode[K, V]{node: node[K, V]{key: key, value: value, hash: hash}}
		t.node.exp = &t.exp
		return &t.node
	}
	return &node[K, V]{key: key, value: value, hash: hash}
}

// lock takes the node's write lock and returns the seq value to pass to
// unlock.
func (n *node[K, V]) lock() uint32 {
	for spins := 0; ; spins++ {
		s := n.seq.Load()
		if s&seqLocked == 0 && n.seq.CompareAndSwap(s, s|seqLocked) {
			return s
		}
		if spins > 16 {
			runtime.Gosched()
		}
	}
}

// unlock releases the lock after a write, counting it.
func (n *node[K, V]) unlock(s uint32) { n.seq.Store(s + seqWrite) }

// unlockDead releases the lock, marking the node removed.
func (n *node[K, V]) unlockDead(s uint32) { n.seq.Store((s | seqDead) + seqWrite) }

// unlockRead releases the lock after a read, leaving seq as it was.
func (n *node[K, V]) unlockRead(s uint32) { n.seq.Store(s) }

func (n *node[K, V]) alive() bool { return n.seq.Load()&seqDead == 0 }

// version changes with every write and removal.
func (n *node[K, V]) version() uint32 { return n.seq.Load() &^ seqLocked }

func (n *node[K, V]) deadline() int64 {
	if n.exp == nil {
		return 0
	}
	return n.exp.expiresAt.Load()
}

func (n *node[K, V]) setQueue(q uint32) { n.pw = q<<queueShift | n.pw&MaxWeight }

func (n *node[K, V]) queue() uint32 {
	if q := n.pw >> queueShift; q != queueProtectedUsed {
		return q
	}
	return queueProtected
}

// used reports whether a protected entry was read since the clock hand
// last passed it.
func (n *node[K, V]) used() bool               { return n.pw>>queueShift == queueProtectedUsed }
func (n *node[K, V]) policyWeight() uint32     { return n.pw & MaxWeight }
func (n *node[K, V]) setPolicyWeight(w uint32) { n.pw = n.pw&^MaxWeight | w }
