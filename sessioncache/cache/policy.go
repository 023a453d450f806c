package cache

import (
	"math"
	"math/rand/v2"
)

// policy is the state of adaptive W-TinyLFU, after Caffeine's
// BoundedLocalCache. New entries enter the window, an LRU list. Entries
// the window pushes out become candidates in the probation segment of the
// main region, where each must beat the main region's LRU victim in
// estimated frequency to stay. A probation entry read again moves to the
// protected segment. Caffeine keeps protected in LRU order; ours is a CLOCK
// (see protectedHand), with the same hit ratio on our traces, because
// moving an entry to the back of a list on every read writes the cache
// line holding its key and value: on 2 CPUs that made lookups of hot
// entries miss and a full cache's reads 1.7× slower. A hill climber
// samples the hit rate and moves capacity between window and main to
// follow the workload. All of it is touched only under the cache's
// eviction lock.
type policy[K comparable, V any] struct {
	window, probation deque[K, V]
	protected         clock[K, V]

	weighted        bool
	maximum         int64
	weightedSize    int64
	windowWeight    int64
	protectedWeight int64
	windowMax       int64
	protectedMax    int64
	entries         int64

	sketch   sketch
	contests contests

	hitsInSample   int64
	missesInSample int64
	prevHitRate    float64
	prevRequests   int64 // requests in the previous sample; 0 before the first
	stepSize       float64
	adjustment     int64

	rng *rand.PCG
}

const (
	percentMain          = 0.99
	percentMainProtected = 0.80
	climberRestart       = 0.05
	climberStepPercent   = 0.0625
	climberStepDecay     = 0.98
	climberConfidence    = 2 // standard errors of a hit-rate change that count as evidence
	queueTransferMax     = 1000
	admitHashDoSFreq     = 6
)

func (p *policy[K, V]) init(maximum uint64, weighted bool) {
	p.maximum = int64(min(maximum, math.MaxInt64/2))
	p.weighted = weighted
	mainMax := int64(float64(p.maximum) * percentMain)
	p.windowMax = p.maximum - mainMax
	p.protectedMax = int64(float64(mainMax) * percentMainProtected)
	p.stepSize = -climberStepPercent * float64(p.maximum)
	p.rng = rand.NewPCG(rand.Uint64(), rand.Uint64())
}

func (c *Cache[K, V]) onAdd(n *node[K, V], w uint32) {
	p := &c.policy
	weight := int64(w)
	n.setPolicyWeight(w)
	p.entries++
	p.weightedSize += weight
	p.windowWeight += weight
	if p.weightedSize >= p.maximum>>1 {
		capacity := p.maximum
		if p.weighted {
			capacity = p.entries
		}
		p.sketch.ensureCapacity(uint64(capacity))
		p.contests.ensure(uint64(capacity))
	}
	p.contests.seen(n.hash)
	p.sketch.increment(n.hash)
	p.missesInSample++
	n.setQueue(queueWindow)
	switch {
	case weight > p.maximum:
		// Link it first: eviction unlinks it from the window and undoes
		// the counters above.
		p.window.pushFront(n)
		c.evictNode(n, CauseSize)
	case weight > p.windowMax:
		p.window.pushFront(n)
	default:
		p.window.pushBack(n)
	}
}

func (c *Cache[K, V]) onAccess(n *node[K, V]) {
	p := &c.policy
	switch n.queue() {
	case queueWindow:
		p.window.moveToBack(n)
	case queueProbation:
		if int64(n.policyWeight()) > p.protectedMax {
			p.probation.moveToBack(n)
		} else {
			p.probation.remove(n)
			p.protected.pushBack(n)
			n.setQueue(queueProtected)
			p.protectedWeight += int64(n.policyWeight())
		}
	case queueProtected:
		// The protected segment is a CLOCK, not an LRU list: a read only
		// marks the entry, the first time after the hand passed it, and
		// demotion gives marked entries a second chance. Relinking on
		// every read wrote the entry's cache line, which concurrent
		// lookups of the (typically hot) entry then missed.
		if !n.used() {
			n.setQueue(queueProtectedUsed)
		}
	default:
		return // no longer (or not yet) in the policy
	}
	p.contests.seen(n.hash)
	p.sketch.increment(n.hash)
	p.hitsInSample++
}

func (c *Cache[K, V]) onUpdate(n *node[K, V], w uint32) {
	p := &c.policy
	diff := int64(w) - int64(n.policyWeight())
	n.setPolicyWeight(w)
	p.weightedSize += diff
	switch n.queue() {
	case queueWindow:
		p.windowWeight += diff
	case queueProtected:
		p.protectedWeight += diff
	}
	switch {
	case int64(w) > p.maximum:
		c.evictNode(n, CauseSize)
	case n.queue() == queueWindow && int64(w) > p.windowMax:
		p.window.remove(n)
		p.window.pushFront(n)
	default:
		c.onAccess(n)
	}
}

