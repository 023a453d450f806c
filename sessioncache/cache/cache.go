package cache

import (
	"context"
	"iter"
	"math"
	"math/bits"
	"sync"
	"sync/atomic"
	"time"
)

const (
	shardCount = 64 // a power of two, at most 64 (the dirty mask)
	shardShift = 32 - 6
)

// Cache is a concurrent in-memory cache from keys of type K to values of
// type V. It is safe for use by multiple goroutines. Create one with New.
type Cache[K comparable, V any] struct {
	shards []shard[K, V]
	hasher hasher[K]
	reads  readBuffer[K, V]

	weigher    func(K, V) uint32
	onEviction func(K, V, EvictionCause)
	clock      Clock
	epoch      time.Time
	eaw, eaa   int64
	refresh    int64
	timed      bool // some option needs the time on every write
	bounded    bool

	// recordReads turns on once the cache is half full, as in Caffeine:
	// until then nothing is evicted and the frequency sketch does not
	// exist, so reads skip the read buffer.
	recordReads atomic.Bool

	_            [cacheLine]byte // keep writers' counters off the read-mostly fields
	pendingCount atomic.Int64
	dirty        atomic.Uint64 // shards with pending tasks
	// maxPending bounds the policy work writers may queue before a writer
	// waits for the eviction lock instead of only trying it, and so how far
	// the cache can outgrow its bound while a maintainer is descheduled.
	maxPending int64
	_          [cacheLine]byte

	evictMu  sync.Mutex
	policy   policy[K, V]
	wheel    *timerWheel[K, V]
	drainBuf []task[K, V]
	notes    []notification[K, V]
	evicted  [causeCount]atomic.Uint64

	loads        atomic.Uint64
	loadFailures atomic.Uint64

	closeCtx    context.Context
	closeCancel context.CancelFunc
	closed      atomic.Bool
	loaders     sync.WaitGroup
}

type notification[K comparable, V any] struct {
	key   K
	value V
	cause EvictionCause
}

// New returns a cache configured by opts, or an error wrapping
// ErrInvalidOptions when the options contradict each other.
func New[K comparable, V any](opts Options[K, V]) (*Cache[K, V], error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	c := &Cache[K, V]{
		shards:     make([]shard[K, V], shardCount),
		hasher:     newHasher[K](),
		reads:      newReadBuffer[K, V](),
		weigher:    opts.Weigher,
		onEviction: opts.OnEviction,
		clock:      opts.Clock,
		eaw:        int64(opts.ExpireAfterWrite),
		eaa:        int64(opts.ExpireAfterAccess),
		refresh:    int64(opts.RefreshAfterWrite),
	}
	if c.clock == nil {
		c.clock = systemClock{}
	}
	c.epoch = c.clock.Now()
	c.timed = c.eaw > 0 || c.eaa > 0 || c.refresh > 0
	perShard := opts.InitialCapacity / shardCount
	for i := range c.shards {
		c.shards[i].table.Store(newTable[K, V](perShard))
		c.shards[i].calls = make(map[K]*call[K, V])
	}
	var maximum uint64
	switch {
	case opts.MaximumSize > 0:
		maximum = uint64(opts.MaximumSize)
	case opts.MaximumWeight > 0:
		maximum = opts.MaximumWeight
	}
	c.maxPending = 128
	if maximum > 0 {
		c.maxPending = int64(min(128, max(16, maximum/16)))
		c.bounded = true
		c.policy.init(maximum, opts.Weigher != nil)
	}
	c.closeCtx, c.closeCancel = context.WithCancel(context.Background())
	return c, nil
}

// MustNew is like New but panics on invalid options. It suits options
// written in the program's source.
func MustNew[K comparable, V any](opts Options[K, V]) *Cache[K, V] {
	c, err := New(opts)
	if err != nil {
		panic(err)
	}
	return c
}

func (c *Cache[K, V]) now() int64 { return int64(c.clock.Now().Sub(c.epoch)) }

func (c *Cache[K, V]) shardFor(h uint32) *shard[K, V] { return &c.shards[h>>shardShift] }

// hash folds the key's 64-bit seeded hash to the 32 bits a node keeps.
func (c *Cache[K, V]) hash(key K) uint32 {
	h := c.hasher.hash(key)
	return uint32(h) ^ uint32(h>>32)
}

