// Package redisstorebench compares github.com/serverdev/stdweb/sessioncache/redisstore
// with scs's Redis store (github.com/alexedwards/scs/redisstore over a redigo
// pool) on one redis-server that the benchmark starts on a loopback port
// (skipped loudly when redis-server is not installed, failed when
// STDWEB_REQUIRE_REDIS=1).
//
// BenchmarkReadMostly runs a read-mostly session workload from many
// goroutines: 19 of 20 requests read a session, one in 20 reads it and
// changes one value. Each store works the way its session manager uses it:
// scs reads the whole encoded session (GET) and decodes it with its gob
// codec, and writes it back whole (MULTI, SET, PEXPIREAT, EXEC); ours reads
// the session hash through the node-local cache that Redis invalidates, and
// writes only the changed field (one EVALSHA).
//
// BenchmarkRoundTrips runs one request after the other and reports, besides
// the time, roundtrips/op (requests the client sent and waited for, counted
// on its connection) and redis-cmds/op (every command Redis executed, from
// INFO commandstats deltas, including those run by Lua scripts and queued in
// MULTI).
//
// The last element of each name is the implementation: ours or scs.
//
//	go tool ws bench redisstore
//	go test -run '^$' -bench . -benchmem ./redisstore/   (in tools/bench)
package redisstorebench
