// Package cache provides a concurrent, generic, in-memory cache bounded by
// entry count or by total weight.
//
// A [Cache] keeps the entries most likely to be asked for again. Eviction is
// adaptive W-TinyLFU, the policy of Caffeine: new entries enter a small LRU
// window; an entry leaving the window must beat the main region's victim in
// an estimate of recent frequency (a 4-bit count-min sketch that halves its
// counters periodically) to be admitted, where near-ties are decided by
// which side past near-ties showed to be needed first; the main region is
// segmented into probation (LRU) and protected (CLOCK, so that reading a hot
// entry does not rewrite the memory other readers look it up in); and a hill
// climber resizes the window to suit the workload, recency-biased or
// frequency-biased.
//
// Reads take no lock. A read records the access into a striped, lossy ring
// buffer (dropping such a record only loses a hint for the policy); writes
// queue their policy work per map shard and that queue is never dropped. A
// maintenance pass applies both under the eviction lock, which goroutines take
// with TryLock so that no goroutine waits for another one's bookkeeping unless
// the write queue grows past a bound.
//
// Entries may expire a fixed time after they were written
// ([Options.ExpireAfterWrite]), after they were last read or written
// ([Options.ExpireAfterAccess]), or at a time chosen per entry
// ([Cache.SetWithTTL]). Expired entries are never returned; they are removed
// by a hierarchical timer wheel during maintenance. With
// [Options.RefreshAfterWrite], [Cache.GetOrLoad] returns an aging value at
// once and reloads it in the background.
//
// [Cache.GetOrLoad] runs at most one load per key at a time: other callers
// wait for it, a caller whose context ends stops waiting without cancelling
// the shared load, an invalidation (Set, Delete, Clear) during the load keeps
// the loaded value out of the cache, and a loader error is returned to every
// waiter and not cached.
package cache
