package redisstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/rueidis"
	"github.com/serverdev/stdweb/sessioncache"
)

// Defaults for the zero Options.
const (
	DefaultPrefix      = "session:"
	DefaultCacheTTL    = 5 * time.Minute
	DefaultTimeout     = time.Second
	DefaultMaxLifetime = 7 * 24 * time.Hour
)

// Options configure a Store. The zero value is ready to use.
type Options struct {
	// Prefix starts every key the store writes. Stores with different
	// prefixes share one Redis without seeing each other's sessions.
	// The default is DefaultPrefix, "session:". On Redis Cluster it must
	// not contain braces: a hash tag in it (as in "{app}:") would put
	// every session in one slot.
	Prefix string

	// CacheTTL is how long Find may keep a session in the node-local cache
	// that Redis invalidates on every change (server-assisted client-side
	// caching). It only bounds memory use: a cached session is dropped as
	// soon as any node changes it, and never outlives its deadline. The
	// default is DefaultCacheTTL; a negative value turns the cache off.
	CacheTTL time.Duration

	// Timeout bounds each operation whose context has no deadline. The
	// default is DefaultTimeout, one second.
	Timeout time.Duration

	// MaxLifetime is the longest a session can live from its creation: set
	// it to the Manager's absolute timeout. The per-user index keeps its
	// entries this long, so that a session can be found by user for as long
	// as it lives without rewriting the index on every request. A session
	// that lives longer still is kept in the index, at the cost of one more
	// round trip when its deadline passes the recorded lifetime.
	// The default is DefaultMaxLifetime, seven days.
	MaxLifetime time.Duration
}

// Store is a sessioncache.Store backed by Redis, through a rueidis client
// connected to a single Redis, to Sentinel or to a Redis Cluster. It
// implements sessioncache.DeltaStore, sessioncache.UserIndex,
// sessioncache.Iterator and sessioncache.FreshFinder. It is safe for
// concurrent use.
type Store struct {
	client rueidis.Client
	opts   Options
	recent recentWrites
}

// Interfaces the store implements.
var (
	_ sessioncache.DeltaStore  = (*Store)(nil)
	_ sessioncache.UserIndex   = (*Store)(nil)
	_ sessioncache.Iterator    = (*Store)(nil)
	_ sessioncache.FreshFinder = (*Store)(nil)
)

// New returns a Store that keeps sessions in Redis through client. The
// client stays the caller's: the store never closes it. Find reads through
// the client's server-assisted cache; with a client created with
// ClientOption.DisableCache (or with opts.CacheTTL negative) every Find is
// a round trip to Redis.
func New(client rueidis.Client, opts Options) *Store {
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	if opts.CacheTTL == 0 {
		opts.CacheTTL = DefaultCacheTTL
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxLifetime <= 0 {
		opts.MaxLifetime = DefaultMaxLifetime
	}
	return &Store{client: client, opts: opts}
}

// key returns the Redis key of session id. The id is a hash tag, so that the
// key lives in one cluster slot whatever the prefix.
func (s *Store) key(id string) string {
	return s.opts.Prefix + "{" + id + "}"
}

// userKey returns the Redis key of the per-user index of user.
func (s *Store) userKey(user string) string {
	return s.opts.Prefix + "user:{" + user + "}"
}

// withTimeout bounds ctx by Options.Timeout when it has no deadline.
func (s *Store) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, s.opts.Timeout)
}

// Find returns the session stored under id. An unchanged session already
// read on this node is answered from the node-local cache without a round
// trip to Redis.
func (s *Store) Find(ctx context.Context, id string) (sessioncache.Record, bool, error) {
	return s.find(ctx, id, 0, false)
}

// FindFresh is Find for a client whose last write has the given stamp (the
// Manager takes it from the session cookie): a copy in the node-local cache
// whose stamp differs is not used, the session is read from Redis instead.
// So a write made on one node is seen by the writing client's next request
// on any other node, even before Redis' invalidation of the cached copy
// reached that node. It costs one round trip only while the cached copy
// lags.
func (s *Store) FindFresh(ctx context.Context, id string, stamp uint64) (sessioncache.Record, bool, error) {
	return s.find(ctx, id, stamp, true)
}

// find reads the session stored under id; with check, a cached copy whose
// stamp is not want is bypassed.
func (s *Store) find(ctx context.Context, id string, want uint64, check bool) (sessioncache.Record, bool, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	key := s.key(id)
	var fields map[string]string
	var err error
	if s.opts.CacheTTL > 0 {
		fields, err = s.client.DoCache(ctx, s.client.B().Hgetall().Key(key).Cache(), s.opts.CacheTTL).AsStrMap()
		if err == nil && (check && stamp(fields) != want || s.recent.stale(id, version(fields), len(fields) == 0)) {
			fields, err = s.client.Do(ctx, s.client.B().Hgetall().Key(key).Build()).AsStrMap()
		}
	} else {
		fields, err = s.client.Do(ctx, s.client.B().Hgetall().Key(key).Build()).AsStrMap()
	}
	if err != nil {
		return sessioncache.Record{}, false, wrapErr("find", err)
	}
	if len(fields) == 0 {
		return sessioncache.Record{}, false, nil
	}
	rec, err := decodeRecord(fields)
	if err != nil {
		return sessioncache.Record{}, false, fmt.Errorf("redisstore: find: %w", err)
	}
	if !rec.Deadline.After(time.Now()) {
		return sessioncache.Record{}, false, nil
	}
	return rec, true, nil
}

