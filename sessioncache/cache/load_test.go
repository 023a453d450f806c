package cache

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

func TestGetOrLoadOneLoadPerKey(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := MustNew(Options[string, int]{MaximumSize: 100})
		defer c.Close()
		var calls atomic.Int32
		release := make(chan struct{})
		loader := func(ctx context.Context, k string) (int, error) {
			calls.Add(1)
			<-release
			return len(k), nil
		}
		var wg sync.WaitGroup
		results := make([]int, 20)
		for i := range results {
			wg.Go(func() {
				v, err := c.GetOrLoad(t.Context(), "four", loader)
				if err != nil {
					t.Error(err)
				}
				results[i] = v
			})
		}
		synctest.Wait()
		close(release)
		wg.Wait()
		if calls.Load() != 1 {
			t.Fatalf("loader ran %d times", calls.Load())
		}
		for _, v := range results {
			if v != 4 {
				t.Fatalf("result %d, want 4", v)
			}
		}
		if v, ok := c.Get("four"); !ok || v != 4 {
			t.Fatal("loaded value not cached")
		}
		if st := c.Stats(); st.Loads != 1 {
			t.Fatalf("Loads = %d", st.Loads)
		}
	})
}

func TestGetOrLoadWaiterLeavesLoadContinues(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := MustNew(Options[string, int]{})
		defer c.Close()
		release := make(chan struct{})
		var loadCtxErr error
		loader := func(ctx context.Context, k string) (int, error) {
			<-release
			loadCtxErr = ctx.Err()
			return 7, nil
		}
		ctx, cancel := context.WithCancel(t.Context())
		errc := make(chan error)
		go func() {
			_, err := c.GetOrLoad(ctx, "k", loader)
			errc <- err
		}()
		synctest.Wait()
		cancel()
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Fatalf("canceled waiter got %v", err)
		}
		close(release)
		v, err := c.GetOrLoad(t.Context(), "k", loader)
		if err != nil || v != 7 {
			t.Fatalf("GetOrLoad = %v, %v", v, err)
		}
		if loadCtxErr != nil {
			t.Fatalf("the shared load saw its context end: %v", loadCtxErr)
		}
	})
}

func TestGetOrLoadInvalidationDuringLoad(t *testing.T) {
	for _, op := range []string{"delete", "set", "clear"} {
		t.Run(op, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := MustNew(Options[string, int]{MaximumSize: 10})
				defer c.Close()
				release := make(chan struct{})
				loader := func(ctx context.Context, k string) (int, error) {
					<-release
					return 1, nil // stale by the time it returns
				}
				done := make(chan int)
				go func() {
					v, _ := c.GetOrLoad(t.Context(), "k", loader)
					done <- v
				}()
				synctest.Wait()
				switch op {
				case "delete":
					c.Delete("k")
				case "set":
					c.Set("k", 2)
				case "clear":
					c.Clear()
				}
				close(release)
				if v := <-done; v != 1 {
					t.Fatalf("waiter got %d, want the loaded 1", v)
				}
				v, ok := c.Get("k")
				switch {
				case op == "set" && (!ok || v != 2):
					t.Fatalf("Get = %v, %v; want the value Set during the load", v, ok)
				case op != "set" && ok:
					t.Fatalf("stale load resurrected %v after %s", v, op)
				}
			})
		})
	}
}

func TestGetOrLoadErrorsAreNotCached(t *testing.T) {
	c := MustNew(Options[string, int]{})
	defer c.Close()
	boom := errors.New("boom")
	n := 0
	loader := func(ctx context.Context, k string) (int, error) {
		n++
		if n == 1 {
			return 0, boom
		}
		if n == 2 {
			panic("kaboom")
		}
		return 3, nil
	}
	if _, err := c.GetOrLoad(t.Context(), "k", loader); !errors.Is(err, boom) {
		t.Fatalf("first load error = %v", err)
	}
	if _, err := c.GetOrLoad(t.Context(), "k", loader); !errors.Is(err, ErrLoaderPanic) {
		t.Fatalf("panicking load error = %v", err)
	}
	if v, err := c.GetOrLoad(t.Context(), "k", loader); err != nil || v != 3 {
		t.Fatalf("third load = %v, %v", v, err)
	}
	if st := c.Stats(); st.LoadFailures != 2 || st.Loads != 1 {
		t.Fatalf("stats = %+v", st)
	}
}

