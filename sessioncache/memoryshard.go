package sessioncache

import (
	"encoding/binary"
	"math"
)

// A shard of the memory store. Everything the garbage collector would have
// to scan per session is kept out of it: the index maps hold integers, the
// slots are a slice of pointer-free structs, and the records live in a few
// large byte slabs. The collector sees one pointer per slab, not one per
// session.
//
// Each record in a slab is prefixed by its slot number and its length (4
// bytes each, little endian), so that compaction can walk a slab and tell
// live records from dead ones.

const (
	slabHeader   = 8         // slot number and length before each record
	minSlabSize  = 4 << 10   // the first slab of a shard
	maxSlabSize  = 256 << 10 // slabs grow by doubling up to this size
	slotOverhead = 96        // bytes a session costs beyond its record: slot, index and heap entries
	noDeadline   = math.MaxInt64
)

// slot describes one stored session. Links are slot numbers plus one, so
// that zero means none.
type slot struct {
	idHash   uint64 // hash of the id: the key in shard.index
	userHash uint64 // hash of the user, when hasUser
	deadline int64  // Unix nanoseconds, or noDeadline
	slab     uint32 // where the record is
	off      uint32 // offset of the slab header
	size     uint32 // slab header plus record
	next     uint32 // next slot with the same idHash
	userPrev uint32 // neighbours in the list of slots with the same userHash
	userNext uint32
	heapPos  uint32 // position in shard.heap
	used     bool
	hasUser  bool
}

// slab is a chunk of records. Its buffer never moves: records are appended
// up to its capacity, and the slab is reset when none of them is live.
type slab struct {
	buf  []byte
	live int // bytes of live records (with their headers)
}

type shard struct {
	index     map[uint64]uint32 // idHash → first slot + 1
	users     map[uint64]uint32 // userHash → first slot + 1
	slots     []slot
	freeSlots []uint32
	heap      []uint32 // slot numbers, a min-heap by deadline
	slabs     []slab
	cur       int   // slab receiving new records, -1 before the first
	spare     int   // an empty slab kept for reuse, or -1
	freeSlabs []int // numbers of slab entries without a buffer
	bytes     int64 // accounted bytes: live records plus slotOverhead each
}

func newShard() *shard {
	return &shard{
		index: make(map[uint64]uint32),
		users: make(map[uint64]uint32),
		cur:   -1,
		spare: -1,
	}
}

// record returns the encoded record of slot i; it aliases the slab.
func (s *shard) record(i uint32) []byte {
	sl := &s.slots[i]
	return s.slabs[sl.slab].buf[sl.off+slabHeader : sl.off+sl.size]
}

// recordID returns the id in the record of slot i, or nil if the record is
// corrupt.
func (s *shard) recordID(i uint32) []byte {
	v, err := parseRecord(s.record(i))
	if err != nil {
		return nil
	}
	return v.id
}

// equalID compares an id with a stored one in constant time for equal
// lengths.
func equalID(stored []byte, id string) bool {
	if len(stored) != len(id) {
		return false
	}
	var d byte
	for i := range len(stored) {
		d |= stored[i] ^ id[i]
	}
	return d == 0
}

// find returns the slot of id.
func (s *shard) find(h uint64, id string) (uint32, bool) {
	for l := s.index[h]; l != 0; l = s.slots[l-1].next {
		if equalID(s.recordID(l-1), id) {
			return l - 1, true
		}
	}
	return 0, false
}

// newSlot takes a free slot and links it into the index under h.
func (s *shard) newSlot(h uint64) uint32 {
	var i uint32
	if n := len(s.freeSlots); n > 0 {
		i = s.freeSlots[n-1]
		s.freeSlots = s.freeSlots[:n-1]
	} else {
		s.slots = append(s.slots, slot{})
		i = uint32(len(s.slots) - 1)
	}
	s.slots[i] = slot{idHash: h, used: true, next: s.index[h], heapPos: math.MaxUint32}
	s.index[h] = i + 1
	s.bytes += slotOverhead
	return i
}

// remove deletes the session of slot i.
func (s *shard) remove(i uint32) {
	sl := &s.slots[i]
	// Unlink from the index chain.
	if l := s.index[sl.idHash]; l == i+1 {
		if sl.next == 0 {
			delete(s.index, sl.idHash)
		} else {
			s.index[sl.idHash] = sl.next
		}
	} else {
		for ; l != 0; l = s.slots[l-1].next {
			if s.slots[l-1].next == i+1 {
				s.slots[l-1].next = sl.next
				break
			}
		}
	}
	s.unlinkUser(i)
	s.heapRemove(i)
	s.freeRecord(i)
	s.slots[i] = slot{}
	s.freeSlots = append(s.freeSlots, i)
	s.bytes -= slotOverhead
}

