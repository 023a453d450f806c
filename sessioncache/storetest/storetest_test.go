package storetest_test

import (
	"bytes"
	"context"
	"fmt"
	"iter"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/serverdev/stdweb/sessioncache"
	"github.com/serverdev/stdweb/sessioncache/storetest"
)

// mapStore is the simplest store that keeps the whole contract: one map
// under one mutex. It checks the suite itself.
type mapStore struct {
	mu   sync.Mutex
	recs map[string]sessioncache.Record
}

func newMapStore() *mapStore { return &mapStore{recs: make(map[string]sessioncache.Record)} }

func cloneValues(v map[string][]byte) map[string][]byte {
	c := make(map[string][]byte, len(v))
	for k, b := range v {
		c[k] = bytes.Clone(b)
	}
	return c
}

func (s *mapStore) live(id string) (sessioncache.Record, bool) {
	rec, ok := s.recs[id]
	if ok && !time.Now().Before(rec.Deadline) {
		delete(s.recs, id)
		return sessioncache.Record{}, false
	}
	return rec, ok
}

func (s *mapStore) Find(_ context.Context, id string) (sessioncache.Record, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.live(id)
	if !ok {
		return sessioncache.Record{}, false, nil
	}
	rec.Values = cloneValues(rec.Values)
	return rec, true, nil
}

func (s *mapStore) Commit(_ context.Context, id string, rec sessioncache.Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec.Values = cloneValues(rec.Values)
	s.recs[id] = rec
	return nil
}

func (s *mapStore) Delete(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.recs, id)
	return nil
}

func (s *mapStore) Apply(_ context.Context, id string, d sessioncache.Delta) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.live(id)
	if !ok {
		return fmt.Errorf("apply %q: %w", id, sessioncache.ErrNotFound)
	}
	if d.Clear {
		clear(rec.Values)
	}
	for _, k := range d.Remove {
		delete(rec.Values, k)
	}
	for k, v := range d.Set {
		rec.Values[k] = bytes.Clone(v)
	}
	if d.User != nil {
		rec.User = *d.User
	}
	if !d.Deadline.IsZero() {
		rec.Deadline = d.Deadline
	}
	if d.Stamp != 0 {
		rec.Stamp = d.Stamp
	}
	s.recs[id] = rec
	return nil
}

// FindFresh implements sessioncache.FreshFinder: a mapStore keeps no
// copies, so every Find is fresh.
func (s *mapStore) FindFresh(ctx context.Context, id string, _ uint64) (sessioncache.Record, bool, error) {
	return s.Find(ctx, id)
}

func (s *mapStore) UserSessions(_ context.Context, user string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for _, id := range slices.Collect(maps.Keys(s.recs)) {
		if rec, ok := s.live(id); ok && rec.User == user {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

func (s *mapStore) DeleteUser(ctx context.Context, user string) (int, error) {
	ids, _ := s.UserSessions(ctx, user)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		delete(s.recs, id)
	}
	return len(ids), nil
}

func (s *mapStore) All(context.Context) iter.Seq2[sessioncache.Entry, error] {
	return func(yield func(sessioncache.Entry, error) bool) {
		s.mu.Lock()
		ids := slices.Collect(maps.Keys(s.recs))
		s.mu.Unlock()
		for _, id := range ids {
			rec, ok, _ := s.Find(context.Background(), id)
			if ok && !yield(sessioncache.Entry{ID: id, Record: rec}, nil) {
				return
			}
		}
	}
}

// basicStore hides the optional interfaces of a mapStore.
type basicStore struct{ s *mapStore }

func (b basicStore) Find(ctx context.Context, id string) (sessioncache.Record, bool, error) {
	return b.s.Find(ctx, id)
}
func (b basicStore) Commit(ctx context.Context, id string, r sessioncache.Record) error {
	return b.s.Commit(ctx, id, r)
}
func (b basicStore) Delete(ctx context.Context, id string) error { return b.s.Delete(ctx, id) }

func TestRunFullStore(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(*testing.T) sessioncache.Store { return newMapStore() })
}

func TestRunSharedStore(t *testing.T) {
	t.Parallel()
	shared := newMapStore()
	storetest.Run(t, func(*testing.T) sessioncache.Store { return shared })
}

func TestRunBasicStore(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(*testing.T) sessioncache.Store { return basicStore{newMapStore()} })
}
