package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/serverdev/stdweb/tools/internal/benchcmp"
	"github.com/serverdev/stdweb/tools/internal/workspace"
)

const benchModule = "tools/bench"

const benchDescription = `Bench runs the comparison benchmarks of one suite, a package of the
tools/bench module (httpserver, cookies, cache, sessions, redisstore), as

	go test -run '^$' -bench <pattern> -benchmem -count <N> [-benchtime d] [-cpu list] [extra] ./<suite>/

inside tools/bench. The raw output is streamed to the terminal and saved
under -out; then a benchstat table compares ours with each peer, and one
line per comparison follows:

	ratio ours/<peer> <benchmark> = <x>

where <x> is ours' mean time per operation over the peer's (below 1: ours is
faster). The last "/"-element of a benchmark name is the implementation
("ours" or the peer's short name); <benchmark> is the name without
"Benchmark", without that element and without the -N GOMAXPROCS suffix,
which is kept only when several -cpu values were given (Get-1, Get-4).

With -hitratio (cache suite only), it runs the hit-ratio simulator instead:
"go run ./cache/cmd/hitratio [args]" inside tools/bench, with every argument
after the suite.

Examples:

	go tool ws bench cookies
	go tool ws bench -count 10 -benchtime 200ms httpserver
	go tool ws bench -bench 'Get' -cpu 1,2 cache -- -timeout 20m
	go tool ws bench cache -hitratio -h`

type benchFlags struct {
	pattern, benchtime, cpu, out string
	count                        int
	quiet, hitratio              bool
}