func TestRefreshAfterWrite(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := MustNew(Options[string, int]{RefreshAfterWrite: time.Minute, ExpireAfterWrite: time.Hour})
		defer c.Close()
		var calls atomic.Int32
		release := make(chan struct{}, 1)
		loader := func(ctx context.Context, k string) (int, error) {
			n := calls.Add(1)
			if n > 1 {
				<-release
			}
			return int(n), nil
		}
		if v, _ := c.GetOrLoad(t.Context(), "k", loader); v != 1 {
			t.Fatalf("first = %d", v)
		}
		time.Sleep(2 * time.Minute)
		for range 5 { // old value served at once; one reload starts
			if v, err := c.GetOrLoad(t.Context(), "k", loader); err != nil || v != 1 {
				t.Fatalf("during refresh = %v, %v", v, err)
			}
		}
		synctest.Wait()
		if calls.Load() != 2 {
			t.Fatalf("loader calls = %d, want 2", calls.Load())
		}
		release <- struct{}{}
		synctest.Wait()
		if v, _ := c.Get("k"); v != 2 {
			t.Fatalf("after refresh = %d, want 2", v)
		}
	})
}

func TestRefreshDoesNotOverwriteNewerSet(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := MustNew(Options[string, int]{RefreshAfterWrite: time.Minute})
		defer c.Close()
		release := make(chan struct{})
		c.Set("k", 1)
		time.Sleep(2 * time.Minute)
		c.GetOrLoad(t.Context(), "k", func(ctx context.Context, k string) (int, error) {
			<-release
			return 100, nil
		})
		synctest.Wait()
		c.Set("k", 2)
		close(release)
		synctest.Wait()
		if v, _ := c.Get("k"); v != 2 {
			t.Fatalf("Get = %d; the refresh overwrote a newer Set", v)
		}
	})
}

func TestLoadAll(t *testing.T) {
	c := MustNew(Options[int, string]{MaximumSize: 100})
	defer c.Close()
	c.Set(1, "one")
	var asked []int
	loader := func(ctx context.Context, keys []int) (map[int]string, error) {
		asked = append(asked, keys...)
		m := make(map[int]string)
		for _, k := range keys {
			if k != 4 { // 4 does not exist at the origin
				m[k] = fmt.Sprint(k)
			}
		}
		return m, nil
	}
	got, err := c.LoadAll(t.Context(), []int{1, 2, 3, 2, 4}, loader)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]string{1: "one", 2: "2", 3: "3"}
	if !maps.Equal(got, want) {
		t.Fatalf("LoadAll = %v, want %v", got, want)
	}
	if len(asked) != 3 {
		t.Fatalf("loader asked for %v", asked)
	}
	// 1 hit; 2, 3 and 4 missed, each once although 2 was asked for twice.
	if st := c.Stats(); st.Hits != 1 || st.Misses != 3 {
		t.Fatalf("Stats: %d hits, %d misses; want 1 and 3", st.Hits, st.Misses)
	}
	if v, ok := c.Get(3); !ok || v != "3" {
		t.Fatal("bulk-loaded value not cached")
	}
	boom := errors.New("boom")
	_, err = c.LoadAll(t.Context(), []int{10}, func(context.Context, []int) (map[int]string, error) { return nil, boom })
	if !errors.Is(err, boom) {
		t.Fatalf("LoadAll error = %v", err)
	}
}

