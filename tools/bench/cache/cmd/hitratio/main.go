// Command hitratio replays cache traces through our cache and its peers
// and reports the hit ratio of each at each capacity.
//
// Every access is a Get; a miss is followed by a Set of the key (weight 1);
// hit ratio = hits / accesses. The single-goroutine replay settles each
// cache after every Set (maintenance runs synchronously), so a run depends
// only on the trace and on each cache's random hash seed. With -threads N,
// N goroutines share the trace (each takes the next accesses in order) and
// maintenance runs as the caches schedule it; the table then shows each
// concurrent policy's loss against its single-goroutine replay.
//
// Traces come from ../shared/traces beside the repository (override with
// -traces); "zipf" and "scrambled" are generated with fixed seeds. One SVG
// chart per trace goes to -svg (default sessioncache/cache/charts).
//
//	go run ./cache/cmd/hitratio                       # from tools/bench: every trace
//	go run ./cache/cmd/hitratio -trace oltp,zipf -threads 8
//	go run ./cache/cmd/hitratio -runs 3 -markdown   # tables for the README
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "hitratio:", err)
		os.Exit(1)
	}
}

type config struct {
	traces     string
	names      []string
	capacities []int
	policies   []string
	threads    int
	runs       int
	svgDir     string
	markdown   bool
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("hitratio", flag.ContinueOnError)
	var cfg config
	var traceList, capList, policyList string
	fs.StringVar(&cfg.traces, "traces", "", "directory of the trace files (default ../shared/traces from the repository root)")
	fs.StringVar(&traceList, "trace", "oltp,p3,gli,loop,zipf,scrambled", "comma-separated `traces` to replay")
	fs.StringVar(&capList, "capacities", "", "comma-separated capacities, overriding each trace's own")
	fs.StringVar(&policyList, "policies", "ours,otter,ristretto,lru,arc,optimal", "comma-separated `policies`")
	fs.IntVar(&cfg.threads, "threads", 1, "goroutines sharing each replay; above 1 also replays single-threaded to show the loss")
	fs.IntVar(&cfg.runs, "runs", 1, "replays to average for each randomized policy and capacity (caches seed their hashes at random)")
	fs.StringVar(&cfg.svgDir, "svg", "", "directory for the SVG charts (default sessioncache/cache/charts; \"-\" for none)")
	fs.BoolVar(&cfg.markdown, "markdown", false, "print the tables in markdown, ready for the README")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile to `file`")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	cfg.names = strings.Split(traceList, ",")
	cfg.policies = strings.Split(policyList, ",")
	for _, p := range cfg.policies {
		if !slices.ContainsFunc(policies, func(q policy) bool { return q.name == p }) {
			return fmt.Errorf("unknown policy %q", p)
		}
	}
	if capList != "" {
		for _, s := range strings.Split(capList, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || n <= 0 {
				return fmt.Errorf("bad capacity %q", s)
			}
			cfg.capacities = append(cfg.capacities, n)
		}
	}
	if cfg.threads < 1 || cfg.runs < 1 {
		return errors.New("-threads and -runs must be at least 1")
	}
	root, err := repoRoot()
	if cfg.traces == "" || cfg.svgDir == "" {
		if err != nil {
			return err
		}
	}
	if cfg.traces == "" {
		cfg.traces = filepath.Join(root, "..", "shared", "traces")
	}
	if cfg.svgDir == "" {
		cfg.svgDir = filepath.Join(root, "sessioncache", "cache", "charts")
	}
	for _, name := range cfg.names {
		i := slices.IndexFunc(workloads, func(w workload) bool { return w.name == name })
		if i < 0 {
			return fmt.Errorf("unknown trace %q", name)
		}
		if err := replayWorkload(cfg, workloads[i], out); err != nil {
			return err
		}
	}
	return nil
}

// repoRoot finds the repository root: the directory holding go.work, from
// the working directory upwards.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.work above the working directory; pass -traces and -svg")
		}
		dir = parent
	}
}

// result holds hit ratios by policy and capacity index.
type result struct {
	trace      string
	accesses   int
	capacities []int
	policies   []string
	ratio      map[string][]float64
	single     map[string][]float64 // single-threaded, when threads > 1
}