// Get returns the value stored for key and whether it was found. An entry
// whose expiration time passed is not found.
func (c *Cache[K, V]) Get(key K) (V, bool) {
	h := c.hash(key)
	s := c.shardFor(h)
	n := s.first(h, key)
	if n == nil {
		n = s.find(h, key)
	}
	st := c.reads.stripe()
	if n == nil || !c.live(n) {
		st.misses.Add(1)
		var zero V
		return zero, false
	}
	v, ok := n.tryLoad()
	if !ok {
		v = n.load()
	}
	if !c.recordReads.Load() || !c.record(st, n) {
		st.hits.Add(1) // recordHit, inlined
	}
	return v, true
}

// live reports whether n has not expired, extending its deadline when the
// cache expires entries after access. It inlines; timed nodes take a call.
func (c *Cache[K, V]) live(n *node[K, V]) bool {
	return n.exp == nil || c.liveTimed(n, n.exp)
}

func (c *Cache[K, V]) liveTimed(n *node[K, V], e *expiry[K, V]) bool {
	exp := e.expiresAt.Load()
	if exp == 0 {
		return true
	}
	now := c.now()
	if now >= exp {
		return false
	}
	if c.eaa > 0 && !e.fixed.Load() {
		next := after(now, c.eaa)
		if c.eaw > 0 {
			next = min(next, after(e.writeTime.Load(), c.eaw))
		}
		if next > exp {
			e.expiresAt.CompareAndSwap(exp, next)
		}
	}
	return true
}

// record tells the policy about an access to n and reports whether st's
// ring took the record. Callers check recordReads first, so that the path
// of a cache that records nothing stays inlined.
func (c *Cache[K, V]) record(st *readStripe[K, V], n *node[K, V]) bool {
	if st.offer(n) {
		return true
	}
	if !st.full() {
		return false // another goroutine took the slot; the record is lost
	}
	// The stripe is full: apply it, then record this access after all;
	// under contention the second offer may still lose the record.
	c.tryMaintenance()
	return st.offer(n)
}

// recordHit counts a hit on n and records the read for the policy. A
// recorded hit is counted by st's tail. Get and GetOrLoad spell it out, so
// that a hit in a cache that records no reads (one not yet half full)
// costs no call.
func (c *Cache[K, V]) recordHit(st *readStripe[K, V], n *node[K, V]) {
	if !c.recordReads.Load() || !c.record(st, n) {
		st.hits.Add(1)
	}
}

// recordWrite records an in-place update of n as an access for the policy
// (Caffeine's write-as-access), in a write stripe: it is not a hit.
func (c *Cache[K, V]) recordWrite(n *node[K, V]) {
	if c.recordReads.Load() {
		c.record(c.reads.writeStripe(), n)
	}
}

// Set stores value for key, replacing any previous value. The entry
// expires as configured by the options.
func (c *Cache[K, V]) Set(key K, value V) {
	c.put(key, value, 0)
}

// SetWithTTL stores value for key to expire ttl from now, whatever the
// options say; reads do not extend this deadline. A ttl of zero or less
// behaves like Set.
func (c *Cache[K, V]) SetWithTTL(key K, value V, ttl time.Duration) {
	c.put(key, value, max(int64(ttl), 0))
}

// write describes one store.
type write[V any] struct {
	value    V
	weight   uint32
	now      int64 // -1 when not yet read
	deadline int64
	fixed    bool
	match    bool // store only if the node's version is still version
	version  uint32
}

func (c *Cache[K, V]) newWrite(key K, value V, ttl int64) write[V] {
	w := write[V]{value: value, weight: 1, now: -1, fixed: ttl > 0}
	if c.weigher != nil {
		w.weight = min(c.weigher(key, value), MaxWeight)
	}
	if c.timed || ttl > 0 {
		w.now = c.now()
		switch {
		case ttl > 0:
			w.deadline = after(w.now, ttl)
		case c.eaw > 0 && c.eaa > 0:
			w.deadline = after(w.now, min(c.eaw, c.eaa))
		case c.eaw > 0:
			w.deadline = after(w.now, c.eaw)
		case c.eaa > 0:
			w.deadline = after(w.now, c.eaa)
		}
	}
	return w
}

// after returns the time d (not negative) after t, saturating instead of
// overflowing into the past for durations meaning "practically never".
func after(t, d int64) int64 {
	if s := t + d; s >= t {
		return s
	}
	return math.MaxInt64
}

