package sessioncache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// checkShard verifies the invariants of a shard: every used slot is indexed,
// in the heap at its position, and its record decodes to its own id; the
// slabs account exactly for the live records.
func checkShard(t *testing.T, s *shard) {
	t.Helper()
	live := make(map[int]int)
	var counted int64
	used := 0
	for i := range s.slots {
		sl := &s.slots[i]
		if !sl.used {
			continue
		}
		used++
		counted += int64(sl.size) + slotOverhead
		live[int(sl.slab)] += int(sl.size)
		if int(sl.heapPos) >= len(s.heap) || s.heap[sl.heapPos] != uint32(i) {
			t.Fatalf("slot %d: heap position %d wrong", i, sl.heapPos)
		}
		id := s.recordID(uint32(i))
		if id == nil {
			t.Fatalf("slot %d: record does not parse", i)
		}
		if j, ok := s.find(sl.idHash, string(id)); !ok || j != uint32(i) {
			t.Fatalf("slot %d: find(%q) = %d, %v", i, id, j, ok)
		}
	}
	if used != len(s.heap) {
		t.Fatalf("%d used slots, %d heap entries", used, len(s.heap))
	}
	for j := 1; j < len(s.heap); j++ {
		if s.heapLess(j, (j-1)/2) {
			t.Fatalf("heap order broken at %d", j)
		}
	}
	if counted != s.bytes {
		t.Fatalf("bytes = %d, slots account for %d", s.bytes, counted)
	}
	for si, b := range s.slabs {
		if b.live != live[si] {
			t.Fatalf("slab %d: live = %d, slots account for %d", si, b.live, live[si])
		}
	}
}