func replayWorkload(cfg config, w workload, out io.Writer) error {
	keys, err := w.load(cfg.traces)
	if err != nil {
		return fmt.Errorf("trace %s: %w", w.name, err)
	}
	caps := w.capacities
	if len(cfg.capacities) > 0 {
		caps = cfg.capacities
	}
	res := result{trace: w.name, accesses: len(keys), capacities: caps, ratio: map[string][]float64{}, single: map[string][]float64{}}
	var next []int
	for _, name := range cfg.policies {
		p := policies[slices.IndexFunc(policies, func(q policy) bool { return q.name == name })]
		if cfg.threads > 1 && !p.concurrent {
			continue
		}
		res.policies = append(res.policies, name)
		for _, capacity := range caps {
			var hits, single int
			runs := cfg.runs
			switch {
			case p.new == nil:
				if next == nil {
					next = nextUses(keys)
				}
				hits, runs = belady(keys, next, capacity), 1
			case cfg.threads > 1:
				for range runs {
					hits += replayConcurrent(p.new(capacity), keys, cfg.threads)
					single += replay(p.new(capacity), keys)
				}
				res.single[name] = append(res.single[name], ratio(single, runs*len(keys)))
			default:
				for range runs {
					hits += replay(p.new(capacity), keys)
				}
			}
			res.ratio[name] = append(res.ratio[name], ratio(hits, runs*len(keys)))
		}
	}
	printTable(out, res, cfg.threads, cfg.runs, cfg.markdown)
	if cfg.svgDir != "-" && cfg.threads == 1 {
		if err := os.MkdirAll(cfg.svgDir, 0o755); err != nil {
			return err
		}
		path := filepath.Join(cfg.svgDir, w.name+".svg")
		if err := os.WriteFile(path, chart(res), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(out, "chart: %s\n\n", path)
	}
	return nil
}

func ratio(hits, n int) float64 { return 100 * float64(hits) / float64(max(n, 1)) }

// replay runs the trace on one goroutine, settling after every Set.
func replay(c simCache, keys []uint64) int {
	defer c.close()
	hits := 0
	for _, k := range keys {
		if c.Get(k) {
			hits++
		} else {
			c.Set(k)
			c.settle()
		}
	}
	return hits
}

// replayConcurrent shares the trace among goroutines that take the next
// accesses in order, in small chunks.
func replayConcurrent(c simCache, keys []uint64, threads int) int {
	defer c.close()
	const chunk = 16
	var pos, hits atomic.Int64
	var wg sync.WaitGroup
	for range threads {
		wg.Go(func() {
			local := 0
			for {
				end := int(pos.Add(chunk))
				start := end - chunk
				if start >= len(keys) {
					break
				}
				for _, k := range keys[start:min(end, len(keys))] {
					if c.Get(k) {
						local++
					} else {
						c.Set(k)
					}
				}
			}
			hits.Add(int64(local))
		})
	}
	wg.Wait()
	return int(hits.Load())
}

// printTable writes one trace's hit ratios as aligned text, or with
// markdown as a README-ready table and list.
func printTable(out io.Writer, r result, threads, runs int, markdown bool) {
	mode := "single goroutine"
	if threads > 1 {
		mode = fmt.Sprintf("%d goroutines", threads)
	}
	if runs > 1 {
		mode += fmt.Sprintf(", mean of %d runs", runs)
	}
	if threads > 1 {
		mode += " (change vs single goroutine in parentheses)"
	}
	cell := func(p string, i int) string {
		if threads > 1 {
			return fmt.Sprintf("%.2f (%+.2f)", r.ratio[p][i], r.ratio[p][i]-r.single[p][i])
		}
		return fmt.Sprintf("%.2f", r.ratio[p][i])
	}
	if markdown {
		fmt.Fprintf(out, "**%s** (%s accesses; %s; hit ratio %%)\n\n| capacity |", r.trace, thousands(r.accesses), mode)
		for _, p := range r.policies {
			fmt.Fprintf(out, " %s |", p)
		}
		fmt.Fprintf(out, "\n|---:|%s\n", strings.Repeat("---:|", len(r.policies)))
		for i, capacity := range r.capacities {
			fmt.Fprintf(out, "| %d |", capacity)
			for _, p := range r.policies {
				fmt.Fprintf(out, " %s |", cell(p, i))
			}
			fmt.Fprintln(out)
		}
		fmt.Fprintln(out)
	} else {
		fmt.Fprintf(out, "trace %s: %d accesses, hit ratio %%, %s\n", r.trace, r.accesses, mode)
		w := 10
		if threads > 1 {
			w = 18
		}
		fmt.Fprintf(out, "%10s", "capacity")
		for _, p := range r.policies {
			fmt.Fprintf(out, " %*s", w, p)
		}
		fmt.Fprintln(out)
		for i, capacity := range r.capacities {
			fmt.Fprintf(out, "%10d", capacity)
			for _, p := range r.policies {
				fmt.Fprintf(out, " %*s", w, cell(p, i))
			}
			fmt.Fprintln(out)
		}
	}
	bullet := ""
	if markdown {
		bullet = "- "
	}
	ours := r.ratio["ours"]
	if ours == nil {
		fmt.Fprintln(out)
		return
	}
	for _, peer := range r.policies {
		if peer == "ours" || peer == "optimal" {
			continue
		}
		var sum float64
		worst, worstCap := 1e9, 0
		for i := range ours {
			d := ours[i] - r.ratio[peer][i]
			sum += d
			if d < worst {
				worst, worstCap = d, r.capacities[i]
			}
		}
		fmt.Fprintf(out, "%sours - %s: average %+.2f pp, worst %+.2f pp (capacity %d)\n", bullet, peer, sum/float64(len(ours)), worst, worstCap)
	}
	if threads > 1 {
		var worst float64
		for i := range ours {
			worst = min(worst, ours[i]-r.single["ours"][i])
		}
		fmt.Fprintf(out, "%sours, %d goroutines vs 1: worst %+.2f pp\n", bullet, threads, worst)
	}
	fmt.Fprintln(out)
}

// thousands formats n with commas between groups of three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
