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
	"strings"
	"time"

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
fails with the module named and the diff shown. The last line is
"N passed, N failed".`

func runIsolate(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "isolate", "[-j N] [-keep] [module...]", isolateDescription)
	jobs := fs.Int("j", defaultJobs(), "modules checked at a time")
	keep := fs.Bool("keep", false, "keep the temporary directory (proxy, copies) and print its path")
	if code := parseFlags(e, fs, args); code >= 0 {
		return code
	}
	if *jobs < 1 {
		return usageErr(e, "isolate", "-j must be at least 1")
	}
	ws, err := workspace.Open(e.dir)
	if err != nil {
		return fail(e, "isolate", err)
	}
	mods, err := ws.Select(fs.Args())
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
	iso, err := newIsolation(ws, tmp)
	if err != nil {
		return fail(e, "isolate", err)
	}
	fmt.Fprintf(e.stdout, "proxy: %s\n", strings.Join(iso.served, ", "))

	jobList := make([]batch.Job, len(mods))
	for i, m := range mods {
		jobList[i] = iso.job(m)
	}
	r := &batch.Runner{Limit: *jobs, Out: e.stdout, Live: e.live}
	code := exitOK
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
	env    []string
	sums   []string // go.sum lines of the proxy's modules
	served []string // path@version of the proxy's modules
	prefix string   // common path prefix of the workspace modules
}

// newIsolation writes the proxy of sibling versions under tmp and prepares
// the environment of the isolated builds.
func newIsolation(ws *workspace.Workspace, tmp string) (*isolation, error) {
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
	iso.env = []string{
		"GOWORK=off",
		"GOPROXY=" + strings.Join(proxies, ","),
		"GONOSUMDB=" + iso.prefix,
		"GOMODCACHE=" + filepath.Join(tmp, "modcache"),
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
	dir := filepath.Join(iso.tmp, "modules", filepath.FromSlash(m.Folder))
	return batch.Job{Name: m.Folder, Steps: []batch.Step{
		{Name: "copy", Run: func(ctx context.Context, out io.Writer) error {
			return iso.copyModule(dir, m)
		}},
		{Name: "tidy", Run: func(ctx context.Context, out io.Writer) error {
			return iso.checkTidy(ctx, out, dir)
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
	var b bytes.Buffer
	for line := range strings.Lines(string(old)) {
		if !iso.ownSumLine(line) {
			b.WriteString(line)
		}
	}
	for _, s := range iso.sums {
		b.WriteString(s + "\n")
	}
	return os.WriteFile(sumPath, b.Bytes(), 0o644)
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
func (iso *isolation) checkTidy(ctx context.Context, out io.Writer, dir string) error {
	var buf bytes.Buffer
	err := batch.RunCommand(ctx, &buf, dir, iso.env, "go", "mod", "tidy", "-diff")
	if err == nil {
		return nil
	}
	if ee := (*exec.ExitError)(nil); !errors.As(err, &ee) && !strings.Contains(err.Error(), "exit status") {
		out.Write(buf.Bytes())
		return err
	}
	diff, changed := significantDiff(buf.String(), iso.ownSumLine)
	out.Write([]byte(diff))
	if changed == 0 {
		return nil
	}
	fmt.Fprintf(out, "\ngo.mod/go.sum are not what \"go mod tidy\" makes them when the module is built alone:\n"+
		"apply the lines above (+ add, - remove) to %s's go.mod/go.sum\n", strings.TrimPrefix(dir, iso.tmp+string(filepath.Separator)+"modules"+string(filepath.Separator)))
	return fmt.Errorf("go mod tidy -diff: %d line(s) to change", changed)
}

// significantDiff filters the output of go mod tidy -diff: in go.sum
// sections it drops the added or removed lines for which ignore is true,
// and it drops sections left without a change. It returns the remaining
// text and the number of changed lines left.
func significantDiff(diff string, ignore func(line string) bool) (string, int) {
	var (
		out     strings.Builder
		section strings.Builder
		changed int // in all kept sections
		n       int // in the current section
		inSum   bool
	)
	flush := func() {
		if n > 0 {
			out.WriteString(section.String())
			changed += n
		}
		section.Reset()
		n = 0
	}
	for line := range strings.Lines(diff) {
		line = strings.TrimSuffix(line, "\n")
		switch {
		case strings.HasPrefix(line, "diff "):
			flush()
			inSum = strings.HasSuffix(line, "go.sum")
		case strings.HasPrefix(line, "--- "), strings.HasPrefix(line, "+++ "), strings.HasPrefix(line, "@@"):
		case strings.HasPrefix(line, "+"), strings.HasPrefix(line, "-"):
			if inSum && ignore(line[1:]) {
				continue
			}
			n++
		}
		section.WriteString(line + "\n")
	}
	flush()
	return out.String(), changed
}