func (c *Cache[K, V]) put(key K, value V, ttl int64) {
	h := c.hash(key)
	s := c.shardFor(h)
	w := c.newWrite(key, value, ttl)
	if n := s.find(h, key); n != nil {
		// Replace in place, without the shard lock, when the node is live.
		if old, cause, needTask, ok := c.update(n, &w); ok {
			if needTask {
				s.mu.Lock()
				if n.alive() {
					c.enqueueLocked(s, n, taskUpdate)
				}
				s.mu.Unlock()
				c.afterWrite()
			} else {
				c.recordWrite(n)
			}
			c.notify(key, old, cause)
			return
		}
	}
	s.mu.Lock()
	c.invalidateLoadLocked(s, key)
	old, cause, replaced := c.putLocked(s, h, key, &w)
	s.mu.Unlock()
	c.afterWrite()
	if replaced {
		c.notify(key, old, cause)
	}
}

// putLocked stores w for key under the shard lock, inserting a node or
// replacing the value of the existing one.
func (c *Cache[K, V]) putLocked(s *shard[K, V], h uint32, key K, w *write[V]) (old V, cause EvictionCause, replaced bool) {
	if n := s.findLocked(h, key); n != nil {
		prev, why, needTask, ok := c.update(n, w)
		if ok {
			if needTask {
				c.enqueueLocked(s, n, taskUpdate)
			}
			return prev, why, true
		}
		// The node cannot hold a deadline: replace it with one that can.
		old, cause = c.removeLocked(s, n)
		if cause == CauseExplicit {
			cause = CauseReplaced
			c.evicted[CauseExplicit].Add(^uint64(0))
			c.reads.stripe().replaced.Add(1)
		}
		replaced = true
	}
	timed := c.timed || w.deadline != 0
	n := newNode(key, h, w.value, timed)
	n.weight.Store(w.weight)
	if timed {
		n.exp.expiresAt.Store(w.deadline)
		n.exp.writeTime.Store(max(w.now, 0))
		n.exp.fixed.Store(w.fixed)
	}
	s.insertLocked(n)
	c.enqueueLocked(s, n, taskAdd)
	return old, cause, replaced
}

// update replaces n's value if n is still in the table. It reports the old
// value, why it left, and whether the policy must hear of the change (a new
// weight or an earlier deadline) rather than of a mere access.
func (c *Cache[K, V]) update(n *node[K, V], w *write[V]) (old V, cause EvictionCause, needTask, ok bool) {
	e := n.exp
	if e == nil && w.deadline != 0 {
		return old, 0, false, false // needs a node with expiry fields
	}
	s := n.lock()
	if s&seqDead != 0 || (w.match && s != w.version) {
		n.unlockRead(s)
		return old, 0, false, false
	}
	old = n.value
	cause = CauseReplaced
	var oldExp int64
	if e != nil {
		oldExp = e.expiresAt.Load()
		if oldExp != 0 {
			if w.now < 0 {
				w.now = c.now()
			}
			if w.now >= oldExp {
				cause = CauseExpired
			}
		}
	}
	n.value = w.value
	if e != nil {
		e.expiresAt.Store(w.deadline)
		e.fixed.Store(w.fixed)
		if w.now >= 0 {
			e.writeTime.Store(w.now)
		}
	}
	oldWeight := w.weight
	if c.weigher != nil {
		oldWeight = n.weight.Swap(w.weight)
	}
	n.unlock(s)
	needTask = oldWeight != w.weight || (w.deadline != 0 && (oldExp == 0 || w.deadline < oldExp))
	if cause == CauseExpired {
		c.evicted[CauseExpired].Add(1)
	} else {
		c.reads.stripe().replaced.Add(1)
	}
	return old, cause, needTask, true
}

// enqueueLocked queues policy work; s.mu must be held.
func (c *Cache[K, V]) enqueueLocked(s *shard[K, V], n *node[K, V], kind uint8) {
	s.pending = append(s.pending, task[K, V]{n: n, kind: kind})
	c.dirty.Or(1 << (n.hash >> shardShift))
	c.pendingCount.Add(1)
}

