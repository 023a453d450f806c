package redisstore

import "github.com/redis/rueidis"

// The Lua scripts below each touch exactly one key, so that they run on the
// node that owns the key's slot in a Redis Cluster, atomically, in one round
// trip (EVALSHA, falling back to EVAL once after a server restart).
//
// A session hash holds value fields named "v:<name>" and metadata fields:
//
//	m:user      owner of the session (absent when none)
//	m:created   creation time, Unix nanoseconds
//	m:deadline  deadline, Unix nanoseconds (the key expires at it, PEXPIREAT)
//	m:ix        when the user's index entry for this session expires, Unix ms
//	m:ver       version of the last write: the server's clock in µs, kept
//	            increasing (see readyourwrites.go)
//	m:stamp     the Manager's write stamp (sessioncache.Record.Stamp),
//	            decimal; absent when zero (see FindFresh)

// luaHelpers are Lua helpers: before(a, b) compares two non-negative
// decimal strings too long for Lua's doubles (Unix nanoseconds);
// version(old) returns the version for a write of a hash whose m:ver is old;
// chunked(cmd, k, t) calls cmd (HSET, HDEL) on key k with the arguments in
// table t, in chunks, because unpack cannot spread an unbounded number of
// arguments.
const luaHelpers = `
local function before(a, b)
  if #a ~= #b then return #a < #b end
  return a < b
end
local function version(old)
  local t = redis.call('TIME')
  local v = tonumber(t[1]) * 1000000 + tonumber(t[2])
  old = tonumber(old or '0') or 0
  if v <= old then v = old + 1 end
  return v
end
local function chunked(cmd, k, t)
  local i = 1
  while i <= #t do
    local j = math.min(i + 399, #t)
    redis.call(cmd, k, unpack(t, i, j))
    i = j + 1
  end
end
`

// commitScript replaces the session hash KEYS[1] and returns {previous
// owner or "", version}.
//
//	ARGV[1]     expiry, Unix ms
//	ARGV[2..]   field, value, field, value, ...
var commitScript = rueidis.NewLuaScript(luaHelpers + `
local k = KEYS[1]
local meta = redis.call('HMGET', k, 'm:user', 'm:ver')
local v = version(meta[2])
redis.call('DEL', k)
local f = {'m:ver', string.format('%d', v)}
for i = 2, #ARGV do f[#f + 1] = ARGV[i] end
chunked('HSET', k, f)
redis.call('PEXPIREAT', k, ARGV[1])
return {meta[1] or '', v}
`)

// applyScript changes some fields of the session hash KEYS[1]. It returns nil
// when the session does not exist or has passed its deadline (it never
// creates one), otherwise {previous owner, current owner, index expiry to
// refresh or 0, version}.
//
//	ARGV[1]  "1" to remove every value field first
//	ARGV[2]  "" to keep the owner, or "=" followed by the new owner
//	ARGV[3]  "" to keep the deadline, or the new deadline, Unix ns
//	ARGV[4]  the new expiry, Unix ms (when ARGV[3] is set)
//	ARGV[5]  index expiry to record with a new owner, Unix ms
//	ARGV[6]  the longest lifetime of a session, ms
//	ARGV[7]  n, the number of fields to remove
//	ARGV[8]  the caller's clock, Unix ns: a session whose deadline is not
//	         after it has expired (its key is only removed at the next ms)
//	ARGV[9 .. 8+n]  fields to remove
//	ARGV[9+n ..]    field, value pairs to store
var applyScript = rueidis.NewLuaScript(luaHelpers + `
local k = KEYS[1]
local meta = redis.call('HMGET', k, 'm:deadline', 'm:user', 'm:ver', 'm:ix')
if not meta[1] then return nil end
if not before(ARGV[8], meta[1]) then
  redis.call('DEL', k)
  return nil
end
local old = meta[2] or ''
local v = version(meta[3])
local ix = tonumber(meta[4] or '0') or 0
local f = {'m:ver', string.format('%d', v)}
local del = {}
if ARGV[1] == '1' then
  for _, name in ipairs(redis.call('HKEYS', k)) do
    if string.sub(name, 1, 2) == 'v:' then del[#del + 1] = name end
  end
end
local n = tonumber(ARGV[7])
for i = 9, 8 + n do del[#del + 1] = ARGV[i] end
for i = 9 + n, #ARGV do f[#f + 1] = ARGV[i] end
local user = old
if ARGV[2] ~= '' then
  user = string.sub(ARGV[2], 2)
  if user == '' then
    del[#del + 1] = 'm:user'
    del[#del + 1] = 'm:ix'
  elseif user ~= old then
    f[#f + 1] = 'm:user'
    f[#f + 1] = user
    f[#f + 1] = 'm:ix'
    f[#f + 1] = ARGV[5]
    ix = tonumber(ARGV[5])
  end
end
local refresh = 0
if ARGV[3] ~= '' then
  f[#f + 1] = 'm:deadline'
  f[#f + 1] = ARGV[3]
  local exp = tonumber(ARGV[4])
  if user ~= '' and before(ARGV[8], ARGV[3]) and exp > ix then
    refresh = exp + tonumber(ARGV[6])
    f[#f + 1] = 'm:ix'
    f[#f + 1] = string.format('%d', refresh)
  end
end
chunked('HDEL', k, del)
chunked('HSET', k, f)
if ARGV[3] ~= '' then redis.call('PEXPIREAT', k, ARGV[4]) end
return {old, user, refresh, v}
`)

// deleteScript deletes the session hash KEYS[1] and returns {its owner or
// "", version of the deletion}.
var deleteScript = rueidis.NewLuaScript(luaHelpers + `
local meta = redis.call('HMGET', KEYS[1], 'm:user', 'm:ver')
local v = version(meta[2])
redis.call('DEL', KEYS[1])
return {meta[1] or '', v}
`)

// deleteOwnedScript deletes the session hash KEYS[1] only if ARGV[1] owns it,
// and returns the version of the deletion, or 0 when it deleted nothing.
var deleteOwnedScript = rueidis.NewLuaScript(luaHelpers + `
local meta = redis.call('HMGET', KEYS[1], 'm:user', 'm:ver')
if meta[1] ~= ARGV[1] then return 0 end
local v = version(meta[2])
redis.call('DEL', KEYS[1])
return v
`)

// indexAddScript adds the session ARGV[2] to the user index KEYS[1] (a sorted
// set) with the entry's expiry ARGV[1] (Unix ms) as its score, never lowering
// a score, and makes the index live at least as long as the entry.
var indexAddScript = rueidis.NewLuaScript(`
redis.call('ZADD', KEYS[1], 'GT', ARGV[1], ARGV[2])
if redis.call('PEXPIRETIME', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('PEXPIREAT', KEYS[1], ARGV[1])
end
return 1
`)

// indexListScript drops the entries of the user index KEYS[1] that expired
// before ARGV[1] (Unix ms) and returns the remaining session ids.
var indexListScript = rueidis.NewLuaScript(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
return redis.call('ZRANGE', KEYS[1], 0, -1)
`)
