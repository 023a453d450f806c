package cache

import (
	"context"
	"errors"
	"fmt"
)

// ErrNotFound is returned for a key that the bulk loader of LoadAll left
// out of its result.
var ErrNotFound = errors.New("cache: key not found by loader")

// call is a load in flight for one key.
type call[K comparable, V any] struct {
	done chan struct{}
	val  V
	err  error

	// Guarded by the shard lock.
	invalidated bool
	start       *node[K, V] // the (expired or aging) node present at the start, or nil
	startVer    uint32
}

// GetOrLoad returns the value for key, calling loader to produce it if the
// cache has no live entry. Only one load per key runs at a time; concurrent
// callers for the key wait for it. The load runs on its own goroutine with a
// context that keeps the first caller's values but not its cancellation,
// and that Close cancels: a caller whose ctx ends returns ctx's error at
// once while the load goes on for the others and still fills the cache.
//
// A loader error is returned to every waiter and not cached; a panic in
// the loader becomes an error wrapping ErrLoaderPanic. If the key is
// written, deleted or cleared while the load runs, the loaded value is
// returned to the waiters but not stored, so an invalidation is never
// undone by an older load. With RefreshAfterWrite, an entry older than that
// is returned at once and reloaded in the background.
//
// A loader must not load its own key through the cache (directly or through
// another loader): it would wait for itself until Close. Nor may it call
// Close, which waits for the loader.
func (c *Cache[K, V]) GetOrLoad(ctx context.Context, key K, loader func(context.Context, K) (V, error)) (V, error) {
	h := c.hash(key)
	s := c.shardFor(h)
	st := c.reads.stripe()
	n := s.first(h, key)
	if n == nil {
		n = s.find(h, key)
	}
	if n != nil && c.live(n) {
		v, ok := n.tryLoad()
		if !ok {
			v = n.load()
		}
		if !c.recordReads.Load() || !c.record(st, n) {
			st.hits.Add(1) // recordHit, inlined
		}
		if c.refresh > 0 && n.exp != nil && c.now()-n.exp.writeTime.Load() >= c.refresh {
			c.startRefresh(s, h, key, n, loader)
		}
		return v, nil
	}
	return c.loadMissed(ctx, s, st, h, key, loader)
}

// loadMissed is GetOrLoad after the lock-free lookup missed: under the
// shard's lock it joins the load of key in flight, or finds the entry a
// concurrent write just stored (a hit: nothing is loaded), or starts a load.
func (c *Cache[K, V]) loadMissed(ctx context.Context, s *shard[K, V], st *readStripe[K, V], h uint32, key K,
	loader func(context.Context, K) (V, error)) (V, error) {
	s.mu.Lock()
	if c.closed.Load() {
		s.mu.Unlock()
		st.misses.Add(1)
		var zero V
		return zero, ErrClosed
	}
	cl := s.calls[key]
	if cl == nil {
		n := s.findLocked(h, key)
		if n != nil && c.live(n) {
			v := n.load()
			s.mu.Unlock()
			c.recordHit(st, n)
			return v, nil
		}
		cl = c.registerLocked(s, key, n)
		s.mu.Unlock()
		st.misses.Add(1) // before the load starts: a loader reading Stats sees its miss
		go c.runLoad(ctx, s, h, key, cl, loader)
	} else {
		s.mu.Unlock()
		st.misses.Add(1)
	}
	return c.wait(ctx, cl)
}

// registerLocked records a load of key about to start; s.mu must be held
// and the cache open.
func (c *Cache[K, V]) registerLocked(s *shard[K, V], key K, start *node[K, V]) *call[K, V] {
	cl := &call[K, V]{done: make(chan struct{}), start: start}
	if start != nil {
		cl.startVer = start.version()
	}
	s.calls[key] = cl
	c.loaders.Add(1)
	return cl
}

func (c *Cache[K, V]) startRefresh(s *shard[K, V], h uint32, key K, n *node[K, V], loader func(context.Context, K) (V, error)) {
	s.mu.Lock()
	if c.closed.Load() || s.calls[key] != nil || !n.alive() {
		s.mu.Unlock()
		return
	}
	cl := c.registerLocked(s, key, n)
	s.mu.Unlock()
	go c.runLoad(context.Background(), s, h, key, cl, loader)
}

