package redisstore

import (
	"fmt"
	"strings"

	"github.com/redis/rueidis"
	"github.com/serverdev/stdweb/sessioncache"
)

// unavailablePrefixes are the Redis error codes that mean the server cannot
// serve the request now but may later.
var unavailablePrefixes = []string{"LOADING", "CLUSTERDOWN", "TRYAGAIN", "MASTERDOWN", "BUSY", "READONLY", "NOREPLICAS", "OOM"}

// wrapErr describes an error of operation op. Errors reaching Redis (network
// errors, timeouts, a closed client, a server loading or failing over) wrap
// sessioncache.ErrUnavailable; a key of the wrong type wraps
// sessioncache.ErrCorrupt.
func wrapErr(op string, err error) error {
	if re, ok := rueidis.IsRedisErr(err); ok {
		msg := re.Error()
		for _, p := range unavailablePrefixes {
			if strings.HasPrefix(msg, p) {
				return fmt.Errorf("redisstore: %s: %w: %w", op, sessioncache.ErrUnavailable, err)
			}
		}
		if strings.HasPrefix(msg, "WRONGTYPE") {
			return fmt.Errorf("redisstore: %s: %w: %w", op, sessioncache.ErrCorrupt, err)
		}
		return fmt.Errorf("redisstore: %s: %w", op, err)
	}
	return fmt.Errorf("redisstore: %s: %w: %w", op, sessioncache.ErrUnavailable, err)
}

// wrapErrOrNil is wrapErr, or nil for a nil err.
func wrapErrOrNil(op string, err error) error {
	if err == nil {
		return nil
	}
	return wrapErr(op, err)
}
