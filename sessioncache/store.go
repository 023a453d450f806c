package sessioncache

import (
	"context"
	"errors"
	"iter"
	"time"
)

// Errors a Store reports. Stores wrap them with %w so that callers can test
// with errors.Is while the message keeps the detail.
var (
	// ErrNotFound reports that a session does not exist (never did, was
	// deleted, or passed its deadline). Find reports a missing session with
	// found == false instead; Apply returns ErrNotFound so that a change
	// never brings a deleted session back.
	ErrNotFound = errors.New("sessioncache: session not found")

	// ErrUnavailable reports that the store could not be reached in time.
	// The middleware answers 503 Service Unavailable for it.
	ErrUnavailable = errors.New("sessioncache: store unavailable")

	// ErrCorrupt reports stored data that cannot be decoded.
	ErrCorrupt = errors.New("sessioncache: corrupt session data")
)

// Record is a session as a store keeps it. Values hold each field encoded on
// its own by the Manager's codec, so that a store can change one field
// without touching the others.
type Record struct {
	// Values maps field names to encoded values.
	Values map[string][]byte

	// User is the owner of the session for the per-user index, or "".
	User string

	// Created is when the session started, or when a Renew last changed its
	// user; the absolute lifetime counts from it.
	Created time.Time

	// Deadline is when the store may forget the session: the earlier of the
	// idle and the absolute deadline. A store must not return a session
	// after its deadline.
	Deadline time.Time

	// Stamp identifies the last write of the session's values or user.
	// When the store is a FreshFinder, the Manager draws a new random
	// non-zero stamp for every such write and sends it to the client in the
	// session cookie; otherwise it leaves Stamp zero. A store keeps it
	// unchanged with the record, like Created. Zero means none. A store that
	// does not keep it still works, but cannot implement FreshFinder.
	Stamp uint64
}

// Store keeps session records under opaque ids. The Manager passes ids that
// are hashes of the session tokens, never the tokens themselves.
//
// Store is small enough to implement in an afternoon. A store may also
// implement DeltaStore, UserIndex and Iterator; the Manager detects them at
// run time and uses the best the store offers. The package storetest checks
// any implementation.
//
// Implementations must be safe for concurrent use.
type Store interface {
	// Find returns the record stored under id. A missing or expired record
	// is reported with found == false and a nil error.
	Find(ctx context.Context, id string) (rec Record, found bool, err error)

	// Commit stores rec under id until rec.Deadline, replacing any record
	// stored there before.
	Commit(ctx context.Context, id string, rec Record) error

	// Delete removes the record stored under id. Deleting a missing record
	// is not an error.
	Delete(ctx context.Context, id string) error
}

// Delta is a change to some fields of one stored session.
type Delta struct {
	// Clear removes every value before Set is applied.
	Clear bool

	// Set holds the fields to store (encoded values).
	Set map[string][]byte

	// Remove lists the fields to delete.
	Remove []string

	// User, when not nil, changes the owner of the session: "" removes it
	// from the per-user index.
	User *string

	// Deadline is the new deadline of the session; the zero time keeps the
	// stored one.
	Deadline time.Time

	// Stamp is the new Record.Stamp of the session; zero keeps the stored
	// one.
	Stamp uint64
}

// DeltaStore is a Store that applies a Delta to a stored record atomically,
// so that two requests of one session changing different fields at the same
// time both keep their change.
type DeltaStore interface {
	Store

	// Apply changes the record stored under id. It returns an error wrapping
	// ErrNotFound if the record does not exist: a change never brings a
	// deleted or expired session back.
	Apply(ctx context.Context, id string, d Delta) error
}

// UserIndex is a Store that indexes sessions by Record.User, so that the
// sessions of one user are found without scanning every session.
type UserIndex interface {
	Store

	// UserSessions returns the ids of the live sessions of user.
	UserSessions(ctx context.Context, user string) ([]string, error)

	// DeleteUser deletes every session of user and reports how many it deleted.
	DeleteUser(ctx context.Context, user string) (int, error)
}

// Entry is one stored session, as an Iterator yields it.
type Entry struct {
	ID     string
	Record Record
}

// Iterator is a Store that can list every live session.
type Iterator interface {
	Store

	// All yields every live session once, in no particular order. An error
	// is yielded once, with a zero Entry, and ends the sequence. Sessions
	// committed or deleted during the iteration may or may not be seen.
	All(ctx context.Context) iter.Seq2[Entry, error]
}

// FreshFinder is a Store that keeps copies of records near the caller (a
// node-local cache, for example) that can lag behind writes made elsewhere.
// The Manager passes the stamp of the last write the client saw, from its
// cookie, so that a client never reads a session older than its own last
// write, whichever node serves it. Stores without such copies need not
// implement it: their Find always returns the latest record.
type FreshFinder interface {
	Store

	// FindFresh is Find, except that a nearby copy of the record whose
	// Stamp differs from stamp is not returned: the record is read from
	// the source of truth instead. Equality is all it checks; stamps have
	// no order.
	FindFresh(ctx context.Context, id string, stamp uint64) (rec Record, found bool, err error)
}
