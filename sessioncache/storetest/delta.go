package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/serverdev/stdweb/sessioncache"
)

func ptr[T any](v T) *T { return &v }

func testDelta(t *testing.T, s sessioncache.Store) {
	ds, ok := s.(sessioncache.DeltaStore)
	if !ok {
		t.Skip("store does not implement sessioncache.DeltaStore")
	}
	ctx := t.Context()

	base := func() sessioncache.Record {
		return sessioncache.Record{
			Values:   map[string][]byte{"a": []byte("1"), "b": []byte("2"), "c": []byte("3")},
			User:     "",
			Created:  now().Add(-time.Minute),
			Deadline: now().Add(time.Hour),
		}
	}
	userA, userB := newUser("delta-a"), newUser("delta-b")
	later := now().Add(3 * time.Hour)

	tests := []struct {
		name  string
		start sessioncache.Record
		delta sessioncache.Delta
		want  func(sessioncache.Record) sessioncache.Record
	}{
		{"empty delta", base(), sessioncache.Delta{}, func(r sessioncache.Record) sessioncache.Record { return r }},
		{
			"set new and existing",
			base(),
			sessioncache.Delta{Set: map[string][]byte{"a": []byte("10"), "d": []byte("4"), "e": {}}},
			func(r sessioncache.Record) sessioncache.Record {
				r.Values["a"], r.Values["d"], r.Values["e"] = []byte("10"), []byte("4"), []byte{}
				return r
			},
		},
		{
			"remove",
			base(),
			sessioncache.Delta{Remove: []string{"a", "missing"}},
			func(r sessioncache.Record) sessioncache.Record { delete(r.Values, "a"); return r },
		},
		{
			"set and remove",
			base(),
			sessioncache.Delta{Set: map[string][]byte{"z": []byte("26")}, Remove: []string{"b", "c"}},
			func(r sessioncache.Record) sessioncache.Record {
				delete(r.Values, "b")
				delete(r.Values, "c")
				r.Values["z"] = []byte("26")
				return r
			},
		},
		{
			"clear",
			base(),
			sessioncache.Delta{Clear: true},
			func(r sessioncache.Record) sessioncache.Record { r.Values = nil; return r },
		},
		{
			"clear then set",
			base(),
			sessioncache.Delta{Clear: true, Set: map[string][]byte{"a": []byte("new"), "x": []byte("y")}},
			func(r sessioncache.Record) sessioncache.Record {
				r.Values = map[string][]byte{"a": []byte("new"), "x": []byte("y")}
				return r
			},
		},
		{
			"set user",
			base(),
			sessioncache.Delta{User: ptr(userA)},
			func(r sessioncache.Record) sessioncache.Record { r.User = userA; return r },
		},
		{
			"change user",
			func() sessioncache.Record { r := base(); r.User = userA; return r }(),
			sessioncache.Delta{User: ptr(userB)},
			func(r sessioncache.Record) sessioncache.Record { r.User = userB; return r },
		},
		{
			"remove user",
			func() sessioncache.Record { r := base(); r.User = userA; return r }(),
			sessioncache.Delta{User: ptr("")},
			func(r sessioncache.Record) sessioncache.Record { r.User = ""; return r },
		},
		{
			"nil user keeps user",
			func() sessioncache.Record { r := base(); r.User = userA; return r }(),
			sessioncache.Delta{Set: map[string][]byte{"a": []byte("x")}},
			func(r sessioncache.Record) sessioncache.Record { r.Values["a"] = []byte("x"); return r },
		},
		{
			"deadline",
			base(),
			sessioncache.Delta{Deadline: later},
			func(r sessioncache.Record) sessioncache.Record { r.Deadline = later; return r },
		},
		{
			"everything",
			func() sessioncache.Record { r := base(); r.User = userA; return r }(),
			sessioncache.Delta{
				Clear:    true,
				Set:      map[string][]byte{"k": []byte("v")},
				User:     ptr(userB),
				Deadline: later,
			},
			func(r sessioncache.Record) sessioncache.Record {
				r.Values = map[string][]byte{"k": []byte("v")}
				r.User = userB
				r.Deadline = later
				return r
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := newID()
			mustCommit(t, ds, id, tt.start)
			want := tt.want(cloneRecord(tt.start))
			if err := ds.Apply(ctx, id, tt.delta); err != nil {
				t.Fatalf("Apply: %v", err)
			}
			checkRecord(t, "Find after Apply", mustFind(t, ds, id), want)
		})
	}

	t.Run("missing", func(t *testing.T) {
		id := newID()
		err := ds.Apply(ctx, id, sessioncache.Delta{Set: map[string][]byte{"a": []byte("1")}, Deadline: later})
		errorIsNotFound(t, "Apply on a missing id", err)
		mustMiss(t, ds, id)
	})
	t.Run("deleted", func(t *testing.T) {
		id := newID()
		mustCommit(t, ds, id, base())
		if err := ds.Delete(ctx, id); err != nil {
			t.Fatal(err)
		}
		err := ds.Apply(ctx, id, sessioncache.Delta{Set: map[string][]byte{"a": []byte("1")}, Deadline: later})
		errorIsNotFound(t, "Apply on a deleted id", err)
		mustMiss(t, ds, id)
	})
	t.Run("expired", func(t *testing.T) {
		id := newID()
		rec := base()
		rec.Deadline = now().Add(shortLife)
		mustCommit(t, ds, id, rec)
		waitGone(t, ds, id, rec.Deadline)
		err := ds.Apply(ctx, id, sessioncache.Delta{Set: map[string][]byte{"a": []byte("1")}, Deadline: later})
		errorIsNotFound(t, "Apply on an expired id", err)
		mustMiss(t, ds, id)
	})
	t.Run("extends expiry", func(t *testing.T) {
		id := newID()
		rec := base()
		rec.Deadline = now().Add(shortLife)
		mustCommit(t, ds, id, rec)
		if err := ds.Apply(ctx, id, sessioncache.Delta{Deadline: later}); err != nil {
			t.Fatalf("Apply: %v", err)
		}
		time.Sleep(shortLife + 50*time.Millisecond)
		got := mustFind(t, ds, id)
		if !sameTime(got.Deadline, later) {
			t.Errorf("Deadline = %v, want %v", got.Deadline, later)
		}
	})
	t.Run("isolation", func(t *testing.T) {
		id := newID()
		mustCommit(t, ds, id, base())
		set := map[string][]byte{"a": []byte("applied")}
		if err := ds.Apply(ctx, id, sessioncache.Delta{Set: set}); err != nil {
			t.Fatal(err)
		}
		set["a"][0] = 'X'
		set["b"] = []byte("changed later")
		if got := mustFind(t, ds, id); string(got.Values["a"]) != "applied" || string(got.Values["b"]) != "2" {
			t.Errorf("changing the applied map changed the store: %q", got.Values)
		}
	})
	t.Run("concurrent fields", func(t *testing.T) {
		testConcurrentApply(t, ds)
	})
}

