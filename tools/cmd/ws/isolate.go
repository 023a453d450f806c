package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"

	"github.com/serverdev/stdweb/tools/internal/batch"
	"github.com/serverdev/stdweb/tools/internal/filetree"
	"github.com/serverdev/stdweb/tools/internal/modproxy"
	"github.com/serverdev/stdweb/tools/internal/workspace"
)

const isolateDescription = `Isolate proves that each module works on its own, the way a user who
imports it by version gets it.

It writes a temporary module proxy (golang.org/x/mod/zip) holding every
workspace module at each version its siblings require (the current tree's
content served under that version), and then, for each module (or the named
ones), in a copy of the module with GOWORK=off, GOPROXY=<that proxy>,<the
local module cache>,<GOPROXY>, GONOSUMDB=<the workspace's path prefix> and a
fresh module cache:

	go mod tidy -diff    go.mod and go.sum must already be tidy (only the
	                     go.sum lines of the workspace's own modules, which
	                     the tool supplies, are ignored)
	go build ./...
	go vet ./...
	go test -short -count=1 ./...

A missing require, a stale go.sum or a hidden dependency on the workspace
fails with the module named and the diff shown; -fix instead writes what
"go mod tidy" makes of go.mod and go.sum back to the module (go.sum without
the workspace modules' lines) and goes on. The last line is
"N passed, N failed".`

func runIsolate(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "isolate", "[-j N] [-keep] [-fresh] [-fix] [-v] [module...]", isolateDescription)
	jobs := fs.Int("j", defaultJobs(), "modules checked at a time")
	keep := fs.Bool("keep", false, "keep the temporary directory (proxy, copies) and print its path")
	fresh := fs.Bool("fresh", false, "use an empty module cache in the temporary directory instead of the tool's own")
	fix := fs.Bool("fix", false, "write what go mod tidy makes of go.mod and go.sum back to each untidy module (implies -v)")
	verbose := fs.Bool("v", false, "show the output of passing modules too")
	names, code := parseInterleaved(e, fs, args)
	if code >= 0 {
		return code
	}
	if *jobs < 1 {
		return usageErr(e, "isolate", "-j must be at least 1")
	}
	ws, err := workspace.Open(e.dir)
	if err != nil {
		return fail(e, "isolate", err)
	}
	mods, err := ws.Select(names)
	if err != nil {
		return usageErr(e, "isolate", "%v", err)
	}

	tmp, err := os.MkdirTemp("", "ws-isolate-")
	if err != nil {
		return fail(e, "isolate", err)
	}
	if *keep {
		fmt.Fprintf(e.stderr, "ws isolate: keeping %s\n", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	modcache := filepath.Join(tmp, "modcache")
	if !*fresh {
		dir, err := isolateModCache()
		if err != nil {
			fmt.Fprintf(e.stderr, "ws isolate: %v; using an empty module cache\n", err)
		} else if unlock, ok := lockDir(dir); ok {
			defer unlock()
			modcache = dir
		} else {
			fmt.Fprintf(e.stderr, "ws isolate: %s is in use by another run; using an empty module cache\n", dir)
		}
	}
	iso, err := newIsolation(ws, tmp, modcache)
	if err != nil {
		return fail(e, "isolate", err)
	}
	iso.fix = *fix
	fmt.Fprintf(e.stdout, "proxy: %s\n", strings.Join(iso.served, ", "))

	jobList := make([]batch.Job, len(mods))
	for i, m := range mods {
		jobList[i] = iso.job(m)
	}
	r := &batch.Runner{Limit: *jobs, Out: e.stdout, Live: e.live, Verbose: *verbose || *fix}
	code = exitOK
	for _, res := range r.Run(ctx, jobList) {
		if res.Err != nil {
			code = exitFail
		}
	}
	return code
}

// isolation is the shared setup of an isolate run.
type isolation struct {
	ws     *workspace.Workspace
	tmp    string
	fix    bool // write go mod tidy's result back to the modules
	env    []string
	sums   []string // go.sum lines of the proxy's modules
	served []string // path@version of the proxy's modules
	prefix string   // common path prefix of the workspace modules
}

// isolateModCache returns the module cache the isolated builds share from
// run to run. A cache of its own keeps third-party modules at the same paths,
// so the build cache serves them, while the workspace modules in it are
// replaced on each run (see purgeModCache).
func isolateModCache() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "stdweb-ws", "isolate-modcache"), nil
}

