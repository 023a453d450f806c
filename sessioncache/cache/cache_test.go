package cache

import (
	"errors"
	"maps"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a Clock tests move by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Unix(1_700_000_000, 0)} }

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) Advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

type evictionLog[K comparable, V any] struct {
	mu     sync.Mutex
	events []evictionEvent[K, V]
}

type evictionEvent[K comparable, V any] struct {
	key   K
	value V
	cause EvictionCause
}

func (l *evictionLog[K, V]) record(k K, v V, c EvictionCause) {
	l.mu.Lock()
	l.events = append(l.events, evictionEvent[K, V]{k, v, c})
	l.mu.Unlock()
}

func (l *evictionLog[K, V]) count(c EvictionCause) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, e := range l.events {
		if e.cause == c {
			n++
		}
	}
	return n
}

func TestNewValidatesOptions(t *testing.T) {
	weigher := func(string, int) uint32 { return 1 }
	tests := []struct {
		name string
		opts Options[string, int]
		ok   bool
	}{
		{"zero", Options[string, int]{}, true},
		{"size", Options[string, int]{MaximumSize: 10}, true},
		{"weight", Options[string, int]{MaximumWeight: 10, Weigher: weigher}, true},
		{"negative size", Options[string, int]{MaximumSize: -1}, false},
		{"size and weight", Options[string, int]{MaximumSize: 1, MaximumWeight: 1, Weigher: weigher}, false},
		{"weight without weigher", Options[string, int]{MaximumWeight: 10}, false},
		{"weigher without weight", Options[string, int]{Weigher: weigher}, false},
		{"negative ttl", Options[string, int]{ExpireAfterWrite: -time.Second}, false},
		{"negative refresh", Options[string, int]{RefreshAfterWrite: -time.Second}, false},
		{"negative capacity", Options[string, int]{InitialCapacity: -1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.opts)
			if tt.ok {
				if err != nil || c == nil {
					t.Fatalf("New: %v", err)
				}
				c.Close()
				return
			}
			if !errors.Is(err, ErrInvalidOptions) {
				t.Fatalf("New error = %v, want ErrInvalidOptions", err)
			}
		})
	}
}

func TestMustNewPanicsOnInvalidOptions(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("MustNew did not panic")
		}
	}()
	MustNew(Options[int, int]{MaximumSize: -1})
}

func TestGetSetDelete(t *testing.T) {
	for _, opts := range []Options[string, int]{{}, {MaximumSize: 100}} {
		c := MustNew(opts)
		if _, ok := c.Get("a"); ok {
			t.Fatal("empty cache found a")
		}
		c.Set("a", 1)
		c.Set("b", 2)
		if v, ok := c.Get("a"); !ok || v != 1 {
			t.Fatalf("Get(a) = %v, %v", v, ok)
		}
		c.Set("a", 3)
		if v, _ := c.Get("a"); v != 3 {
			t.Fatalf("Get(a) after update = %v", v)
		}
		if c.Len() != 2 {
			t.Fatalf("Len = %d, want 2", c.Len())
		}
		if !c.Delete("a") {
			t.Fatal("Delete(a) = false")
		}
		if c.Delete("a") {
			t.Fatal("second Delete(a) = true")
		}
		if _, ok := c.Get("a"); ok {
			t.Fatal("deleted key found")
		}
		if got := c.GetAll([]string{"a", "b", "c"}); !maps.Equal(got, map[string]int{"b": 2}) {
			t.Fatalf("GetAll = %v", got)
		}
		c.Clear()
		if c.Len() != 0 {
			t.Fatalf("Len after Clear = %d", c.Len())
		}
		if _, ok := c.Get("b"); ok {
			t.Fatal("cleared key found")
		}
		c.Close()
	}
}

