package cache

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
	"unsafe"
)

func TestSketchCountsAndAges(t *testing.T) {
	var s sketch
	s.ensureCapacity(512)
	h := rand.Uint32()
	for i := range 20 {
		s.increment(h)
		if f := s.frequency(h); f != uint8(min(i+1, 15)) {
			t.Fatalf("after %d increments frequency = %d", i+1, f)
		}
	}
	if f := s.frequency(rand.Uint32()); f > 1 {
		t.Fatalf("unseen key has frequency %d", f)
	}
	// Enough other increments to reach the sample size halve the counts.
	for range s.sampleSize {
		s.increment(rand.Uint32())
	}
	if f := s.frequency(h); f > 8 {
		t.Fatalf("frequency %d after aging, want <= 8", f)
	}
}

func TestSketchEstimatesAreOrdered(t *testing.T) {
	var s sketch
	s.ensureCapacity(1024)
	hashes := make([]uint32, 500)
	for i := range hashes {
		hashes[i] = rand.Uint32()
		for range i % 10 {
			s.increment(hashes[i])
		}
	}
	wrong := 0
	for i := range hashes {
		if f := int(s.frequency(hashes[i])); f < i%10 { // count-min never underestimates
			t.Fatalf("key %d: estimate %d below true count %d", i, f, i%10)
		} else if f > i%10+1 {
			wrong++
		}
	}
	if wrong > len(hashes)/20 {
		t.Fatalf("%d of %d estimates overshoot by more than 1", wrong, len(hashes))
	}
}

func TestTimerWheelBuckets(t *testing.T) {
	w := newTimerWheel[int, int](0)
	var expired []int
	nodes := make([]*node[int, int], 0)
	delays := []time.Duration{time.Second, time.Minute, time.Hour, 20 * time.Hour, 5 * 24 * time.Hour, 40 * 24 * time.Hour}
	for i, d := range delays {
		n := newNode(i, 0, 0, true)
		n.setQueue(queuePinned)
		n.exp.expiresAt.Store(int64(d))
		w.schedule(n, int64(d))
		nodes = append(nodes, n)
	}
	// Descheduling one leaves the others alone.
	w.deschedule(nodes[2])
	w.deschedule(nodes[2])
	for _, d := range delays {
		w.advance(int64(d)+1<<31, func(n *node[int, int]) bool {
			expired = append(expired, n.key)
			return true
		})
	}
	want := []int{0, 1, 3, 4, 5}
	if len(expired) != len(want) {
		t.Fatalf("expired %v, want %v", expired, want)
	}
	for i := range want {
		if expired[i] != want[i] {
			t.Fatalf("expired %v, want %v (in deadline order)", expired, want)
		}
	}
}

func TestReadStripeIsLossyAndBounded(t *testing.T) {
	var s readStripe[int, int]
	n := &node[int, int]{}
	for range ringSize {
		if !s.offer(n) {
			t.Fatal("offer refused before the ring was full")
		}
	}
	if s.offer(n) || !s.full() {
		t.Fatal("full ring accepted a record")
	}
	count := 0
	s.drain(func(*node[int, int]) { count++ })
	if count != ringSize || s.full() {
		t.Fatalf("drained %d", count)
	}
}

func TestHasherSeeds(t *testing.T) {
	a, b := newHasher[int](), newHasher[int]()
	if a.hash(42) == b.hash(42) {
		t.Fatal("two caches share a hash seed")
	}
	if a.hash(42) != a.hash(42) {
		t.Fatal("hash is not deterministic within a cache")
	}
	s := newHasher[string]()
	if s.hash("x") != s.hash("x") || s.hash("x") == s.hash("y") {
		t.Fatal("string hash misbehaves")
	}
	u8 := newHasher[uint8]()
	u16 := newHasher[int16]()
	u32 := newHasher[uint32]()
	if u8.hash(1) == u8.hash(2) || u16.hash(1) == u16.hash(2) || u32.hash(1) == u32.hash(2) {
		t.Fatal("small integer hashes collide")
	}
}

func TestNodeSize(t *testing.T) {
	// A node of 8-byte key and value fills one 64-byte size class.
	if got := unsafe.Sizeof(node[uint64, uint64]{}); got != 64 {
		t.Fatalf("node size = %d, want 64", got)
	}
}