func TestCloseStopsLoads(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := MustNew(Options[string, int]{})
		started := make(chan struct{}, 2)
		blocked := func(ctx context.Context, k string) (int, error) {
			started <- struct{}{}
			<-ctx.Done()
			return 0, ctx.Err()
		}
		ctx, cancel := context.WithCancel(t.Context())
		go c.GetOrLoad(ctx, "a", blocked)
		go c.LoadAll(ctx, []string{"b"}, func(ctx context.Context, k []string) (map[string]int, error) {
			_, err := blocked(ctx, k[0])
			return nil, err
		})
		<-started
		<-started
		cancel() // the waiters leave; the loads keep running
		synctest.Wait()
		c.Close() // cancels the loads and waits for their goroutines
		if _, err := c.GetOrLoad(t.Context(), "c", blocked); !errors.Is(err, ErrClosed) {
			t.Fatalf("GetOrLoad after Close = %v", err)
		}
		if _, err := c.LoadAll(t.Context(), []string{"c"}, nil); !errors.Is(err, ErrClosed) {
			t.Fatalf("LoadAll after Close = %v", err)
		}
		c.Close() // idempotent
		// synctest.Test fails if any goroutine of the bubble is left.
	})
}

// A reload of an expired entry must still fill the cache when a maintenance
// pass removes the expired entry while the loader runs: nothing wrote the key.
func TestGetOrLoadExpiredEntryRemovedDuringLoad(t *testing.T) {
	for _, bounded := range []bool{false, true} {
		t.Run(fmt.Sprint("bounded=", bounded), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				opts := Options[string, int]{ExpireAfterWrite: time.Minute}
				if bounded {
					opts.MaximumSize = 10
				}
				c := MustNew(opts)
				defer c.Close()
				c.Set("k", 1)
				time.Sleep(2 * time.Minute)
				release := make(chan struct{})
				var calls atomic.Int32
				loader := func(ctx context.Context, k string) (int, error) {
					calls.Add(1)
					<-release
					return 2, nil
				}
				done := make(chan int)
				go func() {
					v, _ := c.GetOrLoad(t.Context(), "k", loader)
					done <- v
				}()
				synctest.Wait()
				c.CleanUp() // expires the old entry while the load runs
				close(release)
				if v := <-done; v != 2 {
					t.Fatalf("waiter got %d, want 2", v)
				}
				if v, ok := c.Get("k"); !ok || v != 2 {
					t.Fatalf("Get = %v, %v; the reload was not cached", v, ok)
				}
				// An expired entry removed and then written again must still
				// win over the load.
				time.Sleep(2 * time.Minute)
				release = make(chan struct{})
				go func() {
					v, _ := c.GetOrLoad(t.Context(), "k", loader)
					done <- v
				}()
				synctest.Wait()
				c.CleanUp()
				c.Set("k", 3)
				close(release)
				<-done
				if v, ok := c.Get("k"); !ok || v != 3 {
					t.Fatalf("Get = %v, %v; want the value Set during the load", v, ok)
				}
			})
		})
	}
}

// A Set that races the end of a load (the load's store and the Set's
// in-place update of the same node) must never be overwritten by the load.
func TestGetOrLoadStoreRacesInPlaceSet(t *testing.T) {
	c := MustNew(Options[int, int]{RefreshAfterWrite: time.Nanosecond})
	defer c.Close()
	for i := range 3000 {
		c.Set(i, 0)
		started := make(chan struct{})
		release := make(chan struct{})
		loaded := make(chan struct{})
		c.GetOrLoad(context.Background(), i, func(ctx context.Context, k int) (int, error) {
			defer close(loaded)
			close(started)
			<-release
			return 1, nil // stale: computed before the Set below
		})
		<-started
		var wg sync.WaitGroup
		wg.Go(func() { close(release); <-loaded })
		wg.Go(func() { c.Set(i, 2) })
		wg.Wait()
		// Wait for the load to finish storing (or not).
		for {
			s := c.shardFor(c.hash(i))
			s.mu.Lock()
			_, busy := s.calls[i]
			s.mu.Unlock()
			if !busy {
				break
			}
			runtime.Gosched()
		}
		if v, _ := c.Get(i); v != 2 {
			t.Fatalf("iteration %d: Get = %d; a load started before Set overwrote it", i, v)
		}
	}
}