func TestAllAndGrowth(t *testing.T) {
	c := MustNew(Options[int, int]{})
	defer c.Close()
	const n = 10_000 // forces every shard's table to grow several times
	for i := range n {
		c.Set(i, i*2)
	}
	for i := range n {
		if v, ok := c.Get(i); !ok || v != i*2 {
			t.Fatalf("Get(%d) = %v, %v", i, v, ok)
		}
	}
	seen := make(map[int]int)
	for k, v := range c.All() {
		seen[k] = v
	}
	if len(seen) != n {
		t.Fatalf("All yielded %d entries, want %d", len(seen), n)
	}
	for k, v := range seen {
		if v != k*2 {
			t.Fatalf("All yielded %d=%d", k, v)
		}
	}
	count := 0
	for range c.All() {
		count++
		if count == 3 {
			break
		}
	}
	if count != 3 {
		t.Fatalf("early break yielded %d", count)
	}
}

func TestMaximumSizeBound(t *testing.T) {
	var log evictionLog[int, int]
	c := MustNew(Options[int, int]{MaximumSize: 100, OnEviction: log.record})
	defer c.Close()
	for i := range 10_000 {
		c.Set(i, i)
	}
	c.CleanUp()
	if c.Len() > 100 {
		t.Fatalf("Len = %d, want <= 100", c.Len())
	}
	st := c.Stats()
	if st.EvictedSize != uint64(10_000-c.Len()) {
		t.Fatalf("EvictedSize = %d, Len = %d", st.EvictedSize, c.Len())
	}
	if got := log.count(CauseSize); got != 10_000-c.Len() {
		t.Fatalf("size evictions notified = %d, want %d", got, 10_000-c.Len())
	}
}

func TestFrequentKeysSurviveScan(t *testing.T) {
	c := MustNew(Options[int, int]{MaximumSize: 100})
	defer c.Close()
	hot := make([]int, 50)
	for i := range hot {
		hot[i] = -1 - i
	}
	for range 20 {
		for _, k := range hot {
			if _, ok := c.Get(k); !ok {
				c.Set(k, k)
			}
		}
		c.CleanUp()
	}
	for i := range 5000 { // a scan of one-hit keys
		c.Set(i, i)
		c.CleanUp()
	}
	kept := 0
	for _, k := range hot {
		if _, ok := c.Get(k); ok {
			kept++
		}
	}
	if kept < 45 {
		t.Fatalf("only %d of 50 hot keys survived a scan", kept)
	}
}

func TestMaximumWeight(t *testing.T) {
	var log evictionLog[string, []byte]
	c := MustNew(Options[string, []byte]{
		MaximumWeight: 100,
		Weigher:       func(_ string, v []byte) uint32 { return uint32(len(v)) },
		OnEviction:    log.record,
	})
	defer c.Close()
	c.Set("pinned", nil) // weight 0: never evicted for size
	for i := range 50 {
		c.Set(string(rune('a'+i%26))+string(rune('a'+i/26)), make([]byte, 10))
	}
	c.Set("huge", make([]byte, 500)) // heavier than the bound: evicted at once
	c.CleanUp()
	var total int
	for _, v := range c.All() {
		total += len(v)
	}
	if total > 100 {
		t.Fatalf("total weight %d > 100", total)
	}
	if _, ok := c.Get("pinned"); !ok {
		t.Fatal("zero-weight entry was evicted")
	}
	if _, ok := c.Get("huge"); ok {
		t.Fatal("entry heavier than the bound was kept")
	}
	// Growing an entry's weight evicts others.
	c.Set("pinned", make([]byte, 90))
	c.CleanUp()
	total = 0
	for _, v := range c.All() {
		total += len(v)
	}
	if total > 100 {
		t.Fatalf("total weight %d > 100 after growth", total)
	}
}