// linkUser adds slot i to the list of user hash uh.
func (s *shard) linkUser(i uint32, uh uint64) {
	sl := &s.slots[i]
	sl.hasUser, sl.userHash, sl.userPrev = true, uh, 0
	sl.userNext = s.users[uh]
	if sl.userNext != 0 {
		s.slots[sl.userNext-1].userPrev = i + 1
	}
	s.users[uh] = i + 1
}

// unlinkUser removes slot i from its user list, if any.
func (s *shard) unlinkUser(i uint32) {
	sl := &s.slots[i]
	if !sl.hasUser {
		return
	}
	if sl.userPrev == 0 {
		if sl.userNext == 0 {
			delete(s.users, sl.userHash)
		} else {
			s.users[sl.userHash] = sl.userNext
		}
	} else {
		s.slots[sl.userPrev-1].userNext = sl.userNext
	}
	if sl.userNext != 0 {
		s.slots[sl.userNext-1].userPrev = sl.userPrev
	}
	sl.hasUser, sl.userHash, sl.userPrev, sl.userNext = false, 0, 0, 0
}

// setUser moves slot i to the list of user hash uh, or to none.
func (s *shard) setUser(i uint32, uh uint64, has bool) {
	sl := &s.slots[i]
	if sl.hasUser == has && sl.userHash == uh {
		return
	}
	s.unlinkUser(i)
	if has {
		s.linkUser(i, uh)
	}
}

// setDeadline sets the deadline of slot i and places it in the heap.
func (s *shard) setDeadline(i uint32, deadline int64) {
	s.slots[i].deadline = deadline
	if s.slots[i].heapPos == math.MaxUint32 {
		s.heap = append(s.heap, i)
		s.slots[i].heapPos = uint32(len(s.heap) - 1)
		s.heapUp(len(s.heap) - 1)
		return
	}
	p := int(s.slots[i].heapPos)
	s.heapUp(p)
	s.heapDown(int(s.slots[i].heapPos))
}

func (s *shard) heapLess(a, b int) bool {
	return s.slots[s.heap[a]].deadline < s.slots[s.heap[b]].deadline
}

func (s *shard) heapSwap(a, b int) {
	s.heap[a], s.heap[b] = s.heap[b], s.heap[a]
	s.slots[s.heap[a]].heapPos = uint32(a)
	s.slots[s.heap[b]].heapPos = uint32(b)
}

func (s *shard) heapUp(j int) {
	for j > 0 {
		p := (j - 1) / 2
		if !s.heapLess(j, p) {
			return
		}
		s.heapSwap(j, p)
		j = p
	}
}

func (s *shard) heapDown(j int) {
	n := len(s.heap)
	for {
		l := 2*j + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && s.heapLess(r, l) {
			m = r
		}
		if !s.heapLess(m, j) {
			return
		}
		s.heapSwap(j, m)
		j = m
	}
}

func (s *shard) heapRemove(i uint32) {
	p := s.slots[i].heapPos
	if p == math.MaxUint32 {
		return
	}
	last := len(s.heap) - 1
	if int(p) != last {
		s.heapSwap(int(p), last)
	}
	s.heap = s.heap[:last]
	s.slots[i].heapPos = math.MaxUint32
	if int(p) < last {
		moved := s.heap[p]
		s.heapUp(int(p))
		s.heapDown(int(s.slots[moved].heapPos))
	}
}

// earliest returns the slot with the earliest deadline other than keep.
func (s *shard) earliest(keep uint32, haveKeep bool) (uint32, bool) {
	if len(s.heap) == 0 {
		return 0, false
	}
	if !haveKeep || s.heap[0] != keep {
		return s.heap[0], true
	}
	// keep is the minimum: the next one is a child of the root.
	switch {
	case len(s.heap) == 1:
		return 0, false
	case len(s.heap) == 2 || s.heapLess(1, 2):
		return s.heap[1], true
	default:
		return s.heap[2], true
	}
}

// storeRecord writes rec as the record of slot i, replacing its old one.
func (s *shard) storeRecord(i uint32, rec []byte) {
	s.freeRecord(i)
	si, off := s.alloc(slabHeader + len(rec))
	s.place(i, rec, si, off)
	s.bytes += int64(slabHeader + len(rec))
}

