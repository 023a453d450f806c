//go:build linux

package sessions

import (
	crand "crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/alexedwards/scs/v2/memstore"
	"github.com/serverdev/stdweb/sessioncache"
)

// TestGCLiveSessions fills each in-memory store with a million sessions of
// about 1 KB, then serves a steady load of requests on random sessions (9
// reads for each write) and reports the garbage collector's CPU time
// (runtime/metrics /cpu/classes/gc/total:cpu-seconds), its cycles, the
// cost of one forced full collection, and the heap bytes per session.
//
// It needs a few GB of memory and a minute, so it runs only with
// SESSIONS_GC=1 (SESSIONS_GC_N changes the number of sessions,
// SESSIONS_GC_REQUESTS the number of requests):
//
//	SESSIONS_GC=1 go test -run TestGCLiveSessions -v -timeout 30m ./sessions/
func TestGCLiveSessions(t *testing.T) {
	if os.Getenv("SESSIONS_GC") == "" {
		t.Skip("set SESSIONS_GC=1 to run (needs a few GB and a minute)")
	}
	sessions := envInt("SESSIONS_GC_N", 1_000_000)
	requests := envInt("SESSIONS_GC_REQUESTS", 200_000)

	results := make(map[string]gcResult)
	for _, name := range []string{"ours", "scs"} {
		t.Run(name, func(t *testing.T) {
			r := runGCLoad(t, name, sessions, requests)
			results[name] = r
			t.Logf("%s: %d sessions: heap %.0f bytes/session; %d requests in %v wall, %v CPU/request (GC included); GC CPU %.3f s in %d cycles; one forced full GC %v wall, %.3f s GC CPU",
				name, sessions, r.heapPerSession, requests, r.elapsed.Round(time.Millisecond), r.cpuPerRequest.Round(10*time.Nanosecond),
				r.gcCPU, r.cycles, r.forcedGC.Round(time.Microsecond), r.gcCPUPerCycle)
		})
	}
	ours, peer := results["ours"], results["scs"]
	if peer.gcCPU == 0 || ours.gcCPUPerCycle == 0 {
		return
	}
	// Ours may go through the whole load without a cycle: its sessions add
	// nothing to trace and its requests allocate little. The ratio then
	// uses one forced cycle as ours's cost, which understates the gap.
	oursCPU := max(ours.gcCPU, ours.gcCPUPerCycle)
	t.Logf("GC CPU under load scs/ours >= %.1fx (ours %d cycles, %.3f s; scs %d cycles, %.3f s); GC CPU per full cycle scs/ours = %.1fx; heap per session scs/ours = %.2fx",
		peer.gcCPU/oursCPU, ours.cycles, ours.gcCPU, peer.cycles, peer.gcCPU, peer.gcCPUPerCycle/ours.gcCPUPerCycle, peer.heapPerSession/ours.heapPerSession)
	if peer.gcCPU/oursCPU < 10 {
		t.Errorf("GC CPU time under load only %.1fx lower than scs's, want at least 10x", peer.gcCPU/oursCPU)
	}
}

type gcResult struct {
	heapPerSession float64
	elapsed        time.Duration
	cpuPerRequest  time.Duration // process CPU time, GC included
	gcCPU          float64       // seconds
	cycles         uint64
	forcedGC       time.Duration // wall time of one forced full collection
	gcCPUPerCycle  float64       // GC CPU seconds of one forced full collection
}

// tokenList holds n session tokens in one string.
type tokenList struct {
	all string
	n   int
}

func newTokens(n int) tokenList {
	var b strings.Builder
	b.Grow(n * 43)
	var raw [32]byte
	for range n {
		crand.Read(raw[:])
		b.WriteString(base64.RawURLEncoding.EncodeToString(raw[:]))
	}
	return tokenList{b.String(), n}
}

