package main

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/serverdev/stdweb/tools/internal/batch"
	"github.com/serverdev/stdweb/tools/internal/workspace"
)

const testHelp = `usage: go tool ws test [-j N] [go test flags] [module...] [-- go test flags]

Test runs "go vet ./..." and then "go test -race -count=1 ./..." in every
module of the workspace, or in the modules named by folder (cookies,
sessioncache/redisstore), at most -j modules at a time.

On a terminal it shows a live table (module, state, elapsed); otherwise it
prints one line per event. The full output of every failing module follows,
and the last line is "N passed, N failed", counting modules.

Flags other than -j and -h are passed to go test, as is everything after
"--" (for example -run Cookie, -short, -v, -timeout 2m). With -v the output
of passing modules is shown too. The build flags -tags, -mod, -modfile and
-overlay go to go vet as well. The environment (for example
STDWEB_REQUIRE_REDIS=1) is passed through.

Flags:
  -j N   modules tested at a time (default %d: the number of CPUs, at most 2)

Exit status: 0 when every module passed, 1 when one failed, 2 for a usage
error.
`

// goTestValueFlags are the go test and go build flags that take a value in
// the next argument when not written as -flag=value.
var goTestValueFlags = map[string]bool{
	"bench": true, "benchtime": true, "blockprofile": true, "blockprofilerate": true,
	"count": true, "covermode": true, "coverpkg": true, "coverprofile": true, "cpu": true,
	"cpuprofile": true, "fuzz": true, "fuzzminimizetime": true, "fuzztime": true, "list": true,
	"memprofile": true, "memprofilerate": true, "mutexprofile": true, "mutexprofilefraction": true,
	"outputdir": true, "parallel": true, "run": true, "shuffle": true, "skip": true,
	"timeout": true, "trace": true, "tags": true, "exec": true, "o": true, "vet": true,
	"ldflags": true, "gcflags": true, "asmflags": true, "p": true, "mod": true, "modfile": true,
	"overlay": true, "pkgdir": true, "toolexec": true, "pgo": true, "buildmode": true,
	"compiler": true, "installsuffix": true, "gccgoflags": true, "C": true,
}

// testArgs is the parsed command line of ws test.
type testArgs struct {
	jobs    int
	help    bool
	verbose bool
	pass    []string // flags for go test
	build   []string // the build flags among them, which go vet needs too
	modules []string
}

// vetBuildFlags are the build flags that change which files go vet sees.
var vetBuildFlags = map[string]bool{"tags": true, "mod": true, "modfile": true, "overlay": true}

func defaultJobs() int { return min(2, runtime.NumCPU()) }

// parseTestArgs splits the command line of ws test into its own flags, the
// flags passed to go test, and module names.
func parseTestArgs(args []string) (testArgs, error) {
	ta := testArgs{jobs: defaultJobs()}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			ta.pass = append(ta.pass, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			ta.modules = append(ta.modules, a)
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		switch name {
		case "h", "help":
			ta.help = true
			continue
		case "j":
			if !hasValue {
				if i+1 >= len(args) {
					return ta, fmt.Errorf("flag -j needs a value")
				}
				i++
				value = args[i]
			}
			n, err := strconv.Atoi(value)
			if err != nil || n < 1 {
				return ta, fmt.Errorf("flag -j: want a positive number, got %q", value)
			}
			ta.jobs = n
			continue
		case "v":
			ta.verbose = value == "" || value == "true"
		}
		flag := []string{a}
		if !hasValue && goTestValueFlags[name] {
			if i+1 >= len(args) {
				return ta, fmt.Errorf("flag %s needs a value", a)
			}
			i++
			flag = append(flag, args[i])
		}
		ta.pass = append(ta.pass, flag...)
		if vetBuildFlags[name] {
			ta.build = append(ta.build, flag...)
		}
	}
	return ta, nil
}

func runTest(ctx context.Context, e *env, args []string) int {
	ta, err := parseTestArgs(args)
	if err != nil {
		return usageErr(e, "test", "%v", err)
	}
	if ta.help {
		fmt.Fprintf(e.stdout, testHelp, defaultJobs())
		return exitOK
	}
	ws, err := workspace.Open(e.dir)
	if err != nil {
		return fail(e, "test", err)
	}
	mods, err := ws.Select(ta.modules)
	if err != nil {
		return usageErr(e, "test", "%v", err)
	}
	jobs := make([]batch.Job, len(mods))
	for i, m := range mods {
		testArgv := append([]string{"go", "test", "-race", "-count=1"}, ta.pass...)
		testArgv = append(testArgv, "./...")
		jobs[i] = batch.Job{Name: m.Folder, Steps: []batch.Step{
			batch.Command("vet", m.Dir, nil, slices.Concat([]string{"go", "vet"}, ta.build, []string{"./..."})...),
			batch.Command("test", m.Dir, nil, testArgv...),
		}}
	}
	r := &batch.Runner{Limit: ta.jobs, Out: e.stdout, Live: e.live, Verbose: ta.verbose}
	for _, res := range r.Run(ctx, jobs) {
		if res.Err != nil {
			return exitFail
		}
	}
	return exitOK
}