// Delete removes the entry for key, if any, and reports whether a live
// entry was removed. A load of key in flight will not store its value.
func (c *Cache[K, V]) Delete(key K) bool {
	h := c.hash(key)
	s := c.shardFor(h)
	s.mu.Lock()
	c.invalidateLoadLocked(s, key)
	n := s.findLocked(h, key)
	if n == nil {
		s.mu.Unlock()
		return false
	}
	old, cause := c.removeLocked(s, n)
	s.mu.Unlock()
	c.afterWrite()
	c.notify(key, old, cause)
	return cause == CauseExplicit
}

// removeLocked unlinks a live node on behalf of a caller; s.mu must be held.
func (c *Cache[K, V]) removeLocked(s *shard[K, V], n *node[K, V]) (V, EvictionCause) {
	seq := n.lock()
	old := n.value
	exp := n.deadline()
	n.unlockDead(seq)
	s.unlinkLocked(n)
	c.enqueueLocked(s, n, taskRemove)
	cause := CauseExplicit
	if exp != 0 && c.now() >= exp {
		cause = CauseExpired
	}
	c.evicted[cause].Add(1)
	return old, cause
}

// Len returns the number of entries in the cache, including expired ones
// not yet removed.
func (c *Cache[K, V]) Len() int {
	var n int64
	for i := range c.shards {
		n += c.shards[i].count.Load()
	}
	return int(n)
}

// Clear removes every entry. Loads in flight will not store their values.
func (c *Cache[K, V]) Clear() {
	for i := range c.shards {
		s := &c.shards[i]
		var notes []notification[K, V]
		s.mu.Lock()
		for k, cl := range s.calls {
			cl.invalidated = true
			delete(s.calls, k)
		}
		t := s.table.Load()
		for b := range t.buckets {
			for n := t.buckets[b].Load(); n != nil; {
				next := n.chain.Load()
				old, cause := c.removeLocked(s, n)
				if c.onEviction != nil {
					notes = append(notes, notification[K, V]{n.key, old, cause})
				}
				n = next
			}
		}
		s.mu.Unlock()
		c.notifyAll(notes)
	}
	c.afterWrite()
}

// All returns an iterator over the live entries. It reflects some but
// not necessarily all changes made while it runs, like sync.Map.Range.
func (c *Cache[K, V]) All() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		var nodes []*node[K, V]
		for i := range c.shards {
			s := &c.shards[i]
			nodes = nodes[:0]
			s.mu.Lock()
			t := s.table.Load()
			for b := range t.buckets {
				for n := t.buckets[b].Load(); n != nil; n = n.chain.Load() {
					nodes = append(nodes, n)
				}
			}
			s.mu.Unlock()
			for _, n := range nodes {
				if !n.alive() || !c.live(n) {
					continue
				}
				if !yield(n.key, n.load()) {
					return
				}
			}
		}
	}
}

// GetAll returns the live entries for keys, in a new map.
func (c *Cache[K, V]) GetAll(keys []K) map[K]V {
	m := make(map[K]V, len(keys))
	for _, k := range keys {
		if v, ok := c.Get(k); ok {
			m[k] = v
		}
	}
	return m
}

// CleanUp runs the maintenance the cache otherwise runs by itself as
// operations go: it applies the buffered reads and writes to the policy,
// removes expired entries (calling OnEviction for them) and evicts down to
// the bound. It waits for a maintenance pass running on another goroutine.
// Tests and simulations call it to observe a settled cache.
func (c *Cache[K, V]) CleanUp() {
	c.evictMu.Lock()
	c.maintainLocked()
	notes := c.takeNotesLocked()
	c.evictMu.Unlock()
	c.notifyAll(notes)
}

// Close cancels loads in flight and waits for every goroutine the cache
// started. Later loads fail with ErrClosed; the other methods keep working.
func (c *Cache[K, V]) Close() {
	c.closed.Store(true)
	// Loads register under a shard lock after checking closed; passing
	// through every shard lock orders each registration before Wait.
	for i := range c.shards {
		c.shards[i].mu.Lock()
		c.shards[i].mu.Unlock()
	}
	c.closeCancel()
	c.loaders.Wait()
}

func (c *Cache[K, V]) afterWrite() {
	if c.pendingCount.Load() > c.maxPending {
		c.CleanUp()
		return
	}
	c.tryMaintenance()
}

// tryMaintenance runs maintenance unless another goroutine is at it. The
// holder looks again after unlocking, so no queued work is stranded.
func (c *Cache[K, V]) tryMaintenance() {
	for c.evictMu.TryLock() {
		c.maintainLocked()
		notes := c.takeNotesLocked()
		c.evictMu.Unlock()
		c.notifyAll(notes)
		if c.pendingCount.Load() <= 0 {
			return
		}
	}
}

