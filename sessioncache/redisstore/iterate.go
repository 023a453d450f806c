package redisstore

import (
	"context"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/redis/rueidis"
	"github.com/serverdev/stdweb/sessioncache"
)

// scanCount is the COUNT hint of each SCAN call.
const scanCount = 256

// All yields every live session once. It walks the keyspace of every master
// with SCAN (never KEYS, which blocks the server), so in a Redis Cluster it
// visits every shard, and reads the sessions of each page in one pipelined
// batch. Each call to Redis is bounded by Options.Timeout when ctx has no
// deadline. The ids already yielded are remembered to skip the duplicates
// SCAN may return, so memory grows with the number of sessions.
func (s *Store) All(ctx context.Context) iter.Seq2[sessioncache.Entry, error] {
	return func(yield func(sessioncache.Entry, error) bool) {
		nodes, err := s.masters(ctx)
		if err != nil {
			yield(sessioncache.Entry{}, wrapErr("all", err))
			return
		}
		seen := make(map[string]struct{})
		pattern := escapeGlob(s.opts.Prefix) + "{*}"
		for _, node := range nodes {
			var cursor uint64
			for {
				page, err := s.scanPage(ctx, node, cursor, pattern, seen)
				if err != nil {
					yield(sessioncache.Entry{}, err)
					return
				}
				for _, e := range page.entries {
					if !yield(e, nil) {
						return
					}
				}
				if cursor = page.cursor; cursor == 0 {
					break
				}
			}
		}
	}
}

type scanPage struct {
	entries []sessioncache.Entry
	cursor  uint64
}

// scanPage reads one SCAN page of node and the live sessions it names.
func (s *Store) scanPage(ctx context.Context, node rueidis.Client, cursor uint64, pattern string, seen map[string]struct{}) (scanPage, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	scan, err := node.Do(ctx, node.B().Scan().Cursor(cursor).Match(pattern).Count(scanCount).Type("hash").Build()).AsScanEntry()
	if err != nil {
		return scanPage{}, wrapErr("all", err)
	}
	page := scanPage{cursor: scan.Cursor}
	var ids []string
	var cmds rueidis.Commands
	for _, key := range scan.Elements {
		id, ok := s.idOf(key)
		if !ok {
			continue
		}
		if _, dup := seen[id]; dup {
			continue
		}
		seen[id] = struct{}{}
		ids = append(ids, id)
		cmds = append(cmds, s.client.B().Hgetall().Key(key).Build())
	}
	if len(cmds) == 0 {
		return page, nil
	}
	now := time.Now()
	for i, res := range s.client.DoMulti(ctx, cmds...) {
		fields, err := res.AsStrMap()
		if err != nil {
			return scanPage{}, wrapErr("all", err)
		}
		if len(fields) == 0 {
			continue // deleted or expired since the scan
		}
		rec, err := decodeRecord(fields)
		if err != nil {
			return scanPage{}, fmt.Errorf("redisstore: all: session %q: %w", ids[i], err)
		}
		if rec.Deadline.After(now) {
			page.entries = append(page.entries, sessioncache.Entry{ID: ids[i], Record: rec})
		}
	}
	return page, nil
}

// idOf returns the session id of a session key.
func (s *Store) idOf(key string) (string, bool) {
	rest, ok := strings.CutPrefix(key, s.opts.Prefix+"{")
	if !ok || !strings.HasSuffix(rest, "}") {
		return "", false
	}
	return rest[:len(rest)-1], true
}

// masters returns a client for each master the client knows: the only node
// of a standalone client, every master of a cluster.
func (s *Store) masters(ctx context.Context) ([]rueidis.Client, error) {
	nodes := s.client.Nodes()
	if len(nodes) == 1 {
		for _, n := range nodes {
			return []rueidis.Client{n}, nil
		}
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	var masters []rueidis.Client
	for _, n := range nodes {
		role, err := n.Do(ctx, n.B().Arbitrary("ROLE").Build()).ToArray()
		if err != nil {
			return nil, err
		}
		if len(role) > 0 {
			if r, _ := role[0].ToString(); r == "master" {
				masters = append(masters, n)
			}
		}
	}
	return masters, nil
}
