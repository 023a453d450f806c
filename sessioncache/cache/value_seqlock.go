//go:build !race && (amd64 || 386 || s390x)

package cache

import "runtime"

// load returns the node's value without a lock. On these platforms the
// hardware keeps loads in order, and sync/atomic loads are compiler
// barriers, so a copy made between two equal, even readings of seq is a
// value some writer stored completely.
func (n *node[K, V]) load() V {
	for spins := 0; ; spins++ {
		s := n.seq.Load()
		if s&seqLocked == 0 {
			v := n.value
			if n.seq.Load() == s {
				return v
			}
		}
		if spins > 16 {
			runtime.Gosched()
		}
	}
}

// tryLoad is load's first attempt, small enough to inline into Get: ok is
// false when a writer was in the way, and the caller then calls load.
func (n *node[K, V]) tryLoad() (v V, ok bool) {
	s := n.seq.Load()
	v = n.value
	return v, s&seqLocked == 0 && n.seq.Load() == s
}
