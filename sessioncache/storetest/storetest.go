package storetest

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/serverdev/stdweb/sessioncache"
)

// Tolerances of the suite.
const (
	// precision is how much a time may change on a round trip.
	precision = time.Millisecond

	// shortLife is the deadline used to check expiry.
	shortLife = 150 * time.Millisecond

	// expiryWait bounds how long the suite waits for an expired session to
	// disappear after its deadline.
	expiryWait = 3 * time.Second

	// workers is the number of goroutines of the concurrency checks.
	workers = 32
)

// Run runs the conformance suite as subtests of t. newStore is called once
// per subtest and returns the store to check; it registers any cleanup with
// t.Cleanup.
func Run(t *testing.T, newStore func(t *testing.T) sessioncache.Store) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(*testing.T, sessioncache.Store)
	}{
		{"FindMissing", testFindMissing},
		{"RoundTrip", testRoundTrip},
		{"EmptyRecord", testEmptyRecord},
		{"LargeValue", testLargeValue},
		{"Replace", testReplace},
		{"Delete", testDelete},
		{"Isolation", testIsolation},
		{"PastDeadline", testPastDeadline},
		{"Expiry", testExpiry},
		{"Concurrent", testConcurrent},
		{"Delta", testDelta},
		{"UserIndex", testUserIndex},
		{"Iterator", testIterator},
		{"Stamp", testStamp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			if s == nil {
				t.Fatal("newStore returned nil")
			}
			tt.fn(t, s)
		})
	}
}

// randomString returns a random base64url string of n random bytes, the
// shape of the ids the Manager uses.
func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// newID returns a random id shaped like the Manager's (a hashed token).
func newID() string { return randomString(32) }

// newUser returns a random user name, so that subtests sharing a store do
// not see each other's users.
func newUser(prefix string) string { return prefix + "-" + randomString(9) }

// now returns the current time rounded to the millisecond.
func now() time.Time { return time.Now().Round(time.Millisecond) }

// sampleRecord returns a record with a few fields, owned by user, that lives
// for an hour.
func sampleRecord(user string) sessioncache.Record {
	n := now()
	return sessioncache.Record{
		Values: map[string][]byte{
			"name":       []byte(`"Gopher"`),
			"count":      []byte("42"),
			"binary":     {0, 1, 2, 0xff, 0xfe, '\n', '\r', 0},
			"empty":      {},
			"with space": []byte("v"),
			"colon:name": []byte("v2"),
			"ünïcödé-名前": []byte(`"x"`),
		},
		User:     user,
		Created:  n.Add(-time.Minute),
		Deadline: n.Add(time.Hour),
	}
}

func mustCommit(t *testing.T, s sessioncache.Store, id string, rec sessioncache.Record) {
	t.Helper()
	if err := s.Commit(t.Context(), id, rec); err != nil {
		t.Fatalf("Commit(%q): %v", id, err)
	}
}

func mustFind(t *testing.T, s sessioncache.Store, id string) sessioncache.Record {
	t.Helper()
	rec, found, err := s.Find(t.Context(), id)
	if err != nil {
		t.Fatalf("Find(%q): %v", id, err)
	}
	if !found {
		t.Fatalf("Find(%q): not found, want found", id)
	}
	return rec
}

func mustMiss(t *testing.T, s sessioncache.Store, id string) {
	t.Helper()
	rec, found, err := s.Find(t.Context(), id)
	if err != nil {
		t.Fatalf("Find(%q): %v", id, err)
	}
	if found {
		t.Fatalf("Find(%q) = %+v, found; want not found", id, rec)
	}
}

// sameTime reports whether a and b are equal within the store precision;
// two zero times are equal.
func sameTime(a, b time.Time) bool {
	if a.IsZero() || b.IsZero() {
		return a.IsZero() == b.IsZero()
	}
	d := a.Sub(b)
	return d < precision && d > -precision
}

// diffRecord describes how got differs from want, or returns "".
func diffRecord(got, want sessioncache.Record) string {
	var diffs []string
	if got.User != want.User {
		diffs = append(diffs, fmt.Sprintf("User = %q, want %q", got.User, want.User))
	}
	if !sameTime(got.Created, want.Created) {
		diffs = append(diffs, fmt.Sprintf("Created = %v, want %v", got.Created, want.Created))
	}
	if !sameTime(got.Deadline, want.Deadline) {
		diffs = append(diffs, fmt.Sprintf("Deadline = %v, want %v", got.Deadline, want.Deadline))
	}
	if d := diffValues(got.Values, want.Values); d != "" {
		diffs = append(diffs, d)
	}
	if len(diffs) == 0 {
		return ""
	}
	return fmt.Sprint(diffs)
}