func (c *Cache[K, V]) maintainLocked() {
	if c.recordReads.Load() {
		for i := range c.reads.stripes {
			c.reads.stripes[i].drain(c.onAccess)
		}
		for i := range c.reads.writes {
			c.reads.writes[i].drain(c.onAccess)
		}
	}
	c.drainWrites()
	if c.wheel != nil {
		c.wheel.advance(c.now(), c.expireNode)
	}
	if c.bounded {
		c.evictEntries()
		c.climb()
		if !c.recordReads.Load() && c.policy.sketch.table != nil {
			c.recordReads.Store(true)
		}
	}
}

func (c *Cache[K, V]) drainWrites() {
	for mask := c.dirty.Swap(0); mask != 0; mask &= mask - 1 {
		s := &c.shards[bits.TrailingZeros64(mask)]
		s.mu.Lock()
		c.drainBuf = append(c.drainBuf[:0], s.pending...)
		clear(s.pending)
		s.pending = s.pending[:0]
		c.pendingCount.Add(-int64(len(c.drainBuf)))
		s.mu.Unlock()
		for _, t := range c.drainBuf {
			c.apply(t)
		}
		clear(c.drainBuf)
	}
}

func (c *Cache[K, V]) apply(t task[K, V]) {
	n := t.n
	switch t.kind {
	case taskAdd:
		if !n.alive() {
			return
		}
		w := n.weight.Load()
		if c.bounded {
			c.onAdd(n, w)
		} else {
			n.setQueue(queuePinned)
			n.setPolicyWeight(w)
		}
		c.scheduleExpiry(n)
	case taskUpdate:
		if n.queue() == queueNone {
			return
		}
		if c.bounded {
			c.onUpdate(n, n.weight.Load())
		}
		c.scheduleExpiry(n)
	case taskRemove:
		if n.queue() == queueNone {
			return
		}
		c.detach(n)
	}
}

func (c *Cache[K, V]) scheduleExpiry(n *node[K, V]) {
	exp := n.deadline()
	if exp == 0 {
		if c.wheel != nil {
			c.wheel.deschedule(n)
		}
		return
	}
	if c.wheel == nil {
		c.wheel = newTimerWheel[K, V](c.now())
	}
	c.wheel.schedule(n, exp)
}

// detach removes n from the policy and the timer wheel.
func (c *Cache[K, V]) detach(n *node[K, V]) {
	if c.bounded {
		c.policyRemove(n)
	}
	n.setQueue(queueNone)
	if c.wheel != nil {
		c.wheel.deschedule(n)
	}
}

func (c *Cache[K, V]) expireNode(n *node[K, V]) bool { return c.evictNode(n, CauseExpired) }

// evictNode removes n from the table for size or expiry, under the eviction
// lock. It reports false if n turned out to be live and not due (an
// expiry that a concurrent write postponed).
func (c *Cache[K, V]) evictNode(n *node[K, V], cause EvictionCause) bool {
	s := c.shardFor(n.hash)
	s.mu.Lock()
	if !n.alive() {
		s.mu.Unlock()
		c.detach(n)
		return true
	}
	seq := n.lock()
	if cause == CauseExpired {
		if exp := n.deadline(); exp == 0 || exp > c.wheel.nanos {
			n.unlockRead(seq)
			s.mu.Unlock()
			return false
		}
	}
	old := n.value
	n.unlockDead(seq)
	s.unlinkLocked(n)
	s.mu.Unlock()
	c.detach(n)
	c.evicted[cause].Add(1)
	if c.onEviction != nil {
		c.notes = append(c.notes, notification[K, V]{n.key, old, cause})
	}
	return true
}

func (c *Cache[K, V]) takeNotesLocked() []notification[K, V] {
	if len(c.notes) == 0 {
		return nil
	}
	notes := c.notes
	c.notes = nil
	return notes
}

func (c *Cache[K, V]) notify(key K, value V, cause EvictionCause) {
	if c.onEviction != nil {
		c.onEviction(key, value, cause)
	}
}

func (c *Cache[K, V]) notifyAll(notes []notification[K, V]) {
	for _, n := range notes {
		c.onEviction(n.key, n.value, n.cause)
	}
}
