package storetest

import (
	"slices"
	"testing"

	"github.com/serverdev/stdweb/sessioncache"
)

// checkUserSessions checks that UserSessions(user) lists exactly want.
func checkUserSessions(t *testing.T, ui sessioncache.UserIndex, user string, want ...string) {
	t.Helper()
	got, err := ui.UserSessions(t.Context(), user)
	if err != nil {
		t.Fatalf("UserSessions(%q): %v", user, err)
	}
	slices.Sort(got)
	want = slices.Clone(want)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("UserSessions(%q) = %q, want %q", user, got, want)
	}
}

func testUserIndex(t *testing.T, s sessioncache.Store) {
	ui, ok := s.(sessioncache.UserIndex)
	if !ok {
		t.Skip("store does not implement sessioncache.UserIndex")
	}
	ctx := t.Context()
	withUser := func(user string) sessioncache.Record {
		r := sampleRecord(user)
		return r
	}

	t.Run("unknown user", func(t *testing.T) {
		checkUserSessions(t, ui, newUser("nobody"))
		n, err := ui.DeleteUser(ctx, newUser("nobody"))
		if err != nil || n != 0 {
			t.Errorf("DeleteUser of an unknown user = %d, %v; want 0, nil", n, err)
		}
	})

	t.Run("commit and delete", func(t *testing.T) {
		alice, bob := newUser("alice"), newUser("bob")
		a1, a2, b1, anon := newID(), newID(), newID(), newID()
		mustCommit(t, ui, a1, withUser(alice))
		mustCommit(t, ui, a2, withUser(alice))
		mustCommit(t, ui, b1, withUser(bob))
		mustCommit(t, ui, anon, withUser(""))
		checkUserSessions(t, ui, alice, a1, a2)
		checkUserSessions(t, ui, bob, b1)

		// Committing again with the same user does not list it twice.
		mustCommit(t, ui, a1, withUser(alice))
		checkUserSessions(t, ui, alice, a1, a2)

		if err := ui.Delete(ctx, a1); err != nil {
			t.Fatal(err)
		}
		checkUserSessions(t, ui, alice, a2)
	})

	t.Run("commit changes user", func(t *testing.T) {
		alice, bob := newUser("alice"), newUser("bob")
		id := newID()
		mustCommit(t, ui, id, withUser(alice))
		mustCommit(t, ui, id, withUser(bob))
		checkUserSessions(t, ui, alice)
		checkUserSessions(t, ui, bob, id)
		mustCommit(t, ui, id, withUser(""))
		checkUserSessions(t, ui, bob)
	})

	t.Run("apply changes user", func(t *testing.T) {
		ds, ok := s.(sessioncache.DeltaStore)
		if !ok {
			t.Skip("store does not implement sessioncache.DeltaStore")
		}
		alice, bob := newUser("alice"), newUser("bob")
		id := newID()
		mustCommit(t, ui, id, withUser(""))
		checkUserSessions(t, ui, alice)

		apply := func(d sessioncache.Delta) {
			t.Helper()
			if err := ds.Apply(ctx, id, d); err != nil {
				t.Fatalf("Apply: %v", err)
			}
		}
		apply(sessioncache.Delta{User: ptr(alice)})
		checkUserSessions(t, ui, alice, id)
		apply(sessioncache.Delta{Set: map[string][]byte{"x": []byte("1")}}) // no user change
		checkUserSessions(t, ui, alice, id)
		apply(sessioncache.Delta{User: ptr(bob)})
		checkUserSessions(t, ui, alice)
		checkUserSessions(t, ui, bob, id)
		apply(sessioncache.Delta{User: ptr("")})
		checkUserSessions(t, ui, bob)
	})

	t.Run("delete user", func(t *testing.T) {
		alice, bob := newUser("alice"), newUser("bob")
		var aliceIDs []string
		for range 5 {
			id := newID()
			mustCommit(t, ui, id, withUser(alice))
			aliceIDs = append(aliceIDs, id)
		}
		b1 := newID()
		mustCommit(t, ui, b1, withUser(bob))

		n, err := ui.DeleteUser(ctx, alice)
		if err != nil {
			t.Fatalf("DeleteUser: %v", err)
		}
		if n != len(aliceIDs) {
			t.Errorf("DeleteUser = %d, want %d", n, len(aliceIDs))
		}
		for _, id := range aliceIDs {
			mustMiss(t, ui, id)
		}
		checkUserSessions(t, ui, alice)
		checkUserSessions(t, ui, bob, b1)
		mustFind(t, ui, b1)

		n, err = ui.DeleteUser(ctx, alice)
		if err != nil || n != 0 {
			t.Errorf("second DeleteUser = %d, %v; want 0, nil", n, err)
		}
		// The user can log in again afterwards.
		again := newID()
		mustCommit(t, ui, again, withUser(alice))
		checkUserSessions(t, ui, alice, again)
	})

	t.Run("expired sessions are not listed", func(t *testing.T) {
		alice := newUser("alice")
		short, long := newID(), newID()
		rec := withUser(alice)
		rec.Deadline = now().Add(shortLife)
		mustCommit(t, ui, short, rec)
		mustCommit(t, ui, long, withUser(alice))
		waitGone(t, ui, short, rec.Deadline)
		checkUserSessions(t, ui, alice, long)
		n, err := ui.DeleteUser(ctx, alice)
		if err != nil || n != 1 {
			t.Errorf("DeleteUser = %d, %v; want 1, nil", n, err)
		}
	})

	t.Run("user names are exact", func(t *testing.T) {
		base := newUser("exact")
		// Characters that mean something to key patterns and cluster hash
		// tags must not make two users share an index.
		names := []string{base, base + "x", base[:len(base)-1], base + " ", "ÄÖ" + base,
			base + "}", "{" + base + "}", base + "*", base + "?", base + "[a]", base + "\\", base + ":"}
		ids := make([]string, len(names))
		for i, u := range names {
			ids[i] = newID()
			mustCommit(t, ui, ids[i], withUser(u))
		}
		for i, u := range names {
			checkUserSessions(t, ui, u, ids[i])
		}
	})
}