// diffValues describes how got differs from want, or returns "". A nil and
// an empty map are equal, and so are a nil and an empty value.
func diffValues(got, want map[string][]byte) string {
	var diffs []string
	for _, k := range slices.Sorted(maps.Keys(want)) {
		g, ok := got[k]
		switch {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("Values[%q] missing, want %q", k, want[k]))
		case !bytes.Equal(g, want[k]):
			diffs = append(diffs, fmt.Sprintf("Values[%q] = %q, want %q", k, g, want[k]))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[k]; !ok {
			diffs = append(diffs, fmt.Sprintf("Values[%q] = %q, want absent", k, got[k]))
		}
	}
	if len(diffs) == 0 {
		return ""
	}
	return fmt.Sprint(diffs)
}

func checkRecord(t *testing.T, what string, got, want sessioncache.Record) {
	t.Helper()
	if d := diffRecord(got, want); d != "" {
		t.Errorf("%s: %s", what, d)
	}
}

func testFindMissing(t *testing.T, s sessioncache.Store) {
	for _, id := range []string{newID(), "x", randomString(200)} {
		mustMiss(t, s, id)
	}
}

func testRoundTrip(t *testing.T, s sessioncache.Store) {
	id := newID()
	want := sampleRecord(newUser("roundtrip"))
	mustCommit(t, s, id, want)
	checkRecord(t, "Find after Commit", mustFind(t, s, id), want)
	// A second Find sees the same record: Find does not consume or change it.
	checkRecord(t, "second Find", mustFind(t, s, id), want)

	// Another id stays missing.
	mustMiss(t, s, newID())
}

func testEmptyRecord(t *testing.T, s sessioncache.Store) {
	tests := []struct {
		name string
		rec  sessioncache.Record
	}{
		{"nil values", sessioncache.Record{Created: now(), Deadline: now().Add(time.Hour)}},
		{"empty values", sessioncache.Record{Values: map[string][]byte{}, Created: now(), Deadline: now().Add(time.Hour)}},
		{"zero created", sessioncache.Record{Values: map[string][]byte{"a": []byte("1")}, Deadline: now().Add(time.Hour)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := newID()
			mustCommit(t, s, id, tt.rec)
			checkRecord(t, "Find", mustFind(t, s, id), tt.rec)
		})
	}
}

func testLargeValue(t *testing.T, s sessioncache.Store) {
	id := newID()
	big := make([]byte, 64<<10)
	rand.Read(big)
	rec := sessioncache.Record{
		Values:   map[string][]byte{"big": big, "small": []byte("s")},
		Created:  now(),
		Deadline: now().Add(time.Hour),
	}
	mustCommit(t, s, id, rec)
	checkRecord(t, "Find", mustFind(t, s, id), rec)
}

func testReplace(t *testing.T, s sessioncache.Store) {
	id := newID()
	first := sampleRecord(newUser("replace"))
	mustCommit(t, s, id, first)
	second := sessioncache.Record{
		Values:   map[string][]byte{"only": []byte("this")},
		User:     newUser("replace2"),
		Created:  now(),
		Deadline: now().Add(2 * time.Hour),
	}
	mustCommit(t, s, id, second)
	checkRecord(t, "Find after second Commit", mustFind(t, s, id), second)

	// Replace with fewer fields and no user.
	third := sessioncache.Record{Created: now(), Deadline: now().Add(30 * time.Minute)}
	mustCommit(t, s, id, third)
	checkRecord(t, "Find after third Commit", mustFind(t, s, id), third)
}

func testDelete(t *testing.T, s sessioncache.Store) {
	ctx := t.Context()
	if err := s.Delete(ctx, newID()); err != nil {
		t.Errorf("Delete of a missing id: %v, want nil", err)
	}
	id, other := newID(), newID()
	mustCommit(t, s, id, sampleRecord(""))
	mustCommit(t, s, other, sampleRecord(""))
	if err := s.Delete(ctx, id); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	mustMiss(t, s, id)
	if err := s.Delete(ctx, id); err != nil {
		t.Errorf("second Delete: %v, want nil", err)
	}
	mustFind(t, s, other) // deleting one session leaves the others

	// A deleted id can be committed again.
	rec := sampleRecord("")
	mustCommit(t, s, id, rec)
	checkRecord(t, "Find after Commit of a deleted id", mustFind(t, s, id), rec)
}

func testIsolation(t *testing.T, s sessioncache.Store) {
	id := newID()
	rec := sampleRecord("")
	want := cloneRecord(rec)
	mustCommit(t, s, id, rec)

	// Changing the committed record afterwards does not change the store.
	rec.Values["name"][0] = 'X'
	rec.Values["added"] = []byte("1")
	delete(rec.Values, "count")
	checkRecord(t, "Find after changing the committed map", mustFind(t, s, id), want)

	// Changing a found record does not change the store either.
	got := mustFind(t, s, id)
	for k, v := range got.Values {
		if len(v) > 0 {
			v[0] ^= 0xff
		}
		got.Values[k+"-x"] = v
	}
	checkRecord(t, "Find after changing a found record", mustFind(t, s, id), want)
}