func (l tokenList) at(i int) string { return l.all[i*43 : (i+1)*43] }

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// readMetrics returns the GC CPU seconds, GC cycles and live heap bytes.
func readMetrics() (gcCPU float64, cycles uint64, heap uint64) {
	s := []metrics.Sample{
		{Name: "/cpu/classes/gc/total:cpu-seconds"},
		{Name: "/gc/cycles/total:gc-cycles"},
		{Name: "/memory/classes/heap/objects:bytes"},
	}
	metrics.Read(s)
	return s[0].Value.Float64(), s[1].Value.Uint64(), s[2].Value.Uint64()
}

// blob makes the sessions about 1 KB.
var blob = strings.Repeat("x", 900)

func runGCLoad(t *testing.T, name string, sessions, requests int) gcResult {
	values := map[string]any{"blob": blob}
	for k, v := range sessionValues {
		values[k] = v
	}
	// The tokens share one string, so that the harness adds no pointer per
	// session for the collector to trace.
	tokens := newTokens(sessions)
	deadline := time.Now().Add(24 * time.Hour)
	runtime.GC()
	debug.FreeOSMemory()
	_, _, heapBefore := readMetrics()

	var in impl
	switch name {
	case "ours":
		// Filled directly: a session is stored under the SHA-256 of its
		// token, each value JSON-encoded on its own.
		mem := sessioncache.NewMemoryStore(sessioncache.MemoryOptions{MaxBytes: -1})
		enc := make(map[string][]byte, len(values))
		for k, v := range values {
			enc[k], _ = json.Marshal(v)
		}
		for i := range tokens.n {
			tok := tokens.at(i)
			sum := sha256.Sum256([]byte(tok))
			rec := sessioncache.Record{Values: enc, Created: time.Now(), Deadline: deadline}
			if err := mem.Commit(t.Context(), base64.RawURLEncoding.EncodeToString(sum[:]), rec); err != nil {
				t.Fatal(err)
			}
		}
		in = newOurs(options{idle: time.Hour}, mem)
	case "scs":
		mem := memstore.NewWithCleanupInterval(0) // see newSCS
		for i := range tokens.n {
			tok := tokens.at(i)
			b, err := scs.GobCodec{}.Encode(deadline, values)
			if err != nil {
				t.Fatal(err)
			}
			mem.Commit(tok, b, deadline)
		}
		in = newSCS(options{idle: time.Hour}, mem)
	}
	defer in.close()

	runtime.GC()
	_, _, heapFull := readMetrics()
	res := gcResult{heapPerSession: float64(heapFull-heapBefore) / float64(sessions)}

	// The cost of full collections with the sessions live: the mean of a
	// few forced cycles, in wall time and GC CPU time.
	const forced = 3
	gcBefore, _, _ := readMetrics()
	start := time.Now()
	for range forced {
		runtime.GC()
	}
	res.forcedGC = time.Since(start) / forced
	gcAfter, _, _ := readMetrics()
	res.gcCPUPerCycle = (gcAfter - gcBefore) / forced

	h := in.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawQuery == "w" {
			in.put(r.Context(), "theme", "light")
			return
		}
		if in.getString(r.Context(), "name") != "Gopher" {
			t.Error("session lost")
		}
	}))
	gc0, cycles0, _ := readMetrics()
	cpu0 := processCPU(t)
	start = time.Now()
	const workers = 2
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			rw := newWriter()
			r := request(tokens.at(0))
			for i := range requests / workers {
				setCookie(r, tokens.at(rng.IntN(tokens.n)))
				r.URL.RawQuery = ""
				if i%10 == 0 {
					r.URL.RawQuery = "w"
				}
				rw.reset()
				h.ServeHTTP(rw, r)
			}
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.cpuPerRequest = (processCPU(t) - cpu0) / time.Duration(requests)
	gc1, cycles1, _ := readMetrics()
	res.gcCPU, res.cycles = gc1-gc0, cycles1-cycles0
	runtime.KeepAlive(tokens)
	return res
}
