package cache

import "math"

// contests learns which side of a close admission contest to favour. A
// contest is close when the candidate's estimated frequency equals the
// victim's or exceeds it by one: there the sketch cannot tell them apart
// (the candidate's count includes the access that made it a candidate), and
// the workload decides which choice is right. Bélády's rule says the entry
// needed first should stay, so each close contest is remembered until one
// of its two keys is accessed again. If the victim comes back first, keeping
// it was right; if the candidate does, admitting it was. When recent
// outcomes lean one way by more than chance would (see margin):
//
//   - victims first (a loop slightly larger than the cache, where the
//     victim is the next key of the lap): a candidate must win by 2, which
//     stops the admission cascades that follow each aging of the sketch;
//   - candidates first (a shifting working set, where the victim is
//     stale): a tie admits;
//   - otherwise Caffeine's rule, a win by 1.
//
// The table is direct-mapped by hash, two slots per contest (one per key),
// so a newer contest may overwrite an open one; a contest that lost either
// slot is dropped undecided. Only the eviction lock's holder touches it.
type contests struct {
	slots []contest
	mask  uint32
	// Decided contests, halved whenever their sum reaches contestWindow,
	// so that old phases of the workload fade.
	victimFirst, candidateFirst uint32
	rule                        int // the margin they set, updated as they change
}

type contest struct {
	cand, victim uint32 // node hashes; both zero when the slot is free
}

const (
	contestWindow     = 1024 // decided contests remembered, about
	contestMinDecided = 64   // decided contests before the margin may move
	contestConfidence = 3    // standard errors by which one side must lead
	entriesPerContest = 2    // cache capacity per table slot
	contestSlotsLimit = 1 << 22
)

// ensure sizes the table for a cache of the given capacity, forgetting open
// contests if it grows.
func (t *contests) ensure(capacity uint64) {
	n := uint64(8)
	for n < capacity/entriesPerContest && n < contestSlotsLimit {
		n <<= 1
	}
	if uint64(len(t.slots)) >= n {
		return
	}
	t.slots = make([]contest, n)
	t.mask = uint32(n - 1)
}

// margin returns m such that a candidate is admitted when its frequency
// exceeds the victim's plus m. Every admission asks, so it is kept up to
// date by seen rather than computed here.
func (t *contests) margin() int { return t.rule }

// computeRule returns 1 when victims came back first, -1 when candidates
// did, 0 (Caffeine's rule) unless one side leads by more than
// contestConfidence standard errors of a fair coin over the decided
// contests. On a workload without a lean, chance alone moves it rarely.
func (t *contests) computeRule() int {
	n := t.victimFirst + t.candidateFirst
	if n < contestMinDecided {
		return 0
	}
	lead := float64(t.victimFirst) - float64(t.candidateFirst)
	limit := contestConfidence * math.Sqrt(float64(n))
	switch {
	case lead > limit:
		return 1
	case lead < -limit:
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
	if t.slots == nil || h == 0 { // 0 marks a free slot; such keys take no part
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
		t.victimFirst++
	} else {
		t.candidateFirst++
	}
	if t.victimFirst+t.candidateFirst >= contestWindow {
		t.victimFirst /= 2
		t.candidateFirst /= 2
	}
	t.rule = t.computeRule()
}