func cloneRecord(r sessioncache.Record) sessioncache.Record {
	c := r
	if r.Values != nil {
		c.Values = make(map[string][]byte, len(r.Values))
		for k, v := range r.Values {
			c.Values[k] = bytes.Clone(v)
		}
	}
	return c
}

func testPastDeadline(t *testing.T, s sessioncache.Store) {
	id := newID()
	rec := sampleRecord("")
	rec.Deadline = now().Add(-time.Second)
	// A store may refuse the commit or accept and forget it, but it never
	// returns the record.
	if err := s.Commit(t.Context(), id, rec); err != nil {
		t.Logf("Commit with a past deadline: %v (allowed)", err)
	}
	mustMiss(t, s, id)
}

// waitGone polls until Find reports id missing, failing after expiryWait
// past the deadline.
func waitGone(t *testing.T, s sessioncache.Store, id string, deadline time.Time) {
	t.Helper()
	limit := deadline.Add(expiryWait)
	for {
		_, found, err := s.Find(t.Context(), id)
		if err != nil {
			t.Fatalf("Find(%q): %v", id, err)
		}
		if !found {
			return
		}
		if time.Now().After(limit) {
			t.Fatalf("Find(%q) still finds the session %v after its deadline", id, time.Since(deadline))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func testExpiry(t *testing.T, s sessioncache.Store) {
	short, long := newID(), newID()
	shortRec := sampleRecord("")
	shortRec.Deadline = now().Add(shortLife)
	mustCommit(t, s, short, shortRec)
	mustCommit(t, s, long, sampleRecord(""))

	if time.Now().Before(shortRec.Deadline) {
		// Still live: found (unless the machine was very slow).
		_, found, err := s.Find(t.Context(), short)
		if err != nil {
			t.Fatalf("Find: %v", err)
		}
		if !found && time.Now().Before(shortRec.Deadline.Add(-precision)) {
			t.Errorf("Find before the deadline: not found")
		}
	}
	waitGone(t, s, short, shortRec.Deadline)
	if time.Now().Before(shortRec.Deadline.Add(-precision)) {
		t.Errorf("session disappeared %v before its deadline", time.Until(shortRec.Deadline))
	}
	mustFind(t, s, long)

	// Committing again with a later deadline brings the id back.
	shortRec.Deadline = now().Add(time.Hour)
	mustCommit(t, s, short, shortRec)
	checkRecord(t, "Find after re-Commit", mustFind(t, s, short), shortRec)
}

func testConcurrent(t *testing.T, s sessioncache.Store) {
	ctx := t.Context()
	const rounds = 20
	shared := newID()
	mustCommit(t, s, shared, sampleRecord(""))

	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			own := newID()
			for i := range rounds {
				rec := sessioncache.Record{
					Values:   map[string][]byte{"w": fmt.Appendf(nil, "%d", w), "i": fmt.Appendf(nil, "%d", i)},
					Created:  now(),
					Deadline: now().Add(time.Hour),
				}
				if err := s.Commit(ctx, own, rec); err != nil {
					errs <- fmt.Errorf("Commit: %w", err)
					return
				}
				got, found, err := s.Find(ctx, own)
				if err != nil || !found {
					errs <- fmt.Errorf("Find of own id: found=%v err=%v", found, err)
					return
				}
				if d := diffValues(got.Values, rec.Values); d != "" {
					errs <- fmt.Errorf("worker %d round %d: %s", w, i, d)
					return
				}
				// The shared session is read and replaced by everybody;
				// every read sees a whole record.
				srec, found, err := s.Find(ctx, shared)
				if err != nil {
					errs <- fmt.Errorf("Find of shared id: %w", err)
					return
				}
				if found && srec.Values["w"] != nil && srec.Values["i"] == nil {
					errs <- fmt.Errorf("shared record is torn: %q", srec.Values)
					return
				}
				if err := s.Commit(ctx, shared, rec); err != nil {
					errs <- fmt.Errorf("Commit of shared id: %w", err)
					return
				}
			}
			if err := s.Delete(ctx, own); err != nil {
				errs <- fmt.Errorf("Delete: %w", err)
				return
			}
			if _, found, err := s.Find(ctx, own); err != nil || found {
				errs <- fmt.Errorf("Find after Delete: found=%v err=%v", found, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got := mustFind(t, s, shared)
	if len(got.Values) != 2 {
		t.Errorf("shared record after concurrent commits = %q, want one whole record", got.Values)
	}
}

// errorIsNotFound checks that err wraps sessioncache.ErrNotFound.
func errorIsNotFound(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, sessioncache.ErrNotFound) {
		t.Errorf("%s: err = %v, want one wrapping sessioncache.ErrNotFound", what, err)
	}
}