func TestExpiration(t *testing.T) {
	tests := []struct {
		name  string
		opts  Options[string, int]
		steps []struct {
			advance time.Duration
			read    bool // read the key after advancing
			want    bool // whether it is still there
		}
	}{
		{
			name: "after write",
			opts: Options[string, int]{ExpireAfterWrite: time.Minute},
			steps: []struct {
				advance time.Duration
				read    bool
				want    bool
			}{{30 * time.Second, true, true}, {29 * time.Second, true, true}, {time.Second, true, false}},
		},
		{
			name: "after access slides",
			opts: Options[string, int]{ExpireAfterAccess: time.Minute},
			steps: []struct {
				advance time.Duration
				read    bool
				want    bool
			}{{50 * time.Second, true, true}, {50 * time.Second, true, true}, {50 * time.Second, true, true}, {61 * time.Second, true, false}},
		},
		{
			name: "write bounds access",
			opts: Options[string, int]{ExpireAfterAccess: time.Minute, ExpireAfterWrite: 90 * time.Second},
			steps: []struct {
				advance time.Duration
				read    bool
				want    bool
			}{{50 * time.Second, true, true}, {39 * time.Second, true, true}, {time.Second, true, false}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			var log evictionLog[string, int]
			tt.opts.Clock = clock
			tt.opts.OnEviction = log.record
			tt.opts.MaximumSize = 10
			c := MustNew(tt.opts)
			defer c.Close()
			c.Set("k", 1)
			for i, s := range tt.steps {
				clock.Advance(s.advance)
				if _, ok := c.Get("k"); ok != s.want {
					t.Fatalf("step %d: found = %v, want %v", i, ok, s.want)
				}
			}
			c.CleanUp()
			if c.Len() != 0 {
				t.Fatalf("Len after expiry and CleanUp = %d", c.Len())
			}
			if log.count(CauseExpired) != 1 {
				t.Fatalf("expired notifications = %d, want 1", log.count(CauseExpired))
			}
		})
	}
}

func TestSetWithTTL(t *testing.T) {
	clock := newFakeClock()
	c := MustNew(Options[string, int]{Clock: clock, ExpireAfterAccess: time.Hour})
	defer c.Close()
	c.SetWithTTL("short", 1, time.Second)
	c.Set("long", 2)
	c.SetWithTTL("default", 3, 0)
	clock.Advance(999 * time.Millisecond)
	if _, ok := c.Get("short"); !ok {
		t.Fatal("short expired early")
	}
	clock.Advance(time.Millisecond)
	if _, ok := c.Get("short"); ok {
		t.Fatal("short outlived its TTL (reads must not extend a per-entry TTL)")
	}
	clock.Advance(30 * time.Minute)
	for _, k := range []string{"long", "default"} {
		if _, ok := c.Get(k); !ok {
			t.Fatalf("%s expired early", k)
		}
	}
	// Shortening the deadline of an existing entry takes effect.
	c.SetWithTTL("long", 4, time.Minute)
	clock.Advance(2 * time.Minute)
	c.CleanUp()
	if _, ok := c.Get("long"); ok {
		t.Fatal("long outlived its shortened TTL")
	}
	if c.Len() != 1 {
		t.Fatalf("Len = %d, want 1", c.Len())
	}
}

func TestTimerWheelLongDelays(t *testing.T) {
	// The wheel's finest buckets span 2^30ns (about 1.07s): an entry is
	// removed within one such span after its deadline, and never before.
	const slack = time.Duration(1<<30) + time.Millisecond
	clock := newFakeClock()
	var log evictionLog[int, int]
	c := MustNew(Options[int, int]{Clock: clock, OnEviction: log.record})
	defer c.Close()
	ttls := []time.Duration{time.Millisecond, 3 * time.Second, 90 * time.Second, 2 * time.Hour, 30 * time.Hour, 10 * 24 * time.Hour}
	for i, d := range ttls {
		c.SetWithTTL(i, i, d)
	}
	c.CleanUp()
	var elapsed time.Duration
	step := func(to time.Duration) {
		clock.Advance(to - elapsed)
		elapsed = to
		c.CleanUp()
	}
	for i, d := range ttls {
		if d-time.Nanosecond > elapsed {
			step(d - time.Nanosecond)
		}
		if got := log.count(CauseExpired); got != i {
			t.Fatalf("at %v: %d expired, want %d", elapsed, got, i)
		}
		if _, ok := c.Get(i); !ok {
			t.Fatalf("entry %d gone before its deadline", i)
		}
		step(d)
		if _, ok := c.Get(i); ok {
			t.Fatalf("entry %d returned at its deadline", i)
		}
		step(d + slack)
		if got := log.count(CauseExpired); got != i+1 {
			t.Fatalf("at %v: %d expired, want %d", elapsed, got, i+1)
		}
	}
	if c.Len() != 0 {
		t.Fatalf("Len = %d", c.Len())
	}
}

