package httpserver

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"
)

// The paired comparisons alternate the implementations in short batches
// within one process and keep each one's fastest batch. On a machine shared
// with other work, a benchmark's mean measures the neighbours too; the
// fastest of many interleaved batches is the closest to the code's own
// cost. They run only with STDWEB_PAIRED=1:
//
//	STDWEB_PAIRED=1 go test -run Paired -v ./httpserver/
//
// The minimum leaves out batches in which the garbage collector ran, which
// flatters implementations that allocate (chi); the benchmarks include it.

func skipUnlessPaired(t *testing.T) {
	if os.Getenv("STDWEB_PAIRED") != "1" {
		t.Skip("set STDWEB_PAIRED=1 to run the paired comparisons")
	}
}

// fastest runs each function batch times per round for rounds rounds,
// interleaved, and returns each one's fastest time per call.
func fastest(rounds, batch int, fs ...func()) []time.Duration {
	mins := make([]time.Duration, len(fs))
	for i := range mins {
		mins[i] = time.Hour
	}
	for range rounds {
		for i, f := range fs {
			start := time.Now()
			for range batch {
				f()
			}
			mins[i] = min(mins[i], time.Since(start))
		}
	}
	for i := range mins {
		mins[i] /= time.Duration(batch)
	}
	return mins
}

func TestPairedRoute(t *testing.T) {
	skipUnlessPaired(t)
	ours, mux, chi := newOurs(), newServeMux(), newChi()
	for _, c := range cases {
		req := httptest.NewRequest("GET", c.path, nil)
		w := &discard{h: http.Header{}}
		serve := func(h http.Handler) func() {
			return func() {
				w.status = 0
				h.ServeHTTP(w, req)
				if w.status != http.StatusOK {
					t.Fatalf("%s: status %d", c.path, w.status)
				}
			}
		}
		m := fastest(400, 2000, serve(ours), serve(mux), serve(chi))
		t.Logf("Route/%-12s ours %v  servemux %v  chi %v  ours/servemux %.3f  ours/chi %.3f",
			c.name, m[0], m[1], m[2], float64(m[0])/float64(m[1]), float64(m[0])/float64(m[2]))
	}
}

func TestPairedEndToEnd(t *testing.T) {
	skipUnlessPaired(t)
	const clients = 8
	type target struct {
		url    string
		client *http.Client
		stop   func()
	}
	start := func(serve func(testing.TB, net.Listener) func()) target {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		tr := &http.Transport{MaxIdleConnsPerHost: clients}
		stop := serve(t, ln)
		return target{"http://" + ln.Addr().String() + "/users/42", &http.Client{Transport: tr, Timeout: 10 * time.Second},
			func() { tr.CloseIdleConnections(); stop() }}
	}
	// One batch: clients goroutines send batch requests in all.
	load := func(tg target, batch int) func() {
		return func() {
			var wg sync.WaitGroup
			for range clients {
				wg.Go(func() {
					for range batch / clients {
						if !fetch(t, tg.client, tg.url) {
							return
						}
					}
				})
			}
			wg.Wait()
		}
	}
	stack, router, bare, same, equal := start(serveStack), start(serveRouter), start(serveBare), start(serveBareSameHeaders), start(serveBareEqualWork)
	defer stack.stop()
	defer router.stop()
	defer bare.stop()
	defer same.stop()
	defer equal.stop()
	const batch = 400 // requests per batch; fastest below is per batch
	m := fastest(40, 1, load(stack, batch), load(router, batch), load(bare, batch), load(same, batch), load(equal, batch))
	rps := func(d time.Duration) float64 { return batch / d.Seconds() }
	t.Logf("EndToEnd stack %.0f req/s  router %.0f req/s  nethttp %.0f req/s  nethttp same headers %.0f req/s  nethttp equal work %.0f req/s",
		rps(m[0]), rps(m[1]), rps(m[2]), rps(m[3]), rps(m[4]))
	t.Logf("throughput: stack/nethttp %.3f  router/nethttp %.3f  stack/nethttp-same-headers %.3f  stack/nethttp-equal-work %.3f",
		rps(m[0])/rps(m[2]), rps(m[1])/rps(m[2]), rps(m[0])/rps(m[3]), rps(m[0])/rps(m[4]))
}
