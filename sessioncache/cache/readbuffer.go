package cache

import (
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"unsafe"
)

const (
	ringSize  = 64 // read records per stripe; a power of two
	cacheLine = 64
)

// readStripe is one lossy ring of access records (Caffeine's striped ring
// buffer): many goroutines offer, only the maintenance pass drains. A full
// ring refuses the record; losing it only costs the policy a hint. Read
// stripes also count hits and misses, so statistics share their cache line
// instead of contending on a global counter. A read stripe's ring records
// hits only (in-place updates go to the write stripes), so its tail counts
// the hits it recorded and hits counts the others: a recorded hit costs no
// atomic add of its own, and both counters only grow, so Stats snapshots
// never go backwards.
type readStripe[K comparable, V any] struct {
	head     atomic.Uint64 // next slot to drain (owner: maintenance)
	_        [cacheLine - 8]byte
	tail     atomic.Uint64 // next slot to fill; on a read stripe, the hits recorded
	hits     atomic.Uint64 // hits not recorded in the ring
	misses   atomic.Uint64
	replaced atomic.Uint64
	_        [cacheLine - 32]byte
	slots    [ringSize]atomic.Pointer[node[K, V]]
}

type readBuffer[K comparable, V any] struct {
	stripes []readStripe[K, V] // reads
	writes  []readStripe[K, V] // in-place updates, which the policy takes as accesses
	shift   uint               // 64 - log2(len(stripes))
	wshift  uint               // 64 - log2(len(writes))
	salt    uint64             // per cache: which goroutines share a stripe differs between caches
}

// stripesPerProc is how many read stripes a cache has per GOMAXPROCS, up
// to maxStripes. Two goroutines that land on one stripe contend on its
// counters on every Get (a 3-4× slower Get on this project's 2-CPU
// machine), so the stripes are many: with 16 per processor two busy
// goroutines share one in about 1 cache of 32, where 4 per processor
// (Caffeine's count) made it 1 in 8. A stripe is 640 bytes. Updates in
// place are rarer than reads and need no counters: they get a quarter as
// many stripes (the same type, whose counters stay unused), 5 KiB on 2
// CPUs and 10 KiB from 3 up.
const (
	stripesPerProc = 16
	maxStripes     = 64
)

func newReadBuffer[K comparable, V any]() readBuffer[K, V] {
	n, shift := 1, uint(64)
	for n < stripesPerProc*runtime.GOMAXPROCS(0) && n < maxStripes {
		n, shift = n<<1, shift-1
	}
	// n is at least stripesPerProc (16), so n/4 write stripes is a power of
	// two too.
	return readBuffer[K, V]{
		stripes: make([]readStripe[K, V], n),
		writes:  make([]readStripe[K, V], n/4),
		shift:   shift,
		wshift:  shift + 2,
		salt:    rand.Uint64(),
	}
}

// stripe picks a read stripe for the calling goroutine from the address of
// a stack variable: goroutines have distinct stacks, so concurrent callers
// mostly land on distinct stripes, and one goroutine keeps its stripe.
func (b *readBuffer[K, V]) stripe() *readStripe[K, V] { return b.pick(b.stripes, b.shift) }

// writeStripe picks a write stripe for the calling goroutine, as stripe
// does.
func (b *readBuffer[K, V]) writeStripe() *readStripe[K, V] { return b.pick(b.writes, b.wshift) }

func (b *readBuffer[K, V]) pick(stripes []readStripe[K, V], shift uint) *readStripe[K, V] {
	var marker byte
	return &stripes[stripeIndex(uint64(uintptr(unsafe.Pointer(&marker))), b.salt, shift)]
}

// stripeIndex hashes a stack address to a stripe index below 1<<(64-shift).
// The bits below 1 KiB depend on the call depth, not on the goroutine, and
// are dropped. The rest is mixed with the cache's salt by a full 64-bit
// mixer (SplitMix64's finalizer) whose top bits pick the stripe. Goroutine
// stacks come from a small pool and are reused run after run: unsalted, the
// same pair of goroutines would share a stripe in every cache of the
// process; salted but only multiplied, pairs whose addresses differ in one
// bit would share one whatever the salt. Mixed, any pair shares a stripe in
// about one cache in 1<<(64-shift).
func stripeIndex(addr, salt uint64, shift uint) uint64 {
	h := addr>>10 ^ salt
	h = (h ^ h>>30) * 0xbf58476d1ce4e5b9
	h = (h ^ h>>27) * 0x94d049bb133111eb
	return (h ^ h>>31) >> shift
}

// offer records an access and reports whether it did: not when the ring is
// full, nor when another goroutine claimed the slot first (a lost record
// is allowed).
func (s *readStripe[K, V]) offer(n *node[K, V]) bool {
	head := s.head.Load()
	tail := s.tail.Load()
	if tail-head >= ringSize || !s.tail.CompareAndSwap(tail, tail+1) {
		return false
	}
	s.slots[tail&(ringSize-1)].Store(n)
	return true
}

// drain hands every published record to f. Only one goroutine drains at a
// time (the eviction lock's holder).
func (s *readStripe[K, V]) drain(f func(*node[K, V])) {
	head := s.head.Load()
	tail := s.tail.Load()
	for ; head != tail; head++ {
		slot := &s.slots[head&(ringSize-1)]
		n := slot.Load()
		if n == nil {
			break // claimed but not yet stored; pick it up next time
		}
		slot.Store(nil)
		f(n)
	}
	s.head.Store(head)
}

// full reports whether the ring has no free slot. It loads head before
// tail: a drain may move head past a tail loaded earlier, and the
// difference would wrap.
func (s *readStripe[K, V]) full() bool {
	head := s.head.Load()
	return s.tail.Load()-head >= ringSize
}