func TestEvictionCauses(t *testing.T) {
	clock := newFakeClock()
	var log evictionLog[string, int]
	c := MustNew(Options[string, int]{MaximumSize: 1, Clock: clock, ExpireAfterWrite: time.Minute, OnEviction: log.record})
	defer c.Close()
	c.Set("a", 1)
	c.Set("a", 2) // replaced
	c.Delete("a") // explicit
	c.Set("b", 1)
	clock.Advance(2 * time.Minute)
	c.Set("b", 2) // the old value had expired
	c.Set("c", 3)
	c.Set("d", 4)
	c.CleanUp() // size
	want := map[EvictionCause]int{CauseReplaced: 1, CauseExplicit: 1, CauseExpired: 1}
	for cause, n := range want {
		if got := log.count(cause); got != n {
			t.Errorf("%v notifications = %d, want %d", cause, got, n)
		}
	}
	if log.count(CauseSize) < 1 {
		t.Errorf("no size eviction")
	}
	st := c.Stats()
	if st.Replaced != 1 || st.Removed != 1 || st.EvictedExpired != 1 || st.EvictedSize < 1 {
		t.Errorf("stats = %+v", st)
	}
	for _, cause := range []EvictionCause{CauseExplicit, CauseReplaced, CauseExpired, CauseSize, 9} {
		if cause.String() == "" {
			t.Errorf("empty name for %d", cause)
		}
	}
	if !CauseSize.Evicted() || CauseExplicit.Evicted() {
		t.Error("Evicted misclassifies")
	}
}

func TestStats(t *testing.T) {
	c := MustNew(Options[int, int]{MaximumSize: 10})
	defer c.Close()
	if r := c.Stats().HitRatio(); r != 1 {
		t.Fatalf("HitRatio with no requests = %v", r)
	}
	c.Set(1, 1)
	c.Get(1)
	c.Get(1)
	c.Get(1)
	c.Get(2)
	st := c.Stats()
	if st.Hits != 3 || st.Misses != 1 || st.Requests() != 4 || st.HitRatio() != 0.75 {
		t.Fatalf("stats = %+v ratio %v", st, st.HitRatio())
	}
}

// TestStatsWhileRecording: once the cache records reads for its policy,
// the counts are exact after concurrent Gets, drains and in-place updates
// (recorded as accesses, not hits) from several goroutines.
func TestStatsWhileRecording(t *testing.T) {
	const size, goroutines, rounds = 100, 4, 2000
	c := MustNew(Options[int, int]{MaximumSize: size})
	defer c.Close()
	for k := range size {
		c.Set(k, k)
	}
	c.Get(0) // a read after a maintenance pass, which turns recording on
	if !c.recordReads.Load() {
		t.Fatal("a full cache does not record reads")
	}
	before := c.Stats()
	var wg sync.WaitGroup
	var hits, misses atomic.Int64
	for g := range goroutines {
		wg.Go(func() {
			for i := range rounds {
				k := (g*rounds + i) % size
				if i%10 == 0 {
					c.Set(k, i) // an in-place update, or an insert if k was evicted
					continue
				}
				if _, ok := c.Get(k); ok {
					hits.Add(1)
				} else {
					misses.Add(1)
				}
				if _, ok := c.Get(size + k); ok {
					t.Errorf("Get(%d) of a key never set hit", size+k)
				}
				misses.Add(1)
			}
		})
	}
	wg.Wait()
	st := c.Stats()
	if got, want := st.Hits-before.Hits, uint64(hits.Load()); got != want {
		t.Errorf("Hits grew by %d, want %d", got, want)
	}
	if got, want := st.Misses-before.Misses, uint64(misses.Load()); got != want {
		t.Errorf("Misses grew by %d, want %d", got, want)
	}
}

// TestStatsHitsNeverDecrease: snapshots taken while other goroutines
// update entries in place (recorded for the policy, not hits) never show
// more hits than there were, nor fewer than a previous snapshot. (A build
// that counted recorded hits by the read buffer's tail, minus recorded
// updates, reported phantom hits that later disappeared.)
func TestStatsHitsNeverDecrease(t *testing.T) {
	const size = 64
	c := MustNew(Options[int, int]{MaximumSize: size * 4})
	defer c.Close()
	for k := range size * 3 {
		c.Set(k, k)
	}
	c.CleanUp()
	c.Get(0)
	if !c.recordReads.Load() {
		t.Fatal("the cache does not record reads")
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				c.Set((g*7+i)%size, i)
			}
		})
	}
	defer wg.Wait()
	defer stop.Store(true)
	var prev uint64
	for deadline := time.Now().Add(100 * time.Millisecond); time.Now().Before(deadline); {
		h := c.Stats().Hits
		if h < prev || h > 1 {
			t.Fatalf("Hits %d after %d; the only hit was one Get", h, prev)
		}
		prev = h
	}
}