func (c *Cache[K, V]) wait(ctx context.Context, cl *call[K, V]) (V, error) {
	select {
	case <-cl.done:
		return cl.val, cl.err
	default:
	}
	select {
	case <-cl.done:
		return cl.val, cl.err
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}

// loadContext detaches the load from its caller's cancellation and ties
// it to the cache's life.
func (c *Cache[K, V]) loadContext(ctx context.Context) (context.Context, func()) {
	lctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(c.closeCtx, cancel)
	return lctx, func() { stop(); cancel() }
}

func (c *Cache[K, V]) runLoad(ctx context.Context, s *shard[K, V], h uint32, key K, cl *call[K, V], loader func(context.Context, K) (V, error)) {
	defer c.loaders.Done()
	lctx, done := c.loadContext(ctx)
	defer done()
	v, err := protect(func() (V, error) { return loader(lctx, key) })
	c.finishLoad(s, h, key, cl, v, err)
}

// protect runs f, turning a panic into an error.
func protect[T any](f func() (T, error)) (v T, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", ErrLoaderPanic, r)
		}
	}()
	return f()
}

// finishLoad stores a loaded value unless the key changed since the load
// began, releases the waiters, and then runs what the store calls for.
func (c *Cache[K, V]) finishLoad(s *shard[K, V], h uint32, key K, cl *call[K, V], v V, err error) {
	c.afterLoad(key, c.completeLoad(s, h, key, cl, v, err))
}

// loadOutcome is what storing a loaded value did.
type loadOutcome[V any] struct {
	old      V // the value replaced, if replaced
	cause    EvictionCause
	stored   bool
	replaced bool
}

// completeLoad stores a loaded value unless the key changed since the load
// began and releases the waiters. It runs neither maintenance nor the
// eviction listener: afterLoad does.
func (c *Cache[K, V]) completeLoad(s *shard[K, V], h uint32, key K, cl *call[K, V], v V, err error) loadOutcome[V] {
	var (
		old      V
		cause    EvictionCause
		replaced bool
		stored   bool
	)
	s.mu.Lock()
	if s.calls[key] == cl {
		delete(s.calls, key)
	}
	if err == nil && !cl.invalidated {
		cur := s.findLocked(h, key)
		switch {
		case cur != nil && cur == cl.start:
			// Writers update a live node in place without the shard lock:
			// check its version under the node's lock, with the store.
			w := c.newWrite(key, v, 0)
			w.match, w.version = true, cl.startVer
			var needTask bool
			old, cause, needTask, stored = c.update(cur, &w)
			if stored && needTask {
				c.enqueueLocked(s, cur, taskUpdate)
			}
			replaced = stored
		case cur == nil && (cl.start == nil || c.evictedUnwritten(cl)):
			w := c.newWrite(key, v, 0)
			old, cause, replaced = c.putLocked(s, h, key, &w)
			stored = true
		}
	}
	s.mu.Unlock()
	if err != nil {
		c.loadFailures.Add(1)
	} else {
		c.loads.Add(1)
	}
	cl.val, cl.err = v, err
	close(cl.done)
	return loadOutcome[V]{old: old, cause: cause, stored: stored, replaced: replaced}
}

// afterLoad runs the maintenance and the eviction listener that storing a
// loaded value calls for.
func (c *Cache[K, V]) afterLoad(key K, o loadOutcome[V]) {
	if o.stored {
		c.afterWrite()
		if o.replaced {
			c.notify(key, o.old, o.cause)
		}
	}
}

// evictedUnwritten reports whether the node present when cl began left the
// table through eviction (size or expiry) with no write before: explicit
// removals invalidate the load, and a write would have bumped the version
// more than unlockDead does.
func (c *Cache[K, V]) evictedUnwritten(cl *call[K, V]) bool {
	return cl.start.version() == (cl.startVer|seqDead)+seqWrite
}