// place writes rec, the record of slot i, with its slab header at offset
// off of slab si, which has room for it, and points the slot at it.
func (s *shard) place(i uint32, rec []byte, si, off int) {
	size := slabHeader + len(rec)
	buf := s.slabs[si].buf[:off+size]
	s.slabs[si].buf = buf
	binary.LittleEndian.PutUint32(buf[off:], i)
	binary.LittleEndian.PutUint32(buf[off+4:], uint32(size))
	copy(buf[off+slabHeader:], rec)
	s.slabs[si].live += size
	sl := &s.slots[i]
	sl.slab, sl.off, sl.size = uint32(si), uint32(off), uint32(size)
}

// freeRecord releases the record of slot i, if it has one, and compacts or
// recycles its slab when that pays.
func (s *shard) freeRecord(i uint32) {
	sl := &s.slots[i]
	if sl.size == 0 {
		return
	}
	si, size := int(sl.slab), int(sl.size)
	sl.slab, sl.off, sl.size = 0, 0, 0
	s.bytes -= int64(size)
	s.slabs[si].live -= size
	if si == s.cur {
		if s.slabs[si].live == 0 {
			s.slabs[si].buf = s.slabs[si].buf[:0]
		}
		return
	}
	b := &s.slabs[si]
	switch {
	case b.live == 0:
		s.releaseSlab(si)
	case b.live < len(b.buf)/2:
		s.compact(si)
	}
}

// alloc reserves size bytes and returns the slab and offset.
func (s *shard) alloc(size int) (int, int) {
	if s.cur >= 0 {
		b := &s.slabs[s.cur]
		if cap(b.buf)-len(b.buf) >= size {
			return s.cur, len(b.buf)
		}
		old := s.cur
		s.cur = -1
		// The full slab may already be mostly dead.
		switch {
		case b.live == 0:
			s.releaseSlab(old)
		case b.live < len(b.buf)/2:
			s.compact(old)
			if s.cur >= 0 && cap(s.slabs[s.cur].buf)-len(s.slabs[s.cur].buf) >= size {
				return s.cur, len(s.slabs[s.cur].buf)
			}
		}
	}
	s.cur = s.newSlab(size)
	return s.cur, 0
}

// newSlab returns a slab with room for at least size bytes.
func (s *shard) newSlab(size int) int {
	if s.spare >= 0 && cap(s.slabs[s.spare].buf) >= size {
		si := s.spare
		s.spare = -1
		return si
	}
	n := minSlabSize
	for _, b := range s.slabs {
		n = max(n, min(2*cap(b.buf), maxSlabSize))
	}
	n = max(n, size)
	buf := make([]byte, 0, n)
	if k := len(s.freeSlabs); k > 0 {
		si := s.freeSlabs[k-1]
		s.freeSlabs = s.freeSlabs[:k-1]
		s.slabs[si] = slab{buf: buf}
		return si
	}
	s.slabs = append(s.slabs, slab{buf: buf})
	return len(s.slabs) - 1
}

// releaseSlab empties slab si: it becomes the spare, or gives its buffer
// back to the garbage collector.
func (s *shard) releaseSlab(si int) {
	b := &s.slabs[si]
	if s.spare < 0 && cap(b.buf) <= maxSlabSize {
		b.buf, b.live = b.buf[:0], 0
		s.spare = si
		return
	}
	*b = slab{}
	s.freeSlabs = append(s.freeSlabs, si)
}

// compact moves the live records of slab si to the current slab and
// releases si.
func (s *shard) compact(si int) {
	buf := s.slabs[si].buf
	for off := 0; off+slabHeader <= len(buf); {
		i := binary.LittleEndian.Uint32(buf[off:])
		size := int(binary.LittleEndian.Uint32(buf[off+4:]))
		if size < slabHeader || off+size > len(buf) {
			break // cannot happen: the store wrote these headers
		}
		if int(i) < len(s.slots) {
			sl := s.slots[i]
			if sl.used && int(sl.slab) == si && int(sl.off) == off && int(sl.size) == size {
				s.move(i, buf[off+slabHeader:off+size])
			}
		}
		off += size
	}
	if s.slabs[si].live == 0 {
		s.releaseSlab(si)
	}
}

// move copies the record of slot i, currently rec, to the current slab.
func (s *shard) move(i uint32, rec []byte) {
	sl := &s.slots[i]
	old, size := int(sl.slab), int(sl.size)
	ni, off := s.allocNoCompact(size)
	s.slabs[old].live -= size
	s.place(i, rec, ni, off)
}

// allocNoCompact is alloc without compaction, for compaction itself.
func (s *shard) allocNoCompact(size int) (int, int) {
	if s.cur >= 0 {
		b := &s.slabs[s.cur]
		if cap(b.buf)-len(b.buf) >= size {
			return s.cur, len(b.buf)
		}
	}
	s.cur = s.newSlab(size)
	return s.cur, 0
}
