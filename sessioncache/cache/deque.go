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
