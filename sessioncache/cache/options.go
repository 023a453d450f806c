package cache

import (
	"errors"
	"fmt"
	"time"
)

// Options configure a [Cache]. The zero value is a valid, unbounded cache
// without expiration.
type Options[K comparable, V any] struct {
	// MaximumSize bounds the number of entries. Zero means no bound by count.
	// It may not be combined with MaximumWeight.
	MaximumSize int

	// MaximumWeight bounds the sum of the entries' weights, as given by
	// Weigher. Entries of weight zero are never evicted for size. Zero
	// means no bound by weight.
	MaximumWeight uint64

	// Weigher returns the weight of an entry. It is required with
	// MaximumWeight and not allowed without it. It must be fast and must
	// not call the cache. Results above MaxWeight count as MaxWeight.
	Weigher func(key K, value V) uint32

	// ExpireAfterWrite removes an entry this long after it was created or
	// its value last replaced. Zero means never.
	ExpireAfterWrite time.Duration

	// ExpireAfterAccess removes an entry this long after it was last read
	// or written (a sliding expiration). Zero means never. When both
	// ExpireAfterWrite and ExpireAfterAccess are set, the earlier deadline
	// applies.
	ExpireAfterAccess time.Duration

	// RefreshAfterWrite makes GetOrLoad reload an entry in the background
	// once it is this old, returning the current value meanwhile. Only one
	// refresh per key runs at a time. Zero means never.
	RefreshAfterWrite time.Duration

	// OnEviction, if set, is called after an entry leaves the cache, with
	// the reason. It runs on the goroutine that removed the entry, outside
	// the cache's locks, and must not block for long. It may call the
	// cache, with two exceptions: it must not call Close, which can be
	// waiting for the loader goroutine the listener runs on, and an entry
	// it writes back after a size eviction evicts another in turn, so a
	// listener that always writes back never returns.
	OnEviction func(key K, value V, cause EvictionCause)

	// Clock supplies the time for expiration and refresh. Nil means the
	// system clock. Tests inject a fake clock. Now is called under the
	// cache's locks and must not call the cache.
	Clock Clock

	// InitialCapacity presizes the hash table. Zero picks a default.
	InitialCapacity int
}

// MaxWeight is the largest weight an entry can have (about 512 Mi).
const MaxWeight = 1<<29 - 1

// Clock tells the time. The cache only subtracts instants it got from the
// same Clock, so a monotonic reading (as time.Now returns) is ideal.
type Clock interface {
	Now() time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// EvictionCause tells why an entry left the cache.
type EvictionCause uint8

const (
	// CauseExplicit: the entry was removed by Delete or Clear.
	CauseExplicit EvictionCause = iota + 1
	// CauseReplaced: the entry's value was replaced by Set or by a load.
	CauseReplaced
	// CauseExpired: the entry's expiration time passed.
	CauseExpired
	// CauseSize: the entry was evicted to keep the cache within its bound.
	CauseSize
)

const causeCount = 5

// String returns the cause's name.
func (c EvictionCause) String() string {
	switch c {
	case CauseExplicit:
		return "explicit"
	case CauseReplaced:
		return "replaced"
	case CauseExpired:
		return "expired"
	case CauseSize:
		return "size"
	}
	return fmt.Sprintf("EvictionCause(%d)", uint8(c))
}

// Evicted reports whether the cache removed the entry on its own (for size
// or expiry) rather than because a caller asked.
func (c EvictionCause) Evicted() bool { return c == CauseExpired || c == CauseSize }

var (
	// ErrInvalidOptions is wrapped by the error New returns for a bad
	// configuration.
	ErrInvalidOptions = errors.New("cache: invalid options")
	// ErrClosed is returned by loading methods after Close.
	ErrClosed = errors.New("cache: closed")
	// ErrLoaderPanic is wrapped by the error a load returns when its
	// loader panicked.
	ErrLoaderPanic = errors.New("cache: loader panicked")
)

func (o *Options[K, V]) validate() error {
	switch {
	case o.MaximumSize < 0:
		return fmt.Errorf("%w: negative MaximumSize %d", ErrInvalidOptions, o.MaximumSize)
	case o.MaximumSize > 0 && o.MaximumWeight > 0:
		return fmt.Errorf("%w: MaximumSize and MaximumWeight are exclusive", ErrInvalidOptions)
	case o.MaximumWeight > 0 && o.Weigher == nil:
		return fmt.Errorf("%w: MaximumWeight needs a Weigher", ErrInvalidOptions)
	case o.Weigher != nil && o.MaximumWeight == 0:
		return fmt.Errorf("%w: Weigher needs MaximumWeight", ErrInvalidOptions)
	case o.ExpireAfterWrite < 0, o.ExpireAfterAccess < 0, o.RefreshAfterWrite < 0:
		return fmt.Errorf("%w: negative duration", ErrInvalidOptions)
	case o.InitialCapacity < 0:
		return fmt.Errorf("%w: negative InitialCapacity %d", ErrInvalidOptions, o.InitialCapacity)
	}
	return nil
}