// TestLoadAllListenerJoinsLoad checks that the maintenance a LoadAll hit
// can run, and with it the eviction listener, happens after LoadAll has
// started the loads it registered: a listener that asks for one of those
// keys joins the load instead of waiting on one that has not begun.
func TestLoadAllListenerJoinsLoad(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := newFakeClock()
		const missing = 1000
		var c *Cache[int, int]
		var joined atomic.Int32
		c = MustNew(Options[int, int]{
			MaximumSize:      256,
			ExpireAfterWrite: time.Hour,
			Clock:            clock,
			OnEviction: func(k, v int, cause EvictionCause) {
				if cause != CauseExpired {
					return
				}
				if v, err := c.GetOrLoad(t.Context(), missing, func(context.Context, int) (int, error) {
					t.Error("the listener's GetOrLoad started a second load")
					return 0, nil
				}); err != nil || v != -missing {
					t.Errorf("listener's GetOrLoad = %d, %v; want %d", v, err, -missing)
				}
				joined.Add(1)
			},
		})
		defer c.Close()
		keys := []int{missing}
		for k := range 200 {
			c.Set(k, k)
			keys = append(keys, k)
		}
		c.SetWithTTL(-1, -1, time.Second)
		clock.Advance(time.Minute)
		got, err := c.LoadAll(t.Context(), keys, func(_ context.Context, ks []int) (map[int]int, error) {
			m := make(map[int]int, len(ks))
			for _, k := range ks {
				m[k] = -k
			}
			return m, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(keys) || got[missing] != -missing || got[7] != 7 {
			t.Fatalf("LoadAll returned %d values, %v for the missing key", len(got), got[missing])
		}
		if joined.Load() != 1 {
			t.Fatalf("the listener ran %d times on the expired entry; the test needs it once", joined.Load())
		}
	})
}

// TestLoadAllListenerDuringBulkStore checks that storing a bulk load's
// values runs the eviction listener only after every key's waiters are
// released: a listener that the first store's eviction runs, asking for the
// second key, gets the loaded value instead of waiting on a load that only
// the storing goroutine would complete.
func TestLoadAllListenerDuringBulkStore(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const a, b = 100, 101
		var c *Cache[int, int]
		var asked atomic.Int32
		c = MustNew(Options[int, int]{
			MaximumSize: 10,
			OnEviction: func(k, v int, cause EvictionCause) {
				if cause != CauseSize || asked.Add(1) != 1 {
					return
				}
				v, err := c.GetOrLoad(t.Context(), b, func(context.Context, int) (int, error) {
					t.Error("the listener's GetOrLoad started a second load")
					return 0, nil
				})
				if err != nil || v != -b {
					t.Errorf("listener's GetOrLoad = %d, %v; want %d", v, err, -b)
				}
			},
		})
		defer c.Close()
		for k := range 10 {
			c.Set(k, k)
		}
		c.CleanUp()
		got, err := c.LoadAll(t.Context(), []int{a, b}, func(_ context.Context, ks []int) (map[int]int, error) {
			m := make(map[int]int, len(ks))
			for _, k := range ks {
				m[k] = -k
			}
			return m, nil
		})
		if err != nil || got[a] != -a || got[b] != -b {
			t.Fatalf("LoadAll = %v, %v", got, err)
		}
		c.CleanUp()
		if asked.Load() == 0 {
			t.Fatal("no entry was evicted; the test needs the listener to run")
		}
	})
}