// TestMemoryStoreModel runs random operations against the store and a map,
// with record sizes that force slab growth, compaction and reuse.
func TestMemoryStoreModel(t *testing.T) {
	ctx := context.Background()
	m := NewMemoryStore(MemoryOptions{Shards: 2, MaxBytes: -1, CleanupInterval: -1})
	defer m.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	model := make(map[string]map[string][]byte)
	ids := make([]string, 200)
	for i := range ids {
		ids[i] = fmt.Sprintf("id-%d", i)
	}
	pool := make([]byte, 8192)
	for i := range pool {
		pool[i] = byte(rng.IntN(256))
	}
	value := func() []byte {
		off := rng.IntN(4096)
		return bytes.Clone(pool[off : off+rng.IntN(3000)])
	}
	deadline := time.Now().Add(time.Hour)
	for op := range 10000 {
		id := ids[rng.IntN(len(ids))]
		switch rng.IntN(4) {
		case 0:
			vals := map[string][]byte{"a": value(), "b": value()}
			if err := m.Commit(ctx, id, Record{Values: vals, Deadline: deadline.Add(time.Duration(rng.IntN(1000)) * time.Second)}); err != nil {
				t.Fatal(err)
			}
			model[id] = vals
		case 1:
			d := Delta{Set: map[string][]byte{fmt.Sprint("f", rng.IntN(4)): value()}, Remove: []string{"a"}}
			err := m.Apply(ctx, id, d)
			if _, ok := model[id]; !ok {
				if !errors.Is(err, ErrNotFound) {
					t.Fatalf("Apply on missing: %v", err)
				}
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			delete(model[id], "a")
			for k, v := range d.Set {
				model[id][k] = v
			}
		case 2:
			if err := m.Delete(ctx, id); err != nil {
				t.Fatal(err)
			}
			delete(model, id)
		case 3:
			rec, found, err := m.Find(ctx, id)
			want, ok := model[id]
			if err != nil || found != ok {
				t.Fatalf("op %d: Find(%s) = %v, %v; want found %v", op, id, found, err, ok)
			}
			if len(rec.Values) != len(want) {
				t.Fatalf("op %d: Find(%s) has %d values, want %d", op, id, len(rec.Values), len(want))
			}
			for k, v := range want {
				if !bytes.Equal(rec.Values[k], v) {
					t.Fatalf("op %d: Find(%s)[%s] differs", op, id, k)
				}
			}
		}
		if op%1000 == 0 {
			for i := range m.shards {
				checkShard(t, m.shards[i].shard)
			}
		}
	}
	for i := range m.shards {
		checkShard(t, m.shards[i].shard)
	}
	if st := m.Stats(); st.Sessions != len(model) {
		t.Errorf("Stats().Sessions = %d, want %d", st.Sessions, len(model))
	}
	// Deleting everything gives the slabs back but for one spare per shard.
	for id := range model {
		m.Delete(ctx, id)
	}
	for i := range m.shards {
		checkShard(t, m.shards[i].shard)
	}
	if st := m.Stats(); st.Sessions != 0 || st.Bytes != 0 || st.SlabBytes > int64(len(m.shards))*2*maxSlabSize {
		t.Errorf("empty store: %+v", st)
	}
}

// TestShardHashCollision stores two ids under one hash: each is found by
// its own id, never the other's.
func TestShardHashCollision(t *testing.T) {
	s := newShard()
	const h = 42
	add := func(id string) uint32 {
		i := s.newSlot(h)
		s.storeRecord(i, appendRecord(nil, id, Record{Values: map[string][]byte{"id": []byte(id)}}))
		s.setDeadline(i, noDeadline)
		return i
	}
	a, b, c := add("alpha"), add("bravo"), add("charlie")
	for id, want := range map[string]uint32{"alpha": a, "bravo": b, "charlie": c} {
		if got, ok := s.find(h, id); !ok || got != want {
			t.Errorf("find(%q) = %d, %v; want %d", id, got, ok, want)
		}
	}
	if _, ok := s.find(h, "delta"); ok {
		t.Error("find of an absent id with a colliding hash succeeded")
	}
	s.remove(b)
	if _, ok := s.find(h, "bravo"); ok {
		t.Error("removed id still found")
	}
	for _, id := range []string{"alpha", "charlie"} {
		if _, ok := s.find(h, id); !ok {
			t.Errorf("%q lost after removing a colliding id", id)
		}
	}
	checkShard(t, s)
}

// TestMemoryStoreEviction fills a bounded store: the sessions with the
// earliest deadlines go first, a fresh session stays.
func TestMemoryStoreEviction(t *testing.T) {
	ctx := context.Background()
	m := NewMemoryStore(MemoryOptions{Shards: 1, MaxBytes: 20 << 10, CleanupInterval: -1})
	defer m.Close()
	base := time.Now().Add(time.Hour)
	value := make([]byte, 1000)
	for i := range 100 {
		rec := Record{Values: map[string][]byte{"v": value}, Deadline: base.Add(time.Duration(i) * time.Minute)}
		if err := m.Commit(ctx, fmt.Sprint("s", i), rec); err != nil {
			t.Fatal(err)
		}
	}
	st := m.Stats()
	if st.Bytes > 20<<10 || st.Evicted == 0 {
		t.Fatalf("stats %+v: over the bound or nothing evicted", st)
	}
	// The survivors are the latest deadlines: s99 down to some s(k).
	if _, found, _ := m.Find(ctx, "s99"); !found {
		t.Error("the newest session was evicted")
	}
	if _, found, _ := m.Find(ctx, "s0"); found {
		t.Error("the earliest-deadline session survived")
	}
	// A session that was just extended (a fresh login or an active user)
	// survives the next evictions.
	if err := m.Apply(ctx, "s90", Delta{Deadline: base.Add(24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	for i := 100; i < 130; i++ {
		rec := Record{Values: map[string][]byte{"v": value}, Deadline: base.Add(time.Duration(i) * time.Minute)}
		if err := m.Commit(ctx, fmt.Sprint("s", i), rec); err != nil {
			t.Fatal(err)
		}
	}
	if _, found, _ := m.Find(ctx, "s90"); !found {
		t.Error("the extended session was evicted")
	}
	// A record bigger than the bound is refused.
	err := m.Commit(ctx, "huge", Record{Values: map[string][]byte{"v": make([]byte, 30<<10)}, Deadline: base})
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("Commit of a huge record = %v, want ErrTooLarge", err)
	}
	checkShard(t, m.shards[0].shard)
}

func TestMemoryStoreCorrupt(t *testing.T) {
	ctx := context.Background()
	m := NewMemoryStore(MemoryOptions{Shards: 1, CleanupInterval: -1})
	defer m.Close()
	if err := m.Commit(ctx, "id", Record{Values: map[string][]byte{"k": []byte("v")}, Deadline: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	// Damage the length of the value in the record's slab. (Damage to the
	// header hides the record: its id cannot be read, so it is never found
	// and it goes at its deadline.)
	s := m.shards[0].shard
	i, _ := s.find(m.hash("id"), "id")
	rec := s.record(i)
	rec[len(rec)-2] = 0x7f
	if _, _, err := m.Find(ctx, "id"); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Find = %v, want ErrCorrupt", err)
	}
	if err := m.Apply(ctx, "id", Delta{Set: map[string][]byte{"x": nil}}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Apply = %v, want ErrCorrupt", err)
	}
	for _, err := range m.All(ctx) {
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("All yields %v, want ErrCorrupt", err)
		}
	}
	// Delete still works.
	if err := m.Delete(ctx, "id"); err != nil {
		t.Errorf("Delete = %v", err)
	}
}

func TestMemoryStoreCleanupAndClose(t *testing.T) {
	ctx := context.Background()
	m := NewMemoryStore(MemoryOptions{CleanupInterval: 10 * time.Millisecond})
	for i := range 1000 {
		m.Commit(ctx, fmt.Sprint(i), Record{Deadline: time.Now().Add(30 * time.Millisecond)})
	}
	limit := time.Now().Add(5 * time.Second)
	for m.Stats().Sessions > 0 {
		if time.Now().After(limit) {
			t.Fatalf("cleanup left %d expired sessions", m.Stats().Sessions)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if st := m.Stats(); st.Expired != 1000 {
		t.Errorf("Expired = %d, want 1000", st.Expired)
	}
	m.Close()
	m.Close() // twice is fine
	if _, _, err := m.Find(ctx, "x"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Find after Close = %v, want ErrUnavailable", err)
	}
	if err := m.Commit(ctx, "x", Record{}); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Commit after Close = %v, want ErrUnavailable", err)
	}
}
