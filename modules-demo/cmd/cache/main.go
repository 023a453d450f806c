// Command cache is step 4 of the learning path: a cache in front of a slow
// function, with sessioncache/cache.
//
//	go run ./modules-demo/cmd/cache
//	curl localhost:8080/weather/paris      # slow the first time (a "remote API" call)...
//	curl localhost:8080/weather/paris      # ...instant the second time, from the cache
//	curl localhost:8080/burst/tokyo        # 20 concurrent requests for a cold key: one call
//	curl localhost:8080/stats              # hits, misses, loads
//
// What it shows:
//   - cache.New with a size bound (W-TinyLFU keeps the entries most likely
//     to be asked for again) and a time to live (ExpireAfterWrite).
//   - GetOrLoad: the loader runs on a miss only, and only once per key at a
//     time however many requests miss together (no thundering herd).
//   - Delete to drop an entry whose source changed.
//   - Stats: the hit ratio tells whether the cache earns its memory.
package main

import (
	"context"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/serverdev/stdweb/httpserver"
	"github.com/serverdev/stdweb/modules-demo/internal/setup"
	"github.com/serverdev/stdweb/sessioncache/cache"
)

func main() {
	// setup.Serve runs the handler like cmd/server does: flags, logs,
	// graceful shutdown on Ctrl-C.
	setup.Serve(func(*slog.Logger) (http.Handler, func(), error) {
		w := newWeather(500 * time.Millisecond)
		// Close ends loads in flight and the cache's goroutines.
		return w.handler(), w.cache.Close, nil
	})
}

// weather serves forecasts from a slow source through a cache.
type weather struct {
	delay time.Duration // how long the slow source takes
	calls atomic.Int64  // how often it was called
	cache *cache.Cache[string, string]
}

func newWeather(delay time.Duration) *weather {
	return &weather{
		delay: delay,
		cache: cache.MustNew(cache.Options[string, string]{
			MaximumSize:      1000,            // at most 1000 cities in memory
			ExpireAfterWrite: 2 * time.Minute, // a forecast is good for two minutes
		}),
	}
}

// fetch is the slow function: think of a call to a remote API or a heavy
// database query. It honors ctx, as every loader should.
func (w *weather) fetch(ctx context.Context, city string) (string, error) {
	w.calls.Add(1)
	select {
	case <-time.After(w.delay):
	case <-ctx.Done():
		return "", ctx.Err()
	}
	h := fnv.New32a()
	h.Write([]byte(city))
	return fmt.Sprintf("%s: %d°C, fetched at %s", city, int(h.Sum32()%35), time.Now().Format(time.TimeOnly)), nil
}

func (w *weather) handler() http.Handler {
	rt := httpserver.NewRouter(httpserver.RouterOptions{})

	rt.HandleFunc("GET /weather/{city}", func(rw http.ResponseWriter, r *http.Request) error {
		start := time.Now()
		forecast, err := w.cache.GetOrLoad(r.Context(), r.PathValue("city"), w.fetch)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(rw, "%s (answered in %s)\n", forecast, time.Since(start).Round(time.Microsecond))
		return err
	})

	// Many requests miss the same key at once: GetOrLoad runs one fetch
	// and the others wait for its result.
	rt.HandleFunc("GET /burst/{city}", func(rw http.ResponseWriter, r *http.Request) error {
		city := r.PathValue("city")
		w.cache.Delete(city) // start cold
		before := w.calls.Load()
		var wg sync.WaitGroup
		errs := make(chan error, 20)
		for range 20 {
			wg.Go(func() {
				_, err := w.cache.GetOrLoad(r.Context(), city, w.fetch)
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				return err
			}
		}
		_, err := fmt.Fprintf(rw, "20 concurrent requests for %s, %d call(s) of the slow function\n", city, w.calls.Load()-before)
		return err
	})

	// The source changed: drop the entry, the next request loads afresh.
	rt.HandleFunc("POST /weather/{city}/refresh", func(rw http.ResponseWriter, r *http.Request) error {
		w.cache.Delete(r.PathValue("city"))
		rw.WriteHeader(http.StatusNoContent)
		return nil
	})

	rt.HandleFunc("GET /stats", func(rw http.ResponseWriter, r *http.Request) error {
		s := w.cache.Stats()
		return httpserver.WriteJSON(rw, http.StatusOK, map[string]any{
			"entries": w.cache.Len(), "hits": s.Hits, "misses": s.Misses, "loads": s.Loads,
			"hit_ratio": s.HitRatio(), "slow_calls": w.calls.Load(),
		})
	})
	return rt
}