func runBench(ctx context.Context, e *env, args []string) int {
	var bf benchFlags
	fs := newFlagSet(e, "bench", "[flags] <suite> [-- go test flags]\n       go tool ws bench cache -hitratio [simulator args]", benchDescription)
	fs.StringVar(&bf.pattern, "bench", ".", "benchmark `regexp` passed to go test -bench")
	fs.IntVar(&bf.count, "count", 6, "runs of each benchmark")
	fs.StringVar(&bf.benchtime, "benchtime", "", "go test -benchtime `d` (default: go test's 1s)")
	fs.StringVar(&bf.cpu, "cpu", "", "go test -cpu `list`")
	fs.StringVar(&bf.out, "out", "", "directory for the raw output `dir` (default tools/bench/results)")
	fs.BoolVar(&bf.quiet, "q", false, "do not stream the raw output, print only the comparison")
	fs.BoolVar(&bf.hitratio, "hitratio", false, "run the cache hit-ratio simulator instead (suite cache)")

	// "-hitratio" hands every later argument to the simulator; flags may
	// come before and after the suite, go test flags after "--".
	var extra []string
	if i := slices.IndexFunc(args, func(a string) bool { return a == "-hitratio" || a == "--hitratio" }); i >= 0 {
		bf.hitratio = true
		args, extra = args[:i], args[i+1:]
	}
	if code := parseFlags(e, fs, args); code >= 0 {
		return code
	}
	rest := fs.Args()
	if len(rest) == 0 && bf.hitratio && len(extra) > 0 {
		rest, extra = extra[:1], extra[1:]
	}
	if len(rest) == 0 || rest[0] == "--" {
		fs.SetOutput(e.stderr)
		fs.Usage()
		return exitUsage
	}
	suite, rest := rest[0], rest[1:]
	for len(rest) > 0 {
		if rest[0] == "--" {
			extra, rest = append(extra, rest[1:]...), nil
			break
		}
		if !strings.HasPrefix(rest[0], "-") {
			return usageErr(e, "bench", "one suite at a time: unexpected %q", rest[0])
		}
		if code := parseFlags(e, fs, rest); code >= 0 {
			return code
		}
		rest = fs.Args()
	}
	if bf.count < 1 {
		return usageErr(e, "bench", "-count must be at least 1")
	}

	ws, err := workspace.Open(e.dir)
	if err != nil {
		return fail(e, "bench", err)
	}
	mod, ok := ws.Lookup(benchModule)
	if !ok {
		return fail(e, "bench", fmt.Errorf("the workspace has no %s module", benchModule))
	}
	suites, err := benchSuites(mod.Dir)
	if err != nil {
		return fail(e, "bench", err)
	}
	if !slices.Contains(suites, suite) {
		return usageErr(e, "bench", "unknown suite %q (suites: %s)", suite, strings.Join(suites, ", "))
	}
	if bf.hitratio {
		return runHitRatio(ctx, e, mod.Dir, suite, extra)
	}

	argv := []string{"go", "test", "-run", "^$", "-bench", bf.pattern, "-benchmem", "-count", fmt.Sprint(bf.count)}
	if bf.benchtime != "" {
		argv = append(argv, "-benchtime", bf.benchtime)
	}
	if bf.cpu != "" {
		argv = append(argv, "-cpu", bf.cpu)
	}
	argv = append(argv, extra...)
	argv = append(argv, "./"+suite+"/")

	outDir := bf.out
	if outDir == "" {
		outDir = filepath.Join(mod.Dir, "results")
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return fail(e, "bench", err)
	}
	rawPath := filepath.Join(outDir, fmt.Sprintf("%s-%s.txt", suite, time.Now().UTC().Format("20060102T150405Z")))
	raw, err := os.Create(rawPath)
	if err != nil {
		return fail(e, "bench", err)
	}
	defer raw.Close()

	fmt.Fprintf(e.stderr, "ws bench: in %s: %s\nws bench: raw output: %s\n", mod.Dir, shellJoin(argv), rawPath)
	var w io.Writer = raw
	if !bf.quiet {
		w = io.MultiWriter(raw, e.stdout)
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = mod.Dir
	cmd.Stdout, cmd.Stderr = w, w
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	runErr := cmd.Run()
	if err := raw.Close(); err != nil {
		return fail(e, "bench", err)
	}
	if runErr != nil {
		if bf.quiet {
			// The failure is in the raw output, which -q kept off the screen.
			if data, err := os.ReadFile(rawPath); err == nil {
				fmt.Fprintf(e.stderr, "%s\n", lastLines(string(data), 40))
			}
		}
		// Benchmarks that finished before the failure still compare.
		report(e, rawPath)
		return fail(e, "bench", fmt.Errorf("go test: %w (raw output in %s)", runErr, rawPath))
	}
	return report(e, rawPath)
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// report prints the comparison of the benchmark output in path.
func report(e *env, path string) int {
	f, err := os.Open(path)
	if err != nil {
		return fail(e, "bench", err)
	}
	defer f.Close()
	rep, err := benchcmp.Parse(f)
	if err != nil {
		return fail(e, "bench", err)
	}
	fmt.Fprintln(e.stdout)
	if err := rep.Write(e.stdout); err != nil {
		return fail(e, "bench", err)
	}
	if len(rep.Ratios()) == 0 {
		// Progress is read off the ratio lines: a run without one (a -bench
		// pattern that matched nothing, a benchmark renamed away from the
		// convention) must not pass for a measurement.
		return fail(e, "bench", errors.New("no comparison found (benchmark names end in /ours and /<peer>)"))
	}
	return exitOK
}

// runHitRatio runs the cache hit-ratio simulator with args.
func runHitRatio(ctx context.Context, e *env, benchDir, suite string, args []string) int {
	const pkg = "./cache/cmd/hitratio"
	if suite != "cache" {
		return usageErr(e, "bench", "-hitratio belongs to the cache suite, not %q", suite)
	}
	if fi, err := os.Stat(filepath.Join(benchDir, filepath.FromSlash(pkg))); err != nil || !fi.IsDir() {
		return fail(e, "bench", fmt.Errorf("the hit-ratio simulator %s does not exist (yet) in %s", pkg, benchDir))
	}
	cmd := exec.CommandContext(ctx, "go", append([]string{"run", pkg}, args...)...)
	cmd.Dir = benchDir
	cmd.Stdout, cmd.Stderr = e.stdout, e.stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	if err := cmd.Run(); err != nil {
		if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
			return exitFail
		}
		return fail(e, "bench", err)
	}
	return exitOK
}

// benchSuites lists the suites of the bench module in dir: its
// subdirectories that hold Go files, at any depth.
func benchSuites(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var suites []string
	for _, ent := range entries {
		name := ent.Name()
		if !ent.IsDir() || name == "results" || name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
			continue
		}
		if hasGoFiles(filepath.Join(dir, name)) {
			suites = append(suites, name)
		}
	}
	return suites, nil
}

// hasGoFiles reports whether the tree at dir holds a .go file.
func hasGoFiles(dir string) bool {
	found := errors.New("found")
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".go") {
			return found
		}
		return nil
	})
	return errors.Is(err, found)
}

// shellJoin quotes argv for display.
func shellJoin(argv []string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		if a == "" || strings.ContainsAny(a, " \t'\"$^*?[]{}()|&;<>\\") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		q[i] = a
	}
	return strings.Join(q, " ")
}