// LoadAll returns the values for keys, loading those without a live entry
// with one call of loader (keys already loading are waited for instead).
// The loader returns the values it found; keys it leaves out are absent from
// the result. The result holds every value obtained; the error is ctx's if
// it ended, else the loader's first error. A key listed more than once is
// looked up, and counted in the statistics, once.
func (c *Cache[K, V]) LoadAll(ctx context.Context, keys []K, loader func(context.Context, []K) (map[K]V, error)) (map[K]V, error) {
	type waiting struct {
		key K
		cl  *call[K, V]
	}
	result := make(map[K]V, len(keys))
	var (
		waits []waiting
		mine  []K
		calls []*call[K, V]
		// Hits after the first registered load are recorded once the
		// loads have started: recording can run a maintenance pass and the
		// eviction listener on this goroutine, and a listener asking for
		// one of those keys would wait on a load that had not begun.
		hits []*node[K, V]
	)
	st := c.reads.stripe()
	hit := func(n *node[K, V]) {
		switch {
		case len(mine) == 0:
			c.recordHit(st, n)
		case hits == nil:
			hits = make([]*node[K, V], 1, len(keys))
			hits[0] = n
		default:
			hits = append(hits, n)
		}
	}
	start := func() {
		if len(mine) > 0 {
			go c.runBulk(ctx, mine, calls, loader)
		}
		for _, n := range hits {
			c.recordHit(st, n)
		}
	}
	var waited map[K]struct{} // the keys in waits, made with the first
	for _, k := range keys {
		if _, ok := result[k]; ok {
			continue // a repeated key counts once, as a hit
		}
		if _, ok := waited[k]; ok {
			continue // ... or as a miss
		}
		h := c.hash(k)
		s := c.shardFor(h)
		if n := s.find(h, k); n != nil && c.live(n) {
			result[k] = n.load()
			hit(n)
			continue
		}
		s.mu.Lock()
		if c.closed.Load() {
			s.mu.Unlock()
			st.misses.Add(1)
			start()
			return result, ErrClosed
		}
		cl := s.calls[k]
		if cl == nil {
			if n := s.findLocked(h, k); n != nil && c.live(n) {
				// A concurrent write stored it since the lookup above.
				result[k] = n.load()
				s.mu.Unlock()
				hit(n)
				continue
			} else {
				cl = c.registerLocked(s, k, n)
				mine = append(mine, k)
				calls = append(calls, cl)
			}
		}
		s.mu.Unlock()
		st.misses.Add(1)
		waits = append(waits, waiting{k, cl})
		if waited == nil {
			waited = make(map[K]struct{})
		}
		waited[k] = struct{}{}
	}
	start()
	var firstErr error
	for _, w := range waits {
		v, err := c.wait(ctx, w.cl)
		switch {
		case err == nil:
			result[w.key] = v
		case ctx.Err() != nil:
			return result, ctx.Err()
		case firstErr == nil && !errors.Is(err, ErrNotFound):
			firstErr = err
		}
	}
	return result, firstErr
}

func (c *Cache[K, V]) runBulk(ctx context.Context, keys []K, calls []*call[K, V], loader func(context.Context, []K) (map[K]V, error)) {
	lctx, done := c.loadContext(ctx)
	defer done()
	m, err := protect(func() (map[K]V, error) { return loader(lctx, keys) })
	outcomes := make([]loadOutcome[V], len(keys))
	for i, k := range keys {
		v, ok := m[k]
		kerr := err
		if kerr == nil && !ok {
			kerr = ErrNotFound
		}
		h := c.hash(k)
		outcomes[i] = c.completeLoad(c.shardFor(h), h, k, calls[i], v, kerr)
	}
	// Maintenance, and with it the eviction listener, runs once every key's
	// waiters are released: a listener run after one key's store could ask
	// for a later key, which only this goroutine would complete.
	for i, k := range keys {
		c.afterLoad(k, outcomes[i])
		c.loaders.Done()
	}
}

// invalidateLoadLocked keeps a load of key in flight from storing its
// value; s.mu must be held. Later callers start a new load.
func (c *Cache[K, V]) invalidateLoadLocked(s *shard[K, V], key K) {
	if cl := s.calls[key]; cl != nil {
		cl.invalidated = true
		delete(s.calls, key)
	}
}
