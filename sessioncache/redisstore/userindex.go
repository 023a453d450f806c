package redisstore

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/rueidis"
)

// The per-user index of user is a sorted set under userKey(user) whose
// members are session ids and whose scores are the times (Unix ms) until
// which each entry must be kept: at least the session's deadline. It lives
// in its own cluster slot, apart from the sessions, so it is written by
// separate commands, never in the sessions' transactions:
//
//   - an entry is added before a session is written with its user, so that
//     a session never belongs to a user whose index does not list it;
//   - an entry is removed after its session is deleted or changes owner;
//     if that fails the entry is stale, and UserSessions skips it (checking
//     each session's owner) and drops it once its score has passed.

// indexAdd adds session id to the index of user, kept until ix (Unix ms).
func (s *Store) indexAdd(ctx context.Context, user, id, ix string) error {
	return indexAddScript.Exec(ctx, s.client, []string{s.userKey(user)}, []string{ix, id}).Error()
}

// indexRemove removes session ids from the index of user. Errors are
// ignored: a stale entry is harmless and is dropped when found.
func (s *Store) indexRemove(ctx context.Context, user string, ids ...string) {
	s.client.Do(ctx, s.client.B().Zrem().Key(s.userKey(user)).Member(ids...).Build())
}

// UserSessions returns the ids of the live sessions of user. It reads the
// user's index and checks each session's owner and deadline (one round trip
// for the index, one pipelined batch for the sessions).
func (s *Store) UserSessions(ctx context.Context, user string) ([]string, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	ids, err := s.userSessions(ctx, user)
	if err != nil {
		return nil, wrapErr("user sessions", err)
	}
	return ids, nil
}

func (s *Store) userSessions(ctx context.Context, user string) ([]string, error) {
	now := time.Now()
	members, err := indexListScript.Exec(ctx, s.client, []string{s.userKey(user)},
		[]string{strconv.FormatInt(now.UnixMilli(), 10)}).AsStrSlice()
	if err != nil || len(members) == 0 {
		return nil, err
	}
	cmds := make(rueidis.Commands, len(members))
	for i, id := range members {
		cmds[i] = s.client.B().Hmget().Key(s.key(id)).Field(fieldUser, fieldDeadline).Build()
	}
	var live, foreign []string
	for i, res := range s.client.DoMulti(ctx, cmds...) {
		vals, err := res.ToArray()
		if err != nil {
			return nil, err
		}
		if len(vals) != 2 {
			return nil, fmt.Errorf("unexpected HMGET reply of %d elements", len(vals))
		}
		owner, err := vals[0].ToString()
		if rueidis.IsRedisNil(err) {
			continue // deleted or expired: the entry goes when its score passes
		}
		if owner != user {
			foreign = append(foreign, members[i])
			continue
		}
		dl, err := vals[1].AsInt64()
		if err != nil || time.Unix(0, dl).After(now) {
			live = append(live, members[i])
		}
	}
	if len(foreign) > 0 {
		s.indexRemove(ctx, user, foreign...)
	}
	return live, nil
}

// DeleteUser deletes every session of user and reports how many it deleted.
// Each session is deleted only if user still owns it. The deletions go out
// in one pipelined batch (after loading the script on every node).
func (s *Store) DeleteUser(ctx context.Context, user string) (int, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	ids, err := s.userSessions(ctx, user)
	if err != nil || len(ids) == 0 {
		return 0, wrapErrOrNil("delete user", err)
	}
	execs := make([]rueidis.LuaExec, len(ids))
	for i, id := range ids {
		execs[i] = rueidis.LuaExec{Keys: []string{s.key(id)}, Args: []string{user}}
	}
	var deleted []string
	var first error
	for i, res := range deleteOwnedScript.ExecMulti(ctx, s.client, execs...) {
		ver, err := res.AsInt64()
		if err != nil {
			first = cmp.Or(first, err)
			continue
		}
		if ver > 0 {
			s.recent.note(ids[i], ver, true)
			deleted = append(deleted, ids[i])
		}
	}
	if len(deleted) > 0 {
		s.indexRemove(ctx, user, deleted...)
	}
	return len(deleted), wrapErrOrNil("delete user", first)
}
