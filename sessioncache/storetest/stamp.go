package storetest

import (
	"testing"
	"time"

	"github.com/serverdev/stdweb/sessioncache"
)

// testStamp checks that Record.Stamp survives Commit, that Apply changes it
// only when Delta.Stamp is set, and, for a sessioncache.FreshFinder, that
// FindFresh returns the current record whatever stamp it is given. A store
// that is no FreshFinder may instead drop stamps altogether (return 0).
func testStamp(t *testing.T, s sessioncache.Store) {
	ff, isFresh := s.(sessioncache.FreshFinder)
	id := newID()
	rec := sampleRecord("")
	rec.Stamp = 0x0123456789abcdef
	mustCommit(t, s, id, rec)
	switch got := mustFind(t, s, id).Stamp; {
	case got == 0 && !isFresh:
		t.Log("the store does not keep Record.Stamp; the Manager cannot ask it for fresh reads")
		return
	case got != rec.Stamp:
		t.Fatalf("Stamp after Commit = %#x, want %#x", got, rec.Stamp)
	}

	rec.Stamp = 2
	mustCommit(t, s, id, rec)
	if got := mustFind(t, s, id).Stamp; got != 2 {
		t.Fatalf("Stamp after a replacing Commit = %d, want 2", got)
	}
	want := rec.Stamp
	if ds, ok := s.(sessioncache.DeltaStore); ok {
		mustApply := func(d sessioncache.Delta) {
			t.Helper()
			if err := ds.Apply(t.Context(), id, d); err != nil {
				t.Fatalf("Apply: %v", err)
			}
		}
		mustApply(sessioncache.Delta{Set: map[string][]byte{"k": []byte("v")}, Stamp: 3})
		if got := mustFind(t, s, id).Stamp; got != 3 {
			t.Fatalf("Stamp after Apply with Stamp 3 = %d, want 3", got)
		}
		mustApply(sessioncache.Delta{Deadline: now().Add(time.Hour)})
		if got := mustFind(t, s, id).Stamp; got != 3 {
			t.Fatalf("Stamp after Apply without a stamp = %d, want 3 kept", got)
		}
		want = 3
	}
	if !isFresh {
		return
	}
	for _, stamp := range []uint64{want, want + 100} {
		got, found, err := ff.FindFresh(t.Context(), id, stamp)
		if err != nil || !found {
			t.Fatalf("FindFresh(%q, %d): found %v, err %v", id, stamp, found, err)
		}
		if got.Stamp != want || len(got.Values) == 0 {
			t.Errorf("FindFresh(%q, %d) = stamp %d with %d values, want the current record (stamp %d)", id, stamp, got.Stamp, len(got.Values), want)
		}
	}
	if _, found, err := ff.FindFresh(t.Context(), newID(), want); err != nil || found {
		t.Errorf("FindFresh of a missing session: found %v, err %v; want not found", found, err)
	}
}
