// Package storetest checks that an implementation of sessioncache.Store
// keeps the contract the Manager relies on.
//
// A store's own tests call Run with a function that returns a fresh,
// empty-or-shared store:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) sessioncache.Store {
//			s := mystore.New(...)
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// Run checks the required methods (Find, Commit, Delete) and, when the
// store implements them, the optional interfaces sessioncache.DeltaStore,
// sessioncache.UserIndex, sessioncache.Iterator and
// sessioncache.FreshFinder (whose stores must keep Record.Stamp). Every subtest uses
// random ids and user names, so a store shared between subtests (one Redis
// database, say) works as long as no other program writes to it.
//
// Times must survive a round trip to the millisecond: the suite compares
// Created and Deadline with a tolerance of one millisecond. Expiry is
// checked with real deadlines of a few hundred milliseconds at most, polled
// until they pass, so the suite runs in a few seconds.
package storetest