func TestMaxWeightFitsPolicyBits(t *testing.T) {
	if MaxWeight != 1<<queueShift-1 {
		t.Fatalf("MaxWeight %d does not match queueShift %d", MaxWeight, queueShift)
	}
	n := newNode(1, 0, 1, false)
	n.setPolicyWeight(MaxWeight)
	n.setQueue(queuePinned)
	if n.queue() != queuePinned || n.policyWeight() != MaxWeight {
		t.Fatalf("packed state: queue %d weight %d", n.queue(), n.policyWeight())
	}
}

func TestClimberHoldsOnNoise(t *testing.T) {
	c := &Cache[int, int]{}
	c.policy.init(1000, false)
	c.policy.sketch.ensureCapacity(1000)
	n := int64(c.policy.sketch.sampleSize)
	tests := []struct {
		name   string
		hits   int64 // of n requests
		adjust int64
	}{
		{"first sample steps in the initial direction (shrink the window)", n / 2, -62},
		{"a change within the noise holds still", n/2 + n/1000, 0},
		{"a significant fall reverses", n/2 - n/30, 62},
		{"a significant rise keeps the direction with a decayed step", n / 2, 61},
		{"a jump of at least 5 pp reverses and restarts the step", n/2 - n/10, -60},
		{"then a full step again", n/2 - n/15, -62},
	}
	for _, tt := range tests {
		c.policy.hitsInSample, c.policy.missesInSample = tt.hits, n-tt.hits
		c.determineAdjustment()
		if c.policy.adjustment != tt.adjust {
			t.Fatalf("%s: adjustment %d, want %d", tt.name, c.policy.adjustment, tt.adjust)
		}
		if c.policy.hitsInSample != 0 || c.policy.missesInSample != 0 {
			t.Fatalf("%s: sample not reset", tt.name)
		}
	}
}

// TestStripeIndexSpreadsStacks: whatever two stacks a pair of goroutines
// has, near (small stacks in one page) or far, they share a stripe in about
// one cache in stripes, not in every cache.
func TestStripeIndexSpreadsStacks(t *testing.T) {
	pairs := [][2]uint64{
		{0x1fefce34b72f, 0x1fefce34cf2f}, // seen from two b.RunParallel goroutines
		{0x1fefce3f1f2f, 0x1fefce34af2f},
		{0xc000100000, 0xc000100800}, // 2 KiB stacks side by side
		{0xc000100000, 0xc000101000},
		{0xc000100000, 0xc000102000},
	}
	const caches = 20_000
	for _, bits := range []uint{3, 5, 6} {
		stripes := uint64(1) << bits
		for _, p := range pairs {
			shared := 0
			for range caches {
				salt := rand.Uint64()
				if stripeIndex(p[0], salt, 64-bits) == stripeIndex(p[1], salt, 64-bits) {
					shared++
				}
			}
			if got, want := float64(shared)/caches, 1/float64(stripes); got > 1.5*want {
				t.Errorf("%d stripes: stacks %#x and %#x share a stripe in %.3f of caches, want about %.3f", stripes, p[0], p[1], got, want)
			}
		}
	}
	// A goroutine keeps its stripe within a cache.
	salt := rand.Uint64()
	if stripeIndex(0xc000100123, salt, 59) != stripeIndex(0xc000100345, salt, 59) {
		t.Error("one stack frame moved to another stripe")
	}
}