// purgeModCache removes the given module versions, extracted and
// downloaded, from the module cache at dir, so that the next build takes
// them from the proxy again.
func purgeModCache(dir string, mods []module.Version) error {
	for _, m := range mods {
		path, err := module.EscapePath(m.Path)
		if err != nil {
			return err
		}
		version, err := module.EscapeVersion(m.Version)
		if err != nil {
			return err
		}
		if err := os.RemoveAll(filepath.Join(dir, filepath.FromSlash(path)+"@"+version)); err != nil {
			return err
		}
		dl, _ := filepath.Glob(filepath.Join(dir, "cache", "download", filepath.FromSlash(path), "@v", version+".*"))
		for _, f := range dl {
			if err := os.Remove(f); err != nil {
				return err
			}
		}
	}
	return nil
}

// newIsolation writes the proxy of sibling versions under tmp, clears them
// from the module cache modcache, and prepares the environment of the
// isolated builds.
func newIsolation(ws *workspace.Workspace, tmp, modcache string) (*isolation, error) {
	iso := &isolation{ws: ws, tmp: tmp, prefix: pathPrefix(ws)}
	var served []modproxy.Module
	for _, v := range ws.SiblingRequires() {
		sib, _ := ws.ByPath(v.Path)
		served = append(served, modproxy.Module{Path: v.Path, Version: v.Version, Dir: sib.Dir})
		iso.served = append(iso.served, v.String())
	}
	proxyDir := filepath.Join(tmp, "proxy")
	sums, err := modproxy.Write(proxyDir, served, time.Now())
	if err != nil {
		return nil, err
	}
	iso.sums = sums
	if err := purgeModCache(modcache, ws.SiblingRequires()); err != nil {
		return nil, fmt.Errorf("clearing the workspace modules from %s: %w", modcache, err)
	}

	gomodcache, err := goEnv("GOMODCACHE")
	if err != nil {
		return nil, err
	}
	proxies := []string{modproxy.URL(proxyDir)}
	if gomodcache != "" {
		// The local module cache, in proxy layout, saves downloads.
		proxies = append(proxies, modproxy.URL(filepath.Join(gomodcache, "cache", "download")))
	}
	upstream := os.Getenv("GOPROXY")
	if upstream == "" {
		upstream = "https://proxy.golang.org,direct"
	}
	proxies = append(proxies, upstream)

	var goflags []string
	for _, f := range strings.Fields(os.Getenv("GOFLAGS")) {
		if !strings.HasPrefix(f, "-mod=") && !strings.HasPrefix(f, "--mod=") {
			goflags = append(goflags, f)
		}
	}
	goflags = append(goflags, "-modcacherw")
	// The go command indexes the packages of the module cache once per
	// directory, taking a module version to be immutable. This cache serves
	// new content under the same versions on every run, so the index is off.
	godebug := "goindex=0"
	if g := os.Getenv("GODEBUG"); g != "" {
		godebug = g + "," + godebug
	}
	iso.env = []string{
		"GODEBUG=" + godebug,
		"GOWORK=off",
		"GOPROXY=" + strings.Join(proxies, ","),
		"GONOSUMDB=" + iso.prefix,
		"GOMODCACHE=" + modcache,
		"GOFLAGS=" + strings.Join(goflags, " "),
	}
	return iso, nil
}

