// Package sessioncache manages HTTP sessions: the server remembers a client
// between requests through a random token in a cookie and data kept on the
// server.
//
// A Manager's middleware (Manager.Handler) gives each request a session,
// read and changed through the request's context with methods that read
// like English: Get, GetString, Get[T], Put, Pop, Remove, Clear, Keys,
// Renew, Destroy, RememberMe, SetUser. The session is loaded on first use
// (a request that does not touch it costs nothing) and only the changed
// fields are saved, once, before the response's header is written; a
// request that only reads writes nothing, except a throttled move of the
// idle deadline.
//
// Tokens are 256 random bits; the store only sees their SHA-256, so a copy
// of the store cannot be replayed. Malformed, unknown and expired tokens
// start a fresh session; store failures reach the Manager's ErrorHandler
// (503 Service Unavailable for ErrUnavailable), never a panic.
//
// Sessions live in a Store: a small interface that a store may extend with
// DeltaStore (field-level changes, so concurrent requests of one session
// keep each other's keys), UserIndex (a user's sessions, "log out
// everywhere"), Iterator and FreshFinder (a store with node-local copies,
// such as redisstore: the session cookie then carries the stamp of the
// client's last write, "<token>.<stamp>", so that any node serves the
// client that write or a later one). MemoryStore implements all but
// FreshFinder, which it does not need, and holds
// millions of sessions in byte slabs the garbage collector does not scan.
// The package storetest checks any Store.
//
// The generic in-memory cache lives in the sibling package
// github.com/serverdev/stdweb/sessioncache/cache, and a Redis store for a
// cluster of servers in the module
// github.com/serverdev/stdweb/sessioncache/redisstore.
package sessioncache
