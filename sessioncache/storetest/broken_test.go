package storetest_test

import (
	"context"
	"fmt"
	"iter"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/serverdev/stdweb/sessioncache"
	"github.com/serverdev/stdweb/sessioncache/storetest"
)

// brokenStore is a mapStore with one deliberate bug, chosen by name.
type brokenStore struct {
	*mapStore
	bug string
}

func (b *brokenStore) Find(ctx context.Context, id string) (sessioncache.Record, bool, error) {
	if b.bug == "no-expiry" {
		b.mu.Lock()
		defer b.mu.Unlock()
		rec, ok := b.recs[id]
		return rec, ok, nil
	}
	return b.mapStore.Find(ctx, id)
}

func (b *brokenStore) Commit(ctx context.Context, id string, rec sessioncache.Record) error {
	if b.bug == "aliasing" {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.recs[id] = rec
		return nil
	}
	return b.mapStore.Commit(ctx, id, rec)
}

func (b *brokenStore) Delete(ctx context.Context, id string) error {
	if b.bug == "delete-missing-errors" {
		if _, found, _ := b.mapStore.Find(ctx, id); !found {
			return fmt.Errorf("no such session %q", id)
		}
	}
	return b.mapStore.Delete(ctx, id)
}

func (b *brokenStore) Apply(ctx context.Context, id string, d sessioncache.Delta) error {
	if b.bug == "apply-resurrects" {
		if _, found, _ := b.mapStore.Find(ctx, id); !found {
			return b.mapStore.Commit(ctx, id, sessioncache.Record{Values: d.Set, Deadline: d.Deadline})
		}
	}
	if b.bug == "apply-keeps-user" {
		d.User = nil
	}
	if b.bug == "apply-drops-stamp" {
		d.Stamp = 0
	}
	return b.mapStore.Apply(ctx, id, d)
}

func (b *brokenStore) All(ctx context.Context) iter.Seq2[sessioncache.Entry, error] {
	all := b.mapStore.All(ctx)
	if b.bug != "iter-twice" {
		return all
	}
	return func(yield func(sessioncache.Entry, error) bool) {
		for e, err := range all {
			if !yield(e, err) || !yield(e, err) {
				return
			}
		}
	}
}

// TestBrokenStoreHelper runs the suite on the broken store named by
// STORETEST_BUG; TestSuiteCatchesBugs runs it in a child process.
func TestBrokenStoreHelper(t *testing.T) {
	bug := os.Getenv("STORETEST_BUG")
	if bug == "" {
		t.Skip("run by TestSuiteCatchesBugs")
	}
	storetest.Run(t, func(*testing.T) sessioncache.Store { return &brokenStore{newMapStore(), bug} })
}

// TestSuiteCatchesBugs checks that the suite fails each broken store, in
// the subtest meant to catch the bug.
func TestSuiteCatchesBugs(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes")
	}
	tests := []struct{ bug, subtest string }{
		{"no-expiry", "Expiry"},
		{"aliasing", "Isolation"},
		{"delete-missing-errors", "Delete"},
		{"apply-resurrects", "Delta/missing"},
		{"apply-keeps-user", "UserIndex/apply_changes_user"},
		{"iter-twice", "Iterator/all"},
		{"apply-drops-stamp", "Stamp"},
	}
	for _, tt := range tests {
		t.Run(tt.bug, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestBrokenStoreHelper$/^"+strings.ReplaceAll(tt.subtest, "/", "$/^")+"$", "-test.v")
			cmd.Env = append(os.Environ(), "STORETEST_BUG="+tt.bug)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the suite passed a store with bug %q:\n%s", tt.bug, out)
			}
			if !strings.Contains(string(out), "--- FAIL: TestBrokenStoreHelper/"+tt.subtest) {
				t.Errorf("bug %q not caught by %s:\n%s", tt.bug, tt.subtest, out)
			}
		})
	}
}