// goEnv returns the value of a go env variable.
func goEnv(name string) (string, error) {
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		return "", fmt.Errorf("go env %s: %w", name, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// pathPrefix returns the longest slash-separated prefix shared by the
// workspace's module paths ("github.com/serverdev/stdweb").
func pathPrefix(ws *workspace.Workspace) string {
	var prefix []string
	for i, m := range ws.Modules {
		parts := strings.Split(m.Path, "/")
		if i == 0 {
			prefix = parts
			continue
		}
		n := 0
		for n < len(prefix) && n < len(parts) && prefix[n] == parts[n] {
			n++
		}
		prefix = prefix[:n]
	}
	return strings.Join(prefix, "/")
}

// job returns the isolate steps of module m.
func (iso *isolation) job(m workspace.Module) batch.Job {
	// Each copy stands alone: no sibling, not even a parent module, next to it.
	dir := filepath.Join(iso.tmp, "modules", strings.ReplaceAll(m.Folder, "/", "_"), filepath.Base(m.Dir))
	return batch.Job{Name: m.Folder, Steps: []batch.Step{
		{Name: "copy", Run: func(ctx context.Context, out io.Writer) error {
			return iso.copyModule(dir, m)
		}},
		{Name: "tidy", Run: func(ctx context.Context, out io.Writer) error {
			return iso.checkTidy(ctx, out, dir, m)
		}},
		batch.Command("build", dir, iso.env, "go", "build", "./..."),
		batch.Command("vet", dir, iso.env, "go", "vet", "./..."),
		batch.Command("test", dir, iso.env, "go", "test", "-short", "-count=1", "./..."),
	}}
}

// copyModule copies module m to dir, without nested modules, and puts the
// proxy's go.sum lines in place of any the module has for its siblings.
func (iso *isolation) copyModule(dir string, m workspace.Module) error {
	skip := func(rel string) bool {
		if strings.HasPrefix(filepath.Base(rel), ".") {
			return true
		}
		_, err := os.Stat(filepath.Join(m.Dir, filepath.FromSlash(rel), "go.mod"))
		return err == nil
	}
	if err := filetree.Copy(dir, m.Dir, skip); err != nil {
		return err
	}
	sumPath := filepath.Join(dir, "go.sum")
	old, err := os.ReadFile(sumPath)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	var lines []string
	for line := range strings.Lines(string(old)) {
		if line = strings.TrimSpace(line); line != "" && !iso.ownSumLine(line) {
			lines = append(lines, line)
		}
	}
	lines = append(lines, iso.sums...)
	slices.SortStableFunc(lines, compareSumLines)
	return os.WriteFile(sumPath, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
}

// compareSumLines orders go.sum lines as the go command writes them: by
// module path, then by version (a version's go.mod line after its zip
// line).
func compareSumLines(a, b string) int {
	af, bf := strings.Fields(a), strings.Fields(b)
	if len(af) < 2 || len(bf) < 2 {
		return strings.Compare(a, b)
	}
	if c := strings.Compare(af[0], bf[0]); c != 0 {
		return c
	}
	av, amod := strings.CutSuffix(af[1], "/go.mod")
	bv, bmod := strings.CutSuffix(bf[1], "/go.mod")
	if c := semver.Compare(av, bv); c != 0 {
		return c
	}
	switch {
	case amod == bmod:
		return 0
	case amod:
		return 1
	}
	return -1
}

// ownSumLine reports whether a go.sum line is about a workspace module.
func (iso *isolation) ownSumLine(line string) bool {
	f := strings.Fields(line)
	if len(f) == 0 {
		return false
	}
	_, ok := iso.ws.ByPath(f[0])
	return ok
}

// checkTidy runs go mod tidy -diff in dir and fails when it reports any
// change other than to the go.sum lines of workspace modules.
func (iso *isolation) checkTidy(ctx context.Context, out io.Writer, dir string, m workspace.Module) error {
	var buf bytes.Buffer
	err := batch.RunCommand(ctx, &buf, dir, iso.env, "go", "mod", "tidy", "-diff")
	if err == nil {
		return nil
	}
	if ee := (*exec.ExitError)(nil); !errors.As(err, &ee) || !hasDiff(buf.String()) {
		// Not a diff but an error (an unresolvable import, a network
		// failure): it must not pass for a tidy module.
		out.Write(buf.Bytes())
		return err
	}
	diff, changed := significantDiff(buf.String(), iso.ownSumLine)
	out.Write([]byte(diff))
	if changed == 0 {
		return nil
	}
	if iso.fix {
		return iso.fixModule(ctx, out, dir, m)
	}
	fmt.Fprintf(out, "\ngo.mod/go.sum of %s are not what \"go mod tidy\" makes them when the module is built alone:\n"+
		"apply the lines above (+ add, - remove), or run \"go tool ws isolate -fix %s\"\n", m.Folder, m.Folder)
	return fmt.Errorf("go mod tidy -diff: %d line(s) to change", changed)
}

// fixModule runs go mod tidy in the copy dir and writes the resulting
// go.mod, and go.sum without the lines of workspace modules, back to the
// module.
func (iso *isolation) fixModule(ctx context.Context, out io.Writer, dir string, m workspace.Module) error {
	if err := batch.RunCommand(ctx, out, dir, iso.env, "go", "mod", "tidy"); err != nil {
		return err
	}
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return err
	}
	sum, err := os.ReadFile(filepath.Join(dir, "go.sum"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	var kept strings.Builder
	for line := range strings.Lines(string(sum)) {
		if !iso.ownSumLine(line) {
			kept.WriteString(line)
		}
	}
	if err := os.WriteFile(filepath.Join(m.Dir, "go.mod"), gomod, 0o644); err != nil {
		return err
	}
	sumPath := filepath.Join(m.Dir, "go.sum")
	if kept.Len() == 0 {
		if err := os.Remove(sumPath); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	} else if err := os.WriteFile(sumPath, []byte(kept.String()), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(out, "fixed: wrote the tidy go.mod and go.sum of %s\n", m.Folder)
	return nil
}

// hasDiff reports whether the output of go mod tidy -diff holds a diff.
func hasDiff(output string) bool {
	for line := range strings.Lines(output) {
		if strings.HasPrefix(line, "diff ") {
			return true
		}
	}
	return false
}

// significantDiff filters the output of go mod tidy -diff. In go.sum
// sections it drops the added or removed lines for which ignore is true and
// the lines that are only moved (removed and added alike); it drops the
// sections left without a change. It returns the remaining text and the
// number of changed lines left.
func significantDiff(diff string, ignore func(line string) bool) (string, int) {
	var (
		out     strings.Builder
		changed int
		section []string
		inSum   bool
	)
	flush := func() {
		removed, added := map[string]bool{}, map[string]bool{}
		for _, l := range section {
			if strings.HasPrefix(l, "-") && !strings.HasPrefix(l, "--- ") {
				removed[l[1:]] = true
			} else if strings.HasPrefix(l, "+") && !strings.HasPrefix(l, "+++ ") {
				added[l[1:]] = true
			}
		}
		var kept []string
		n := 0
		for _, l := range section {
			isChange := (strings.HasPrefix(l, "-") && !strings.HasPrefix(l, "--- ")) ||
				(strings.HasPrefix(l, "+") && !strings.HasPrefix(l, "+++ "))
			if isChange && inSum && (ignore(l[1:]) || (removed[l[1:]] && added[l[1:]])) {
				continue
			}
			if isChange {
				n++
			}
			kept = append(kept, l)
		}
		if n > 0 {
			for _, l := range kept {
				out.WriteString(l + "\n")
			}
			changed += n
		}
		section = section[:0]
	}
	for line := range strings.Lines(diff) {
		line = strings.TrimSuffix(line, "\n")
		if strings.HasPrefix(line, "diff ") {
			flush()
			inSum = strings.HasSuffix(line, "go.sum")
		}
		section = append(section, line)
	}
	flush()
	return out.String(), changed
}