// testConcurrentApply has many goroutines change different fields of one
// session at once; every change must survive.
func testConcurrentApply(t *testing.T, ds sessioncache.DeltaStore) {
	ctx := t.Context()
	const perWorker = 5
	id := newID()
	start := sessioncache.Record{
		Values:   map[string][]byte{"keep": []byte("me"), "gone": []byte("soon")},
		Created:  now(),
		Deadline: now().Add(time.Hour),
	}
	mustCommit(t, ds, id, start)

	want := map[string][]byte{"keep": []byte("me")}
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make(chan error, workers*perWorker)
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				k := fmt.Sprintf("w%d-%d", w, i)
				v := fmt.Appendf(nil, "value of %s", k)
				d := sessioncache.Delta{Set: map[string][]byte{k: v}, Deadline: now().Add(time.Hour)}
				if w == 0 && i == 0 {
					d.Remove = []string{"gone"}
				}
				if err := ds.Apply(ctx, id, d); err != nil {
					errs <- fmt.Errorf("Apply %s: %w", k, err)
					continue
				}
				mu.Lock()
				want[k] = v
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got := mustFind(t, ds, id)
	if d := diffValues(got.Values, want); d != "" {
		t.Errorf("after %d concurrent Applies: %s", workers*perWorker, d)
	}
	if len(want) != 1+workers*perWorker {
		t.Errorf("%d changes applied, want %d", len(want)-1, workers*perWorker)
	}
}
