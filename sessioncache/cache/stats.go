package cache

// Stats are counters of a cache's activity since it was created.
type Stats struct {
	Hits         uint64 // lookups that found a live entry
	Misses       uint64 // lookups that did not
	Loads        uint64 // values a loader produced
	LoadFailures uint64 // loads that returned an error or panicked

	EvictedSize    uint64 // entries evicted to stay within the bound
	EvictedExpired uint64 // entries removed or replaced after their expiry
	Replaced       uint64 // values replaced by Set or a load
	Removed        uint64 // entries removed by Delete or Clear
}

// Requests returns Hits + Misses.
func (s Stats) Requests() uint64 { return s.Hits + s.Misses }

// HitRatio returns the share of lookups that hit, or 1 with no lookups.
func (s Stats) HitRatio() float64 {
	if s.Requests() == 0 {
		return 1
	}
	return float64(s.Hits) / float64(s.Requests())
}

// Evictions returns the number of entries the cache removed on its own,
// for size or expiry.
func (s Stats) Evictions() uint64 { return s.EvictedSize + s.EvictedExpired }

// Stats returns a snapshot of the cache's counters. The counters are
// striped, so reading them is not atomic as a whole.
func (c *Cache[K, V]) Stats() Stats {
	s := Stats{
		Loads:          c.loads.Load(),
		LoadFailures:   c.loadFailures.Load(),
		EvictedSize:    c.evicted[CauseSize].Load(),
		EvictedExpired: c.evicted[CauseExpired].Load(),
		Removed:        c.evicted[CauseExplicit].Load(),
	}
	for i := range c.reads.stripes {
		st := &c.reads.stripes[i]
		s.Hits += st.hits.Load() + st.tail.Load()
		s.Misses += st.misses.Load()
		s.Replaced += st.replaced.Load()
	}
	return s
}