func (c *Cache[K, V]) policyRemove(n *node[K, V]) {
	p := &c.policy
	w := int64(n.policyWeight())
	switch n.queue() {
	case queueWindow:
		p.window.remove(n)
		p.windowWeight -= w
	case queueProbation:
		p.probation.remove(n)
	case queueProtected:
		p.protected.remove(n)
		p.protectedWeight -= w
	default:
		return
	}
	p.weightedSize -= w
	p.entries--
}

func (c *Cache[K, V]) evictEntries() {
	c.evictFromMain(c.evictFromWindow())
}

// evictFromWindow moves the window's overflow to the tail of probation and
// returns the first node moved, the first admission candidate.
func (c *Cache[K, V]) evictFromWindow() *node[K, V] {
	p := &c.policy
	var first *node[K, V]
	n := p.window.head
	for p.windowWeight > p.windowMax && n != nil {
		next := n.next
		if n.policyWeight() != 0 {
			p.window.remove(n)
			p.probation.pushBack(n)
			n.setQueue(queueProbation)
			p.windowWeight -= int64(n.policyWeight())
			if first == nil {
				first = n
			}
		}
		n = next
	}
	return first
}

// evictFromMain evicts until the cache is within its bound, pitting each
// candidate (from the window) against the victim at the head of probation.
func (c *Cache[K, V]) evictFromMain(candidate *node[K, V]) {
	p := &c.policy
	victimQueue, candidateQueue := queueProbation, queueProbation
	victim := p.probation.head
	for p.weightedSize > p.maximum {
		if candidate == nil && candidateQueue == queueProbation {
			candidate = p.window.head
			candidateQueue = queueWindow
		}
		if candidate == nil && victim == nil {
			if victimQueue == queueProbation {
				victim = c.protectedHand()
				victimQueue = queueProtected
				continue
			} else if victimQueue == queueProtected {
				victim = p.window.head
				victimQueue = queueWindow
				continue
			}
			break
		}
		if victim != nil && victim.policyWeight() == 0 {
			victim = p.following(victimQueue, victim)
			continue
		} else if candidate != nil && candidate.policyWeight() == 0 {
			candidate = candidate.next
			continue
		}
		if victim == nil {
			evict := candidate
			candidate = candidate.next
			c.evictNode(evict, CauseSize)
			continue
		} else if candidate == nil {
			evict := victim
			victim = p.following(victimQueue, victim)
			c.evictNode(evict, CauseSize)
			continue
		}
		if candidate == victim {
			victim = p.following(victimQueue, victim)
			c.evictNode(candidate, CauseSize)
			candidate = nil
			continue
		}
		if !victim.alive() {
			evict := victim
			victim = p.following(victimQueue, victim)
			c.evictNode(evict, CauseSize)
			continue
		} else if !candidate.alive() {
			evict := candidate
			candidate = candidate.next
			c.evictNode(evict, CauseSize)
			continue
		}
		if int64(candidate.policyWeight()) > p.maximum {
			evict := candidate
			candidate = candidate.next
			c.evictNode(evict, CauseSize)
			continue
		}
		if c.admit(candidate.hash, victim.hash) {
			evict := victim
			victim = p.following(victimQueue, victim)
			c.evictNode(evict, CauseSize)
			candidate = candidate.next
		} else {
			evict := candidate
			candidate = candidate.next
			c.evictNode(evict, CauseSize)
		}
	}
}

// admit decides whether the candidate replaces the victim: by estimated
// frequency, with the margin that the outcomes of past close contests set
// (see contests), except that a warm candidate that loses still wins once
// in 128 times, so an attacker cannot pin a victim by inflating its count.
func (c *Cache[K, V]) admit(candidate, victim uint32) bool {
	p := &c.policy
	vf := int(p.sketch.frequency(victim))
	cf := int(p.sketch.frequency(candidate))
	if d := cf - vf; d == 0 || d == 1 {
		p.contests.record(candidate, victim)
	}
	if cf > vf+p.contests.margin() {
		return true
	}
	if cf >= admitHashDoSFreq {
		return p.rng.Uint64()&127 == 0
	}
	return false
}

// climb adapts the window's size with a hill climber.
func (c *Cache[K, V]) climb() {
	p := &c.policy
	c.determineAdjustment()
	c.demoteFromProtected()
	switch {
	case p.adjustment > 0:
		c.increaseWindow()
	case p.adjustment < 0:
		c.decreaseWindow()
	}
}