// Commit stores rec under id, replacing what was stored there, in one atomic
// step; the key expires at rec.Deadline. A record whose deadline has passed
// is deleted instead. When rec has a user, the user's index is updated first
// (one more round trip), so that DeleteUser can never miss the session.
func (s *Store) Commit(ctx context.Context, id string, rec sessioncache.Record) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	now := time.Now()
	if !rec.Deadline.After(now) {
		return s.delete(ctx, id, "commit")
	}
	created := rec.Created
	if created.IsZero() {
		created = now
	}
	var ix string
	if rec.User != "" {
		ix = unixMilliCeil(later(created.Add(s.opts.MaxLifetime), rec.Deadline))
		if err := s.indexAdd(ctx, rec.User, id, ix); err != nil {
			return wrapErr("commit", err)
		}
	}
	args := make([]string, 1, 1+2*(len(rec.Values)+5))
	args[0] = unixMilliCeil(rec.Deadline)
	args = encodeRecord(args, rec, ix)
	reply, err := commitScript.Exec(ctx, s.client, []string{s.key(id)}, args).ToArray()
	if err == nil && len(reply) != 2 {
		err = fmt.Errorf("unexpected reply of %d elements", len(reply))
	}
	if err != nil {
		return wrapErr("commit", err)
	}
	old, _ := reply[0].ToString()
	ver, _ := reply[1].AsInt64()
	s.recent.note(id, ver, false)
	if old != "" && old != rec.User {
		// The session changed owner; a failure here leaves a stale entry in
		// the old owner's index, which UserSessions drops when it finds it.
		s.indexRemove(ctx, old, id)
	}
	return nil
}

// Apply changes the fields of the session stored under id that d names, in
// one atomic step and one round trip: concurrent Apply calls on one session
// that change different fields all keep their change. It returns an error
// wrapping sessioncache.ErrNotFound when the session does not exist.
func (s *Store) Apply(ctx context.Context, id string, d sessioncache.Delta) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	now := time.Now()
	args := make([]string, 8, 10+len(d.Remove)+2*len(d.Set))
	args[0] = "0"
	if d.Clear {
		args[0] = "1"
	}
	var newUser string
	if d.User != nil {
		newUser = *d.User
		args[1] = "=" + newUser
	}
	if !d.Deadline.IsZero() {
		args[2] = strconv.FormatInt(d.Deadline.UnixNano(), 10)
		args[3] = unixMilliCeil(d.Deadline)
	}
	args[5] = strconv.FormatInt(s.opts.MaxLifetime.Milliseconds(), 10)
	args[6] = strconv.Itoa(len(d.Remove))
	args[7] = strconv.FormatInt(now.UnixNano(), 10)
	for _, name := range d.Remove {
		args = append(args, valuePrefix+name)
	}
	for name, v := range d.Set {
		args = append(args, valuePrefix+name, string(v))
	}
	if d.Stamp != 0 {
		args = append(args, fieldStamp, strconv.FormatUint(d.Stamp, 10))
	}
	if newUser != "" {
		// Index first: the session must never belong to a user whose index
		// does not list it. If the session turns out to be missing, the
		// entry is stale and is dropped when found.
		ix := unixMilliCeil(later(now.Add(s.opts.MaxLifetime), d.Deadline))
		args[4] = ix
		if err := s.indexAdd(ctx, newUser, id, ix); err != nil {
			return wrapErr("apply", err)
		}
	}
	res := applyScript.Exec(ctx, s.client, []string{s.key(id)}, args)
	reply, err := res.ToArray()
	if rueidis.IsRedisNil(err) {
		return fmt.Errorf("redisstore: apply: %w", sessioncache.ErrNotFound)
	}
	if err != nil {
		return wrapErr("apply", err)
	}
	if len(reply) != 4 {
		return fmt.Errorf("redisstore: apply: unexpected reply of %d elements", len(reply))
	}
	old, _ := reply[0].ToString()
	user, _ := reply[1].ToString()
	refresh, _ := reply[2].AsInt64()
	ver, _ := reply[3].AsInt64()
	s.recent.note(id, ver, false)
	if old != "" && old != user {
		s.indexRemove(ctx, old, id) // stale entries are dropped when found
	}
	if refresh > 0 {
		// The session outlives the lifetime its index entry was given
		// (Options.MaxLifetime is shorter than the Manager's timeouts).
		if err := s.indexAdd(ctx, user, id, strconv.FormatInt(refresh, 10)); err != nil {
			return wrapErr("apply", err)
		}
	}
	return nil
}

// Delete removes the session stored under id and its entry in its user's
// index.
func (s *Store) Delete(ctx context.Context, id string) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	return s.delete(ctx, id, "delete")
}

func (s *Store) delete(ctx context.Context, id, op string) error {
	reply, err := deleteScript.Exec(ctx, s.client, []string{s.key(id)}, nil).ToArray()
	if err == nil && len(reply) != 2 {
		err = fmt.Errorf("unexpected reply of %d elements", len(reply))
	}
	if err != nil {
		return wrapErr(op, err)
	}
	user, _ := reply[0].ToString()
	ver, _ := reply[1].AsInt64()
	s.recent.note(id, ver, true)
	if user != "" {
		s.indexRemove(ctx, user, id) // stale entries are dropped when found
	}
	return nil
}

// later returns the later of a and b.
func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// unixMilliCeil returns t in Unix milliseconds, rounded up so that a key
// never expires before t, as a decimal string.
func unixMilliCeil(t time.Time) string {
	ns := t.UnixNano()
	ms := ns / 1e6
	if ns%1e6 > 0 {
		ms++
	}
	return strconv.FormatInt(ms, 10)
}

// escapeGlob escapes the characters SCAN MATCH treats as special.
func escapeGlob(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '*', '?', '[', ']', '\\':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