// TestProtectedClock: a read of a protected entry only marks it (no links
// change); demotion passes marked entries, clearing the mark, and demotes
// the first unmarked one.
func TestProtectedClock(t *testing.T) {
	c := &Cache[int, int]{}
	c.policy.init(100, false)
	p := &c.policy
	order := func() []int {
		var keys []int
		for n := p.protected.hand; n != nil; n = p.protected.after(n) {
			keys = append(keys, n.key)
		}
		return keys
	}
	nodes := make([]*node[int, int], 4)
	for i := range nodes {
		n := newNode(i, uint32(i), i, false)
		n.setPolicyWeight(1)
		n.setQueue(queueProtected)
		p.protected.pushBack(n)
		p.protectedWeight++
		nodes[i] = n
	}
	if got := order(); !slices.Equal(got, []int{0, 1, 2, 3}) {
		t.Fatalf("order after pushes: %v", got)
	}
	c.onAccess(nodes[0])
	c.onAccess(nodes[2])
	if got := order(); !slices.Equal(got, []int{0, 1, 2, 3}) {
		t.Fatalf("a read relinked the segment: %v", got)
	}
	if !nodes[0].used() || nodes[1].used() || nodes[0].queue() != queueProtected {
		t.Fatalf("marks: 0 used=%v (queue %d), 1 used=%v", nodes[0].used(), nodes[0].queue(), nodes[1].used())
	}

	p.protectedMax = 2
	c.demoteFromProtected()
	// 0 gets a second chance, 1 is demoted, 2 gets a second chance, 3 is
	// demoted.
	if got := order(); !slices.Equal(got, []int{0, 2}) {
		t.Fatalf("protected after demotion: %v, want [0 2]", got)
	}
	if nodes[0].used() || nodes[2].used() {
		t.Fatal("second chance did not clear the marks")
	}
	if nodes[1].queue() != queueProbation || nodes[3].queue() != queueProbation || p.probation.len != 2 {
		t.Fatalf("demoted: queues %d %d, probation len %d", nodes[1].queue(), nodes[3].queue(), p.probation.len)
	}
	if p.protectedWeight != 2 || p.protected.len != 2 {
		t.Fatalf("protected weight %d len %d", p.protectedWeight, p.protected.len)
	}

	for _, n := range []*node[int, int]{nodes[2], nodes[0]} {
		p.protected.remove(n)
	}
	if p.protected.hand != nil || p.protected.len != 0 {
		t.Fatalf("empty clock: hand %v len %d", p.protected.hand, p.protected.len)
	}
}

// TestUpdateIsAnAccess: an in-place update of a full cache's entry reaches
// the policy as an access (through a write stripe): a probation entry
// updated is promoted to protected, and the update is not a hit.
func TestUpdateIsAnAccess(t *testing.T) {
	c := MustNew(Options[int, int]{MaximumSize: 100})
	defer c.Close()
	for k := range 200 {
		c.Set(k, k)
	}
	c.CleanUp()
	if !c.recordReads.Load() {
		t.Fatal("the cache does not record reads")
	}
	c.evictMu.Lock()
	n := c.policy.probation.head
	c.evictMu.Unlock()
	if n == nil {
		t.Fatal("no entry in probation")
	}
	hits := c.Stats().Hits
	c.Set(n.key, -1)
	c.CleanUp()
	c.evictMu.Lock()
	q := n.queue()
	c.evictMu.Unlock()
	if q != queueProtected {
		t.Fatalf("updated probation entry is in queue %d, want protected (%d)", q, queueProtected)
	}
	if got := c.Stats().Hits; got != hits {
		t.Fatalf("Hits %d after an update, was %d", got, hits)
	}
}

// TestLoadFindsConcurrentWrite covers GetOrLoad when its lock-free lookup
// missed but a concurrent Set stored the key before it took the shard's
// lock: it returns that value without loading and counts a hit, not a miss.
func TestLoadFindsConcurrentWrite(t *testing.T) {
	c := MustNew(Options[string, int]{MaximumSize: 100})
	defer c.Close()
	c.Set("k", 7)
	h := c.hash("k")
	v, err := c.loadMissed(context.Background(), c.shardFor(h), c.reads.stripe(), h, "k",
		func(context.Context, string) (int, error) {
			t.Error("the loader ran for a key the cache holds")
			return 0, nil
		})
	if v != 7 || err != nil {
		t.Fatalf("got %d, %v; want 7, nil", v, err)
	}
	c.CleanUp()
	if st := c.Stats(); st.Hits != 1 || st.Misses != 0 || st.Loads != 0 {
		t.Fatalf("stats %+v, want 1 hit, 0 misses, 0 loads", st)
	}
}

