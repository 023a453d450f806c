package cache

// deque is an intrusive doubly linked list of nodes through their prev and
// next fields, in access order: the head is the least recently used.
type deque[K comparable, V any] struct {
	head, tail *node[K, V]
	len        int
}

func (d *deque[K, V]) pushBack(n *node[K, V]) {
	n.prev, n.next = d.tail, nil
	if d.tail == nil {
		d.head = n
	} else {
		d.tail.next = n
	}
	d.tail = n
	d.len++
}

func (d *deque[K, V]) pushFront(n *node[K, V]) {
	n.prev, n.next = nil, d.head
	if d.head == nil {
		d.tail = n
	} else {
		d.head.prev = n
	}
	d.head = n
	d.len++
}

func (d *deque[K, V]) remove(n *node[K, V]) {
	if n.prev == nil {
		d.head = n.next
	} else {
		n.prev.next = n.next
	}
	if n.next == nil {
		d.tail = n.prev
	} else {
		n.next.prev = n.prev
	}
	n.prev, n.next = nil, nil
	d.len--
}

func (d *deque[K, V]) moveToBack(n *node[K, V]) {
	if d.tail == n {
		return
	}
	d.remove(n)
	d.pushBack(n)
}

// clock is a circular list of nodes through their prev and next fields,
// with a hand: the protected segment, kept in CLOCK order rather than LRU
// order. The hand is the next entry to consider for demotion; new entries
// go just behind it, so it reaches them last. Giving an entry a second
// chance moves the hand past it and writes no links.
type clock[K comparable, V any] struct {
	hand *node[K, V]
	len  int
}

// pushBack links n just behind the hand.
func (c *clock[K, V]) pushBack(n *node[K, V]) {
	if c.hand == nil {
		n.prev, n.next = n, n
		c.hand = n
	} else {
		last := c.hand.prev
		n.prev, n.next = last, c.hand
		last.next = n
		c.hand.prev = n
	}
	c.len++
}

func (c *clock[K, V]) remove(n *node[K, V]) {
	if c.len == 1 {
		c.hand = nil
	} else {
		n.prev.next = n.next
		n.next.prev = n.prev
		if c.hand == n {
			c.hand = n.next
		}
	}
	n.prev, n.next = nil, nil
	c.len--
}

// advance moves the hand past the entry under it, which becomes the last.
func (c *clock[K, V]) advance() { c.hand = c.hand.next }

// after returns the entry the hand reaches after n, or nil when n is the
// last.
func (c *clock[K, V]) after(n *node[K, V]) *node[K, V] {
	if n.next == c.hand {
		return nil
	}
	return n.next
}
