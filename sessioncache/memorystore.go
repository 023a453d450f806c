package sessioncache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"iter"
	"math/bits"
	"sync"
	"sync/atomic"
	"time"
)

// ErrTooLarge reports a session record bigger than a store accepts.
var ErrTooLarge = errors.New("sessioncache: session too large")

// MemoryOptions configures a MemoryStore. The zero value is ready to use.
type MemoryOptions struct {
	// MaxBytes bounds the memory the sessions take, counted as their
	// encoded size plus about 100 bytes each. The bound is kept per shard
	// (MaxBytes divided by the number of shards). Slabs being compacted may
	// briefly hold up to twice the counted bytes.
	//
	// When a commit needs room, the store evicts the sessions whose
	// deadline comes first: with an idle timeout those are the sessions
	// idle the longest, and a fresh login, whose deadline is the latest, is
	// the last to go. The store never evicts by frequency of use. A single
	// session larger than a shard's share is refused with ErrTooLarge.
	//
	// Zero means 1 GiB; a negative value means no bound.
	MaxBytes int64

	// Shards is the number of independently locked parts, rounded up to a
	// power of two. Zero means 64.
	Shards int

	// CleanupInterval is how often a background goroutine removes expired
	// sessions, a bounded batch per shard lock. Zero means one second; a
	// negative value turns the goroutine off (expired sessions are then
	// invisible but removed only by later commits to their shard).
	CleanupInterval time.Duration
}

// MemoryStats describes the contents of a MemoryStore.
type MemoryStats struct {
	Sessions  int    // live and not yet removed expired sessions
	Bytes     int64  // bytes counted against MaxBytes
	SlabBytes int64  // capacity of the byte slabs holding the records
	Evicted   uint64 // sessions evicted to keep MaxBytes
	Expired   uint64 // expired sessions removed
}