// TestFirstThenFind covers the two-step lookup of Get and GetOrLoad: first
// answers for a key at the head of its bucket, and a key further down a
// chain is left to find, never reported absent.
func TestFirstThenFind(t *testing.T) {
	c := MustNew(Options[int, int]{})
	defer c.Close()
	for k := range 5000 {
		c.Set(k, k)
	}
	chained := 0
	for i := range c.shards {
		s := &c.shards[i]
		tb := s.table.Load()
		for b := range tb.buckets {
			for n := tb.buckets[b].Load(); n != nil; n = n.chain.Load() {
				head := n == tb.buckets[b].Load()
				if got := s.first(n.hash, n.key); (got == n) != head {
					t.Fatalf("first(%d) = %p, node %p, head of its bucket: %v", n.key, got, n, head)
				}
				if !head {
					chained++
				}
				if v, ok := c.Get(n.key); !ok || v != n.key {
					t.Fatalf("Get(%d) = %d, %v", n.key, v, ok)
				}
				if v, err := c.GetOrLoad(context.Background(), n.key, func(context.Context, int) (int, error) {
					t.Errorf("GetOrLoad(%d) loaded a key the cache holds", n.key)
					return 0, nil
				}); err != nil || v != n.key {
					t.Fatalf("GetOrLoad(%d) = %d, %v", n.key, v, err)
				}
			}
		}
	}
	if chained == 0 {
		t.Fatal("no key sits behind another in its bucket; the test covers nothing")
	}
	t.Logf("%d of 5000 keys are not at the head of their bucket", chained)
	if st := c.Stats(); st.Hits != 10000 || st.Misses != 0 {
		t.Fatalf("stats %+v, want 10000 hits and no miss", st)
	}
}

// TestLookupSeparatesHashCollisions stores two keys whose 32-bit node
// hashes are equal, so they share a bucket and the hash alone cannot tell
// them apart: Get and GetOrLoad must compare the keys themselves.
func TestLookupSeparatesHashCollisions(t *testing.T) {
	c := MustNew(Options[int, int]{})
	defer c.Close()
	seen := make(map[uint32]int, 1<<20)
	a, b := -1, -1
	for k := range 1 << 20 { // a 32-bit collision is all but certain by 2^18 keys
		h := c.hash(k)
		if other, ok := seen[h]; ok {
			a, b = other, k
			break
		}
		seen[h] = k
	}
	if a < 0 {
		t.Fatal("no two of 2^20 keys share a 32-bit hash; the test covers nothing")
	}
	c.Set(a, a)
	c.Set(b, b)
	for _, k := range []int{a, b} {
		if v, ok := c.Get(k); !ok || v != k {
			t.Errorf("Get(%d) = %d, %v; want %d, true (keys %d and %d share hash %#x)", k, v, ok, k, a, b, c.hash(k))
		}
		v, err := c.GetOrLoad(context.Background(), k, func(context.Context, int) (int, error) {
			return -1, nil
		})
		if err != nil || v != k {
			t.Errorf("GetOrLoad(%d) = %d, %v; want %d", k, v, err, k)
		}
	}
	c.Delete(b)
	if v, ok := c.Get(b); ok {
		t.Errorf("Get(%d) after Delete = %d, true", b, v)
	}
	if v, ok := c.Get(a); !ok || v != a {
		t.Errorf("Get(%d) after deleting its hash twin = %d, %v", a, v, ok)
	}
}

