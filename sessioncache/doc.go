// Package sessioncache manages HTTP sessions: a Manager whose middleware
// loads a session lazily and saves only what changed, on top of a small Store
// interface with an in-memory store included.
//
// The generic in-memory cache lives in the sibling package
// github.com/serverdev/stdweb/sessioncache/cache, and a Redis store for a
// cluster of servers in the module
// github.com/serverdev/stdweb/sessioncache/redisstore.
package sessioncache
