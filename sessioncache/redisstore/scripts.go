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

// luaHelpers are Lua helpers: before(a, b) compares two non-negative
// decimal strings too long for Lua's doubles (Unix nanoseconds),
// version(k) returns the version for a write of the session hash k, hsetFrom(k, from) stores the field/value pairs
// ARGV[from..#ARGV] with HSET in chunks, because unpack cannot spread an
// unbounded number of arguments.
const luaHelpers = `
local function before(a, b)
  if #a ~= #b then return #a < #b end
  return a < b
end
local function version(k)
  local t = redis.call('TIME')
  local v = tonumber(t[1]) * 1000000 + tonumber(t[2])
  local old = tonumber(redis.call('HGET', k, 'm:ver') or '0')
  if v <= old then v = old + 1 end
  return v
end
local function hsetFrom(k, from)
  local i = from
  while i <= #ARGV do
    local j = math.min(i + 399, #ARGV)
    redis.call('HSET', k, unpack(ARGV, i, j))
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
local old = redis.call('HGET', k, 'm:user') or ''
local v = version(k)
redis.call('DEL', k)
hsetFrom(k, 2)
redis.call('HSET', k, 'm:ver', string.format('%d', v))
redis.call('PEXPIREAT', k, ARGV[1])
return {old, v}
`)

// applyScript changes some fields of the session hash KEYS[1]. It returns nil
// when the session does not exist (it never creates one), otherwise
// {previous owner, current owner, index expiry to refresh or 0, version}.
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
local dl = redis.call('HGET', k, 'm:deadline')
if not dl then return nil end
if not before(ARGV[8], dl) then
  redis.call('DEL', k)
  return nil
end
local old = redis.call('HGET', k, 'm:user') or ''
local v = version(k)
redis.call('HSET', k, 'm:ver', string.format('%d', v))
if ARGV[1] == '1' then
  local fs = redis.call('HKEYS', k)
  for _, f in ipairs(fs) do
    if string.sub(f, 1, 2) == 'v:' then redis.call('HDEL', k, f) end
  end
end
local n = tonumber(ARGV[7])
local i = 9
while i < 9 + n do
  local j = math.min(i + 399, 8 + n)
  redis.call('HDEL', k, unpack(ARGV, i, j))
  i = j + 1
end
hsetFrom(k, 9 + n)
local user = old
local refresh = 0
if ARGV[2] ~= '' then
  user = string.sub(ARGV[2], 2)
  if user == '' then
    redis.call('HDEL', k, 'm:user', 'm:ix')
  elseif user ~= old then
    redis.call('HSET', k, 'm:user', user, 'm:ix', ARGV[5])
  end
end
if ARGV[3] ~= '' then
  redis.call('HSET', k, 'm:deadline', ARGV[3])
  redis.call('PEXPIREAT', k, ARGV[4])
  if user ~= '' and redis.call('EXISTS', k) == 1 then
    local ix = tonumber(redis.call('HGET', k, 'm:ix') or '0')
    local exp = tonumber(ARGV[4])
    if exp > ix then
      refresh = exp + tonumber(ARGV[6])
      redis.call('HSET', k, 'm:ix', refresh)
    end
  end
end
return {old, user, refresh, v}
`)

// deleteScript deletes the session hash KEYS[1] and returns {its owner or
// "", version of the deletion}.
var deleteScript = rueidis.NewLuaScript(luaHelpers + `
local u = redis.call('HGET', KEYS[1], 'm:user') or ''
local v = version(KEYS[1])
redis.call('DEL', KEYS[1])
return {u, v}
`)

// deleteOwnedScript deletes the session hash KEYS[1] only if ARGV[1] owns it,
// and returns the version of the deletion, or 0 when it deleted nothing.
var deleteOwnedScript = rueidis.NewLuaScript(luaHelpers + `
if redis.call('HGET', KEYS[1], 'm:user') == ARGV[1] then
  local v = version(KEYS[1])
  redis.call('DEL', KEYS[1])
  return v
end
return 0
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