// MemoryStore keeps sessions in this process's memory. It implements Store,
// DeltaStore, UserIndex and Iterator. Create one with NewMemoryStore and
// stop its cleanup goroutine with Close.
//
// It is built for millions of sessions without making the garbage
// collector's work grow with them: the store is sharded, each shard's index
// maps integer hashes to integer slot numbers, and the records are
// serialized into large byte slabs that the collector does not scan. Hash
// collisions are resolved by comparing the full ids stored in the records,
// so one session is never returned for another.
type MemoryStore struct {
	seed     maphash.Seed
	shards   []lockedShard
	shift    uint
	shardMax int64

	evicted, expired atomic.Uint64

	closed    atomic.Bool
	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

type lockedShard struct {
	mu sync.RWMutex
	*shard
	_ [40]byte // keeps the locks of neighbouring shards off one cache line
}

// NewMemoryStore returns a MemoryStore configured by opts.
func NewMemoryStore(opts MemoryOptions) *MemoryStore {
	n := opts.Shards
	if n <= 0 {
		n = 64
	}
	n = 1 << bits.Len(uint(n-1))
	m := &MemoryStore{
		seed:   maphash.MakeSeed(),
		shards: make([]lockedShard, n),
		shift:  uint(64 - bits.Len(uint(n-1))),
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
	}
	for i := range m.shards {
		m.shards[i].shard = newShard()
	}
	switch limit := opts.MaxBytes; {
	case limit == 0:
		m.shardMax = (1 << 30) / int64(n)
	case limit > 0:
		m.shardMax = max(limit/int64(n), 1)
	}
	interval := opts.CleanupInterval
	if interval == 0 {
		interval = time.Second
	}
	if interval > 0 {
		go m.cleanup(interval)
	} else {
		close(m.done)
	}
	return m
}

// Close stops the cleanup goroutine. The store refuses every call after
// Close with an error wrapping ErrUnavailable.
func (m *MemoryStore) Close() error {
	m.closeOnce.Do(func() {
		m.closed.Store(true)
		close(m.stop)
	})
	<-m.done
	return nil
}

var errClosed = fmt.Errorf("%w: memory store closed", ErrUnavailable)

func (m *MemoryStore) hash(s string) uint64 { return maphash.String(m.seed, s) }

// locate returns the hash and the shard of id, or errClosed.
func (m *MemoryStore) locate(id string) (uint64, *lockedShard, error) {
	if m.closed.Load() {
		return 0, nil, errClosed
	}
	h := m.hash(id)
	return h, m.shardOf(h), nil
}

func (m *MemoryStore) shardOf(h uint64) *lockedShard {
	if m.shift >= 64 {
		return &m.shards[0]
	}
	return &m.shards[h>>m.shift]
}

// deadlineNanos converts a deadline; the zero time means none.
func deadlineNanos(t time.Time) int64 {
	if t.IsZero() {
		return noDeadline
	}
	return t.UnixNano()
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

// Find implements Store.
func (m *MemoryStore) Find(_ context.Context, id string) (Record, bool, error) {
	h, sh, err := m.locate(id)
	if err != nil {
		return Record{}, false, err
	}
	now := time.Now().UnixNano()
	sh.mu.RLock()
	i, ok := sh.find(h, id)
	if !ok || sh.slots[i].deadline <= now {
		sh.mu.RUnlock()
		return Record{}, false, nil
	}
	b := bytes.Clone(sh.record(i))
	deadline := sh.slots[i].deadline
	sh.mu.RUnlock()
	return decodeEntry(b, deadline)
}

// decodeEntry decodes an owned copy of a record.
func decodeEntry(b []byte, deadline int64) (Record, bool, error) {
	_, rec, err := decodeRecord(b)
	if err != nil {
		return Record{}, false, err
	}
	if deadline != noDeadline {
		rec.Deadline = time.Unix(0, deadline)
	}
	return rec, true, nil
}

// Commit implements Store. A record whose deadline has passed deletes the
// session; the zero deadline keeps it until it is deleted or evicted.
func (m *MemoryStore) Commit(_ context.Context, id string, rec Record) error {
	h, sh, err := m.locate(id)
	if err != nil {
		return err
	}
	now := time.Now().UnixNano()
	deadline := deadlineNanos(rec.Deadline)
	if deadline <= now {
		sh.mu.Lock()
		if i, ok := sh.find(h, id); ok {
			sh.remove(i)
		}
		sh.mu.Unlock()
		return nil
	}
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	b := appendRecord((*bp)[:0], id, rec)
	*bp = b
	if err := m.checkSize(len(b)); err != nil {
		return err
	}
	uh := m.hash(rec.User)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	i, ok := sh.find(h, id)
	if !ok {
		i = sh.newSlot(h)
	}
	sh.storeRecord(i, b)
	sh.setUser(i, uh, rec.User != "")
	sh.setDeadline(i, deadline)
	m.makeRoom(sh, i, now)
	return nil
}

// checkSize refuses records that could never fit.
func (m *MemoryStore) checkSize(n int) error {
	if n > maxRecordLen || (m.shardMax > 0 && int64(n+slabHeader+slotOverhead) > m.shardMax) {
		return fmt.Errorf("%w: a record of %d bytes exceeds the memory store's bound", ErrTooLarge, n)
	}
	return nil
}

// makeRoom removes a few expired sessions, then evicts the sessions with the
// earliest deadlines, never keep, until the shard is within its bound. The
// caller holds the shard's lock.
func (m *MemoryStore) makeRoom(sh *lockedShard, keep uint32, now int64) {
	m.expired.Add(uint64(sh.expire(now, 2)))
	for m.shardMax > 0 && sh.bytes > m.shardMax {
		j, ok := sh.earliest(keep, true)
		if !ok {
			return
		}
		sh.remove(j)
		m.evicted.Add(1)
	}
}

// expire removes up to limit expired sessions and reports how many.
func (s *shard) expire(now int64, limit int) int {
	n := 0
	for n < limit && len(s.heap) > 0 && s.slots[s.heap[0]].deadline <= now {
		s.remove(s.heap[0])
		n++
	}
	return n
}

// Delete implements Store.
func (m *MemoryStore) Delete(_ context.Context, id string) error {
	h, sh, err := m.locate(id)
	if err != nil {
		return err
	}
	sh.mu.Lock()
	if i, ok := sh.find(h, id); ok {
		sh.remove(i)
	}
	sh.mu.Unlock()
	return nil
}

// Apply implements DeltaStore. It changes the record under the shard's lock,
// so concurrent changes of different fields all survive.
func (m *MemoryStore) Apply(_ context.Context, id string, d Delta) error {
	h, sh, err := m.locate(id)
	if err != nil {
		return err
	}
	now := time.Now().UnixNano()
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	var uh uint64
	if d.User != nil {
		uh = m.hash(*d.User)
	}

	sh.mu.Lock()
	defer sh.mu.Unlock()
	i, ok := sh.find(h, id)
	if !ok || sh.slots[i].deadline <= now {
		return fmt.Errorf("sessioncache: apply to session: %w", ErrNotFound)
	}
	b, err := applyDelta((*bp)[:0], sh.record(i), d)
	*bp = b
	if err != nil {
		return err
	}
	if err := m.checkSize(len(b)); err != nil {
		return err
	}
	sh.storeRecord(i, b)
	if d.User != nil {
		sh.setUser(i, uh, *d.User != "")
	}
	if !d.Deadline.IsZero() {
		sh.setDeadline(i, d.Deadline.UnixNano())
	}
	m.makeRoom(sh, i, now)
	return nil
}

// applyDelta appends to b the record old changed by d.
func applyDelta(b, old []byte, d Delta) ([]byte, error) {
	v, err := parseRecord(old)
	if err != nil {
		return b, err
	}
	keep := func(name []byte) bool {
		if d.Clear {
			return false
		}
		if _, ok := d.Set[string(name)]; ok {
			return false
		}
		for _, r := range d.Remove {
			if r == string(name) {
				return false
			}
		}
		return true
	}
	count := len(d.Set)
	f := v.fieldReader()
	for name, _, ok := f.next(); ok; name, _, ok = f.next() {
		if keep(name) {
			count++
		}
	}
	if err := f.err(); err != nil {
		return b, err
	}
	user := string(v.user)
	if d.User != nil {
		user = *d.User
	}
	stamp := v.stamp
	if d.Stamp != 0 {
		stamp = d.Stamp
	}
	b = appendRecordHeader(b, string(v.id), user, v.created, stamp, count)
	f = v.fieldReader()
	for name, value, ok := f.next(); ok; name, value, ok = f.next() {
		if keep(name) {
			b = appendString(b, string(name))
			b = appendBytes(b, value)
		}
	}
	for k, val := range d.Set {
		b = appendField(b, k, val)
	}
	return b, nil
}

// UserSessions implements UserIndex.
func (m *MemoryStore) UserSessions(_ context.Context, user string) ([]string, error) {
	if m.closed.Load() {
		return nil, errClosed
	}
	uh := m.hash(user)
	now := time.Now().UnixNano()
	var ids []string
	for si := range m.shards {
		sh := &m.shards[si]
		sh.mu.RLock()
		for _, i := range sh.userSlots(uh, user, now) {
			ids = append(ids, string(sh.recordID(i)))
		}
		sh.mu.RUnlock()
	}
	return ids, nil
}

// userSlots returns the live slots of user.
func (s *shard) userSlots(uh uint64, user string, now int64) []uint32 {
	var out []uint32
	for l := s.users[uh]; l != 0; l = s.slots[l-1].userNext {
		i := l - 1
		if s.slots[i].deadline <= now {
			continue
		}
		v, err := parseRecord(s.record(i))
		if err == nil && equalID(v.user, user) {
			out = append(out, i)
		}
	}
	return out
}

// DeleteUser implements UserIndex.
func (m *MemoryStore) DeleteUser(_ context.Context, user string) (int, error) {
	if m.closed.Load() {
		return 0, errClosed
	}
	uh := m.hash(user)
	now := time.Now().UnixNano()
	n := 0
	for si := range m.shards {
		sh := &m.shards[si]
		sh.mu.Lock()
		for _, i := range sh.userSlots(uh, user, now) {
			sh.remove(i)
			n++
		}
		sh.mu.Unlock()
	}
	return n, nil
}

// iterBatch is how many sessions All copies under one shard lock.
const iterBatch = 128

// All implements Iterator. It copies a batch of records at a time under the
// shard's read lock, so the caller may change the store while iterating.
// A session that lives through the whole iteration is yielded exactly once.
func (m *MemoryStore) All(ctx context.Context) iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		if m.closed.Load() {
			yield(Entry{}, errClosed)
			return
		}
		type copied struct {
			rec      []byte
			deadline int64
		}
		batch := make([]copied, 0, iterBatch)
		for si := range m.shards {
			sh := &m.shards[si]
			for pos := 0; ; {
				if err := ctx.Err(); err != nil {
					yield(Entry{}, err)
					return
				}
				batch = batch[:0]
				now := time.Now().UnixNano()
				sh.mu.RLock()
				for ; pos < len(sh.slots) && len(batch) < iterBatch; pos++ {
					sl := &sh.slots[pos]
					if sl.used && sl.deadline > now {
						batch = append(batch, copied{bytes.Clone(sh.record(uint32(pos))), sl.deadline})
					}
				}
				more := pos < len(sh.slots)
				sh.mu.RUnlock()
				for _, c := range batch {
					id, rec, err := decodeRecord(c.rec)
					if err != nil {
						yield(Entry{}, err)
						return
					}
					if c.deadline != noDeadline {
						rec.Deadline = time.Unix(0, c.deadline)
					}
					if !yield(Entry{ID: id, Record: rec}, nil) {
						return
					}
				}
				if !more {
					break
				}
			}
		}
	}
}

// Stats reports the contents of the store.
func (m *MemoryStore) Stats() MemoryStats {
	st := MemoryStats{Evicted: m.evicted.Load(), Expired: m.expired.Load()}
	for si := range m.shards {
		sh := &m.shards[si]
		sh.mu.RLock()
		st.Sessions += len(sh.slots) - len(sh.freeSlots)
		st.Bytes += sh.bytes
		for _, b := range sh.slabs {
			st.SlabBytes += int64(cap(b.buf))
		}
		sh.mu.RUnlock()
	}
	return st
}

// cleanup removes expired sessions every interval until Close.
func (m *MemoryStore) cleanup(interval time.Duration) {
	defer close(m.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-m.stop:
			return
		case <-t.C:
			m.removeExpired()
		}
	}
}

// removeExpired removes every expired session, in bounded batches so that
// no lock is held long.
func (m *MemoryStore) removeExpired() {
	const perLock = 256
	for si := range m.shards {
		sh := &m.shards[si]
		for {
			now := time.Now().UnixNano()
			sh.mu.Lock()
			n := sh.expire(now, perLock)
			sh.mu.Unlock()
			m.expired.Add(uint64(n))
			if n < perLock {
				break
			}
		}
	}
}
