package cache

// timerWheel is a hierarchical timer wheel after Caffeine's TimerWheel:
// levels of buckets whose span grows from about a second to about a day,
// so scheduling, rescheduling and expiring an entry cost O(1). A node sits
// in the bucket of the coarsest level its remaining time fits; as time
// advances, a level's buckets that the clock passed are emptied, and each
// node in them either expires or is rescheduled into a finer bucket. Nodes
// whose deadline moved later meanwhile (a write, a read under
// expire-after-access) are simply rescheduled then.
type timerWheel[K comparable, V any] struct {
	buckets [wheelLevels][]*node[K, V] // sentinels of circular lists through tnext/tprev
	nanos   int64                      // time of the last advance
}

const wheelLevels = 5

var (
	wheelSizes = [wheelLevels]int{64, 64, 32, 4, 1}
	// wheelSpans[i] is the span of a bucket of level i, rounded up to a
	// power of two: ~1.07s, ~1.14m, ~1.22h, ~0.82d, ~6.5d, ~6.5d.
	wheelSpans  = [wheelLevels + 1]int64{1 << 30, 1 << 36, 1 << 42, 1 << 46, 1 << 49, 1 << 49}
	wheelShifts = [wheelLevels + 1]int{30, 36, 42, 46, 49, 49}
)

func newTimerWheel[K comparable, V any](now int64) *timerWheel[K, V] {
	w := &timerWheel[K, V]{nanos: now}
	for i, n := range wheelSizes {
		w.buckets[i] = make([]*node[K, V], n)
		for j := range w.buckets[i] {
			var zk K
			var zv V
			s := newNode(zk, 0, zv, true)
			s.exp.tprev, s.exp.tnext = s, s
			w.buckets[i][j] = s
		}
	}
	return w
}

// bucket returns the sentinel of the bucket for a deadline.
func (w *timerWheel[K, V]) bucket(deadline int64) *node[K, V] {
	d := deadline - w.nanos
	for i := range wheelLevels - 1 {
		if d < wheelSpans[i+1] {
			ticks := deadline >> wheelShifts[i]
			return w.buckets[i][ticks&int64(wheelSizes[i]-1)]
		}
	}
	return w.buckets[wheelLevels-1][0]
}

// schedule puts n in the bucket for its deadline, moving it if needed.
func (w *timerWheel[K, V]) schedule(n *node[K, V], deadline int64) {
	w.deschedule(n)
	s := w.bucket(deadline)
	n.exp.tprev, n.exp.tnext = s.exp.tprev, s
	s.exp.tprev.exp.tnext = n
	s.exp.tprev = n
}

func (w *timerWheel[K, V]) deschedule(n *node[K, V]) {
	if n.exp == nil || n.exp.tnext == nil {
		return
	}
	n.exp.tprev.exp.tnext = n.exp.tnext
	n.exp.tnext.exp.tprev = n.exp.tprev
	n.exp.tprev, n.exp.tnext = nil, nil
}

// advance moves the wheel to now and calls expire for every node whose
// deadline passed; expire reports whether it removed the node. Nodes due
// later, or that expire kept, are rescheduled by their current deadline.
func (w *timerWheel[K, V]) advance(now int64, expire func(*node[K, V]) bool) {
	prev := w.nanos
	if now <= prev {
		return
	}
	w.nanos = now
	for i := range wheelLevels {
		prevTicks := prev >> wheelShifts[i]
		delta := (now >> wheelShifts[i]) - prevTicks
		if delta <= 0 {
			break
		}
		w.expireLevel(i, prevTicks, delta, expire)
	}
}

func (w *timerWheel[K, V]) expireLevel(level int, prevTicks, delta int64, expire func(*node[K, V]) bool) {
	b := w.buckets[level]
	mask := int64(len(b) - 1)
	steps := min(delta+1, int64(len(b)))
	start := prevTicks & mask
	for i := start; i < start+steps; i++ {
		s := b[i&mask]
		n := s.exp.tnext
		s.exp.tprev, s.exp.tnext = s, s // detach the whole list
		for n != s {
			next := n.exp.tnext
			n.exp.tprev, n.exp.tnext = nil, nil
			deadline := n.deadline()
			if deadline != 0 && (deadline > w.nanos || !expire(n)) && n.queue() != queueNone {
				w.schedule(n, max(deadline, w.nanos+1))
			}
			n = next
		}
	}
}
