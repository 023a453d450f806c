//go:build race || !(amd64 || 386 || s390x)

package cache

// load returns the node's value under the node's write lock. This variant
// serves the race detector (which cannot see the seqlock's ordering) and
// platforms that may reorder loads.
func (n *node[K, V]) load() V {
	s := n.lock()
	v := n.value
	n.unlockRead(s)
	return v
}

// tryLoad never reads without the lock here: the caller then calls load.
func (n *node[K, V]) tryLoad() (v V, ok bool) { return v, false }