// TestContestsScore drives the learner directly: contests the victim wins
// (its key is seen first) and contests the candidate wins move the margin
// only once one side leads by more than chance; a contest that lost a slot
// to a later one is dropped; hash 0 takes no part.
func TestContestsScore(t *testing.T) {
	var ct contests
	ct.ensure(1 << 12)
	decide := func(cand, victim, first uint32) {
		ct.record(cand, victim)
		ct.seen(first)
		ct.seen(cand ^ victim ^ first) // the other side: already decided
	}
	if m := ct.margin(); m != 0 {
		t.Fatalf("fresh margin %d, want 0", m)
	}
	for i := range uint32(contestMinDecided - 1) {
		decide(100+i, 5000+i, 5000+i) // victims first
	}
	if m := ct.margin(); m != 0 {
		t.Fatalf("margin %d after %d decisions, fewer than contestMinDecided; want 0", m, contestMinDecided-1)
	}
	decide(99, 4999, 4999)
	if ct.victimFirst != contestMinDecided || ct.margin() != 1 {
		t.Fatalf("after %d victims first: %d counted, margin %d; want %d, 1", contestMinDecided, ct.victimFirst, ct.margin(), contestMinDecided)
	}
	// Balanced outcomes bring it back to Caffeine's rule.
	for i := range uint32(contestMinDecided) {
		decide(200+i, 6000+i, 200+i) // candidates first
	}
	if m := ct.margin(); m != 0 {
		t.Fatalf("margin %d with %d to %d, want 0", m, ct.victimFirst, ct.candidateFirst)
	}
	for i := range uint32(4 * contestWindow) {
		decide(300+i%1000, 7000+i%1000, 300+i%1000)
	}
	if n := ct.victimFirst + ct.candidateFirst; n >= contestWindow || ct.margin() != -1 {
		t.Fatalf("after many candidates first: %d decided (window %d), margin %d; want fewer, -1", n, contestWindow, ct.margin())
	}
	// A later contest with the same victim takes the victim's slot: the
	// earlier one is dropped when its candidate comes back.
	v, c := ct.victimFirst, ct.candidateFirst
	ct.record(400, 8000)
	ct.record(401, 8000)
	ct.seen(400)
	if ct.victimFirst != v || ct.candidateFirst != c {
		t.Fatal("an overwritten contest was decided")
	}
	ct.seen(8000) // decides the later one, for the victim
	if ct.victimFirst != v+1 {
		t.Fatalf("victims first %d, want %d", ct.victimFirst, v+1)
	}
	// Both keys in one slot (equal low bits) still decide.
	ct.record(9, 9+ct.mask+1)
	ct.seen(9 + ct.mask + 1)
	if ct.victimFirst != v+2 {
		t.Fatalf("a contest within one slot: victims first %d, want %d", ct.victimFirst, v+2)
	}
	// Hash 0 marks free slots: it neither opens nor decides a contest.
	ct.record(0, 10)
	ct.seen(0)
	ct.seen(10)
	if ct.victimFirst != v+2 || ct.candidateFirst != c {
		t.Fatal("hash 0 took part in a contest")
	}
}

// TestContestsHoldOnNoise replays uniformly random keys, a workload with no
// right side in close contests: the margin must stay at Caffeine's rule
// almost all the time, not wander with chance.
func TestContestsHoldOnNoise(t *testing.T) {
	c := MustNew(Options[int, int]{MaximumSize: 1000})
	defer c.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	moved, samples := 0, 0
	for i := range 400_000 {
		k := rng.IntN(4000)
		if _, ok := c.Get(k); !ok {
			c.Set(k, k)
			c.CleanUp()
		}
		if i%200 == 199 {
			c.CleanUp()
			samples++
			if c.policy.contests.margin() != 0 {
				moved++
			}
		}
	}
	ct := &c.policy.contests
	if moved > samples/20 {
		t.Errorf("margin off Caffeine's rule in %d of %d samples, want at most 5 %%", moved, samples)
	}
	t.Logf("margin moved in %d of %d samples; now %d victims first, %d candidates first", moved, samples, ct.victimFirst, ct.candidateFirst)
}

// TestContestsStopLoopCascades replays a loop of 1000 keys through a cache
// of 750. The victim at probation's head is the key the loop reads next,
// so close contests end with the victim first, candidates must win by 2
// (margin 1), and the cascades of admissions after each halving of the
// sketch stop. With Caffeine's rule alone the replay read 69.9 % on average
// over 60 runs (71 % or more in 13 of them); with the learner 73–74 %.
func TestContestsStopLoopCascades(t *testing.T) {
	c := MustNew(Options[int, int]{MaximumSize: 750})
	defer c.Close()
	hits, total := 0, 0
	for range 300 {
		for k := range 1000 {
			total++
			if _, ok := c.Get(k); ok {
				hits++
			} else {
				c.Set(k, k)
				c.CleanUp()
			}
		}
	}
	ratio := float64(hits) / float64(total)
	if m := c.policy.contests.margin(); m != 1 {
		t.Errorf("margin %d after the loop, want 1 (%d victims first, %d candidates first)", m, c.policy.contests.victimFirst, c.policy.contests.candidateFirst)
	}
	if ratio < 0.725 {
		t.Errorf("hit ratio %.2f %%, want at least 72.5 %%", 100*ratio)
	}
	t.Logf("hit ratio %.2f %%", 100*ratio)
}
