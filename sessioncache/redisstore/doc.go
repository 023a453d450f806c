// Package redisstore keeps the sessions of a
// github.com/serverdev/stdweb/sessioncache Manager in Redis, so that several
// application servers share them: any node can serve any request, and a node
// can stop without logging anyone out.
//
// It works through a rueidis client the program already has, connected to a
// single Redis, to Sentinel or to a Redis Cluster:
//
//	client, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{"127.0.0.1:6379"}})
//	...
//	store := redisstore.New(client, redisstore.Options{})
//
// # Data layout
//
// Each session is one Redis hash under Prefix+"{id}" (the id is a hash tag,
// so a session lives in one cluster slot). Values are fields named "v:" and
// their name, metadata fields start with "m:", and the key expires at the
// session's deadline (PEXPIREAT). Every write is one Lua script on that one
// key, so it is atomic and takes one round trip; Apply sends only the
// changed fields, so two requests of one session on two nodes changing
// different values both keep their change, and it never brings back a
// deleted or expired session.
//
// The sessions of each user are listed in a sorted set under
// Prefix+"user:{user}", in a slot of its own. Since Redis Cluster has no
// transactions across slots, the index is written by separate commands (one
// more round trip, only when a session with an owner is committed or
// deleted, or changes owner): an entry is added before its session is written, and removed
// after its session is deleted. A stale entry is harmless: UserSessions
// checks the owner of every session it lists. All walks every master with
// SCAN, never KEYS.
//
// # Near cache and consistency
//
// Find reads through rueidis' server-assisted client-side cache: the first
// read of a session on a node fetches it and asks Redis to track it; later
// reads of the unchanged session are answered from the node's memory with no
// round trip. When any node changes or deletes the session, Redis sends an
// invalidation message to every node that caches it, which drops its copy.
//
// What a program can rely on:
//
//   - Writes are atomic per session and ordered by Redis; a write that
//     returned nil is in Redis (and survives a restart when Redis persists
//     with appendfsync always).
//   - Read-your-writes on one node: after a Store's Commit, Apply or Delete
//     returns, the same Store's Find sees that write or a later one. (The
//     invalidation of a node's own write arrives just after the write's
//     reply; the Store remembers the version it wrote and skips an older
//     cached copy, see Store.Find.)
//   - Across nodes, a FindFresh with the stamp of a write (the Manager passes
//     the stamp from the session cookie the write set) sees that write or a
//     later one, on any node: a cached copy with another stamp is bypassed
//     and the session read from Redis. So through a sessioncache.Manager a
//     client's request sees the client's last write whichever node serves
//     it, as long as it carries that write's cookie.
//   - Otherwise (Find, cookies without a stamp, concurrent requests of one
//     client carrying an older stamp, deletions made by another client) the
//     cache is eventually consistent across nodes, with a window of one
//     message delivery: a read on node B that starts after a write on node A
//     returned may still see the previous version until B has received the
//     invalidation Redis sent when it executed the write, together with the
//     write's reply (microseconds on an idle loopback, about 2 ms measured
//     under heavy CPU load). Reads go to the master, so B does not go back
//     to a version older than one it has returned (short of a failover to a
//     replica that had not received it), and it never returns a session
//     after its deadline.
//   - If a node loses its connection to Redis, rueidis drops that
//     connection's cache, so no stale copy survives a reconnection.
//
// # Failures
//
// Every operation is bounded by its context's deadline, or by
// Options.Timeout when it has none. Errors that mean Redis cannot be reached
// (connection refused or reset, timeouts, a cluster or replica that is down,
// a server still loading its data) wrap sessioncache.ErrUnavailable, which
// the session middleware answers with 503 Service Unavailable. rueidis
// reconnects by itself, so the store works again as soon as Redis is back.
//
// The package redistest starts real redis-server processes for tests.
package redisstore