// determineAdjustment reads the hit rate of the sample just completed and
// decides how far to move the window. It is Caffeine's simple climber
// (keep the direction while the hit rate rises, reverse when it falls,
// decay the step, restart with a full step when the hit rate jumps) with
// one change: a change smaller than the sampling noise is no evidence for
// either direction, so the climber holds still instead of stepping.
//
// The noise is the standard error of the difference of two hit rates
// measured on n1 and n2 requests, sqrt(p1(1-p1)/n1 + p2(1-p2)/n2), times
// climberConfidence. Without the hold, a stable workload whose best window
// is at a bound (a loop barely larger than the cache, a static Zipf
// distribution: both want the smallest window) flips direction on every
// sample whose hit rate is down by a hair, and each flip costs a whole
// sample with a window a full step too large.
func (c *Cache[K, V]) determineAdjustment() {
	p := &c.policy
	if p.sketch.table == nil {
		p.prevHitRate, p.prevRequests, p.hitsInSample, p.missesInSample = 0, 0, 0, 0
		return
	}
	requests := p.hitsInSample + p.missesInSample
	if uint64(requests) < p.sketch.sampleSize {
		return
	}
	hitRate := float64(p.hitsInSample) / float64(requests)
	change := hitRate - p.prevHitRate
	prevRate, prevRequests := p.prevHitRate, p.prevRequests
	p.prevHitRate, p.prevRequests = hitRate, requests
	p.hitsInSample, p.missesInSample = 0, 0
	if prevRequests > 0 && math.Abs(change) <= hitRateNoise(hitRate, requests, prevRate, prevRequests) {
		p.adjustment = 0
		return
	}
	amount := p.stepSize
	if change < 0 {
		amount = -p.stepSize
	}
	if math.Abs(change) >= climberRestart {
		p.stepSize = climberStepPercent * float64(p.maximum)
		if amount < 0 {
			p.stepSize = -p.stepSize
		}
	} else {
		p.stepSize = climberStepDecay * amount
	}
	p.adjustment = int64(amount)
}

// hitRateNoise is how far apart two hit rates measured on n1 and n2
// requests may lie by chance alone: climberConfidence standard errors of
// their difference.
func hitRateNoise(p1 float64, n1 int64, p2 float64, n2 int64) float64 {
	return climberConfidence * math.Sqrt(p1*(1-p1)/float64(n1)+p2*(1-p2)/float64(n2))
}

func (c *Cache[K, V]) demoteFromProtected() {
	p := &c.policy
	for i := 0; i < queueTransferMax && p.protectedWeight > p.protectedMax; i++ {
		n := c.protectedHand()
		if n == nil {
			break
		}
		p.protected.remove(n)
		p.probation.pushBack(n)
		n.setQueue(queueProbation)
		p.protectedWeight -= int64(n.policyWeight())
	}
}

func (c *Cache[K, V]) increaseWindow() {
	p := &c.policy
	if p.protectedMax == 0 {
		return
	}
	quota := min(p.adjustment, p.protectedMax)
	p.protectedMax -= quota
	p.windowMax += quota
	c.demoteFromProtected()
	for range queueTransferMax {
		if quota <= 0 {
			break // do not spend the marks of protected entries on nothing
		}
		n, fromProbation := p.probation.head, true
		if n == nil || quota < int64(n.policyWeight()) {
			n, fromProbation = c.protectedHand(), false
		}
		if n == nil {
			break
		}
		w := int64(n.policyWeight())
		if quota < w {
			break
		}
		quota -= w
		if fromProbation {
			p.probation.remove(n)
		} else {
			p.protected.remove(n)
			p.protectedWeight -= w
		}
		p.windowWeight += w
		p.window.pushBack(n)
		n.setQueue(queueWindow)
	}
	p.protectedMax += quota
	p.windowMax -= quota
	p.adjustment = quota
}

func (c *Cache[K, V]) decreaseWindow() {
	p := &c.policy
	if p.windowMax <= 1 {
		return
	}
	quota := min(-p.adjustment, max(0, p.windowMax-1))
	p.protectedMax += quota
	p.windowMax -= quota
	for range queueTransferMax {
		n := p.window.head
		if n == nil {
			break
		}
		w := int64(n.policyWeight())
		if quota < w {
			break
		}
		quota -= w
		p.window.remove(n)
		p.windowWeight -= w
		p.probation.pushBack(n)
		n.setQueue(queueProbation)
	}
	p.protectedMax -= quota
	p.windowMax += quota
	p.adjustment = -quota
}

// protectedHand advances the protected segment's clock hand past entries
// read since it last passed them, clearing their mark, and returns the
// first unmarked entry: one not read for a whole lap of the hand. After
// queueTransferMax second chances it returns the entry under the hand,
// marked or not.
func (c *Cache[K, V]) protectedHand() *node[K, V] {
	p := &c.policy
	for range queueTransferMax {
		n := p.protected.hand
		if n == nil || !n.used() {
			return n
		}
		n.setQueue(queueProtected)
		p.protected.advance()
	}
	return p.protected.hand
}

// following returns the entry after n in queue q's eviction order, or nil.
func (p *policy[K, V]) following(q uint32, n *node[K, V]) *node[K, V] {
	if q == queueProtected {
		return p.protected.after(n)
	}
	return n.next
}
