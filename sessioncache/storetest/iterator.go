package storetest

import (
	"testing"

	"github.com/serverdev/stdweb/sessioncache"
)

func testIterator(t *testing.T, s sessioncache.Store) {
	it, ok := s.(sessioncache.Iterator)
	if !ok {
		t.Skip("store does not implement sessioncache.Iterator")
	}
	ctx := t.Context()
	const n = 50

	// The store may hold sessions of other tests; only ours are checked.
	want := make(map[string]sessioncache.Record, n)
	for i := range n {
		id := newID()
		rec := sampleRecord("")
		if i%3 == 0 {
			rec.User = newUser("iter")
		}
		mustCommit(t, it, id, rec)
		want[id] = rec
	}
	deleted := newID()
	mustCommit(t, it, deleted, sampleRecord(""))
	if err := it.Delete(ctx, deleted); err != nil {
		t.Fatal(err)
	}
	expired := newID()
	exp := sampleRecord("")
	exp.Deadline = now().Add(shortLife)
	mustCommit(t, it, expired, exp)
	waitGone(t, it, expired, exp.Deadline)

	t.Run("all", func(t *testing.T) {
		seen := make(map[string]int, n)
		for e, err := range it.All(ctx) {
			if err != nil {
				t.Fatalf("All: %v", err)
			}
			if e.ID == deleted || e.ID == expired {
				t.Errorf("All yields %s session %q", map[bool]string{true: "deleted", false: "expired"}[e.ID == deleted], e.ID)
			}
			w, ours := want[e.ID]
			if !ours {
				continue
			}
			seen[e.ID]++
			checkRecord(t, "All entry "+e.ID, e.Record, w)
		}
		for id := range want {
			if seen[id] != 1 {
				t.Errorf("All yields session %q %d times, want once", id, seen[id])
			}
		}
	})

	t.Run("early break", func(t *testing.T) {
		count := 0
		for _, err := range it.All(ctx) {
			if err != nil {
				t.Fatalf("All: %v", err)
			}
			count++
			if count == 3 {
				break
			}
		}
		if count != 3 {
			t.Errorf("iterated %d entries before break, want 3", count)
		}
		// The store still works after an abandoned iteration.
		id := newID()
		mustCommit(t, it, id, sampleRecord(""))
		mustFind(t, it, id)
	})

	t.Run("delete while iterating", func(t *testing.T) {
		// Deleting the yielded session inside the loop must not deadlock
		// or stop the iteration.
		count := 0
		for e, err := range it.All(ctx) {
			if err != nil {
				t.Fatalf("All: %v", err)
			}
			if _, ours := want[e.ID]; !ours {
				continue
			}
			if err := it.Delete(ctx, e.ID); err != nil {
				t.Fatalf("Delete during All: %v", err)
			}
			count++
		}
		if count != n {
			t.Errorf("deleted %d sessions during All, want %d", count, n)
		}
		for id := range want {
			mustMiss(t, it, id)
		}
	})
}