func TestClearNotifies(t *testing.T) {
	var log evictionLog[int, int]
	c := MustNew(Options[int, int]{MaximumSize: 1000, OnEviction: log.record})
	defer c.Close()
	for i := range 100 {
		c.Set(i, i)
	}
	c.Clear()
	c.CleanUp()
	if got := log.count(CauseExplicit); got != 100 {
		t.Fatalf("explicit notifications = %d", got)
	}
	keys := slices.Collect(maps.Keys(maps.Collect(c.All())))
	if len(keys) != 0 {
		t.Fatalf("entries after Clear: %v", keys)
	}
	// The cache keeps working after Clear.
	c.Set(1, 1)
	if v, ok := c.Get(1); !ok || v != 1 {
		t.Fatal("Set after Clear lost")
	}
}

func TestSetWithTTLOnCacheWithoutExpiry(t *testing.T) {
	clock := newFakeClock()
	var log evictionLog[string, int]
	c := MustNew(Options[string, int]{MaximumSize: 10, Clock: clock, OnEviction: log.record})
	defer c.Close()
	c.Set("k", 1)                     // a node without expiry fields
	c.SetWithTTL("k", 2, time.Minute) // must become one with them
	if v, ok := c.Get("k"); !ok || v != 2 {
		t.Fatalf("Get = %v, %v", v, ok)
	}
	if log.count(CauseReplaced) != 1 || c.Len() != 1 {
		t.Fatalf("replaced notifications %d, Len %d", log.count(CauseReplaced), c.Len())
	}
	clock.Advance(time.Minute)
	if _, ok := c.Get("k"); ok {
		t.Fatal("entry outlived its TTL")
	}
	c.CleanUp()
	if c.Len() != 0 {
		t.Fatalf("Len = %d after expiry", c.Len())
	}
	if st := c.Stats(); st.Replaced != 1 || st.Removed != 0 {
		t.Fatalf("stats = %+v", st)
	}
}

// An entry heavier than the whole bound is evicted on arrival; that must
// leave the policy's lists intact, so later entries are still evicted.
func TestOverweightEntryKeepsPolicyIntact(t *testing.T) {
	c := MustNew(Options[int, int]{
		MaximumWeight: 100,
		Weigher:       func(_ int, v int) uint32 { return uint32(v) },
	})
	defer c.Close()
	for i := range 20 {
		c.Set(i, 5)
	}
	c.CleanUp()
	checkPolicy(t, c)
	c.Set(1000, 500) // heavier than the bound: evicted at once
	c.CleanUp()
	checkPolicy(t, c)
	for i := range 200 {
		c.Set(2000+i, 5)
	}
	c.CleanUp()
	checkPolicy(t, c)
}

// Very long durations ("practically forever") must not overflow the
// deadline into the past.
func TestHugeDurationsDoNotOverflow(t *testing.T) {
	const forever = time.Duration(math.MaxInt64)
	for _, tt := range []struct {
		name string
		opts Options[string, int]
		ttl  time.Duration
	}{
		{"SetWithTTL", Options[string, int]{}, forever},
		{"ExpireAfterWrite", Options[string, int]{ExpireAfterWrite: forever}, 0},
		{"ExpireAfterAccess", Options[string, int]{ExpireAfterAccess: forever}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			tt.opts.Clock = clock
			c := MustNew(tt.opts)
			defer c.Close()
			clock.Advance(time.Hour)
			c.SetWithTTL("k", 1, tt.ttl)
			for range 3 {
				clock.Advance(time.Hour)
				c.CleanUp()
				if _, ok := c.Get("k"); !ok {
					t.Fatal("entry with a practically infinite lifetime expired")
				}
			}
		})
	}
}
