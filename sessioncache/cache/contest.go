package cache

// contests learns which side of a close admission contest to favour. A
// contest is close when the candidate's estimated frequency equals the
// victim's or exceeds it by one: there the sketch cannot tell them apart
// (the candidate's count includes the access that made it a candidate), and
// the workload decides which choice is right. Bélády's rule says the entry
// needed first should stay, so each close contest is remembered until one
// of its two keys is accessed again. If the victim comes back first, keeping
// it was right; if the candidate does, admitting it was. The balance of
// recent outcomes sets the margin a candidate must clear:
//
//   - victims mostly first (a loop slightly larger than the cache, where
//     the victim is the next key of the lap): a candidate must win by 2,
//     which stops the admission cascades that follow each aging of the
//     sketch;
//   - candidates mostly first (a shifting working set, where the victim is
//     stale): a tie admits;
//   - otherwise Caffeine's rule, a win by 1.
//
// The table is direct-mapped by hash, two slots per contest (one per key),
// so a newer contest may overwrite an open one; a contest that lost either
// slot is dropped undecided. Only the eviction lock's holder touches it.
type contests struct {
	slots []contest
	mask  uint32
	score int32 // victims first minus candidates first, within ±contestScoreMax
}

type contest struct {
	cand, victim uint32 // node hashes; both zero when the slot is free
}

const (
	contestScoreMax  = 64 // the score's bound: how long a past phase is remembered
	contestThreshold = 16 // the score beyond which the margin moves
	contestsPerEntry = 2  // capacity / contestsPerEntry slots
)

// ensure sizes the table for a cache of the given capacity, forgetting open
// contests if it grows.
func (t *contests) ensure(capacity uint64) {
	n := uint64(8)
	for n < capacity/contestsPerEntry && n < 1<<22 {
		n <<= 1
	}
	if uint64(len(t.slots)) >= n {
		return
	}
	t.slots = make([]contest, n)
	t.mask = uint32(n - 1)
}

// margin returns m such that a candidate is admitted when its frequency
// exceeds the victim's plus m.
func (t *contests) margin() int {
	switch {
	case t.score > contestThreshold:
		return 1
	case t.score < -contestThreshold:
		return -1
	}
	return 0
}

// record opens a close contest between a candidate and a victim.
func (t *contests) record(cand, victim uint32) {
	if t.slots == nil || cand == 0 || victim == 0 || cand == victim {
		return
	}
	c := contest{cand: cand, victim: victim}
	t.slots[cand&t.mask] = c
	t.slots[victim&t.mask] = c
}

// seen decides the open contest, if any, that the key hashed to h took
// part in: it was accessed before the other side.
func (t *contests) seen(h uint32) {
	if t.slots == nil {
		return
	}
	s := &t.slots[h&t.mask]
	if h != s.victim && h != s.cand {
		return
	}
	c := *s
	other := c.cand
	if h == c.cand {
		other = c.victim
	}
	o := &t.slots[other&t.mask]
	decided := *o == c // else a later contest took the other slot: undecided
	*s = contest{}
	if !decided {
		return
	}
	*o = contest{}
	if h == c.victim {
		t.score = min(t.score+1, contestScoreMax)
	} else {
		t.score = max(t.score-1, -contestScoreMax)
	}
}
