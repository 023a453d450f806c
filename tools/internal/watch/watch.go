//go:build unix

package watch

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Config says what to watch, build and run. Only Root is required.
type Config struct {
	// Root is the directory tree watched for changes.
	Root string
	// Dir is where the build runs; empty means Root.
	Dir string
	// Package is the package built, relative to Dir; empty means ".".
	Package string
	// Args are the program's arguments.
	Args []string
	// Env is added to the environment of the build and of the program.
	Env []string
	// Match selects the watched files; nil means DefaultMatch.
	Match func(path string) bool
	// AllFiles makes every matching file under Root trigger a rebuild. By
	// default only files in the directories (and their subdirectories) of
	// the packages the program is built from, and any go.mod, go.sum or
	// go.work, do; the set is recomputed after each build with go list.
	AllFiles bool
	// Poll is the polling interval; 0 means 300ms.
	Poll time.Duration
	// Debounce is how long the tree must stay quiet after a change before
	// the rebuild; 0 means 200ms.
	Debounce time.Duration
	// Grace is how long the old program has between SIGINT and SIGKILL; 0
	// means 2s.
	Grace time.Duration
	// PortWait bounds the wait for the old program's ports to be free; 0
	// means 10s.
	PortWait time.Duration
	// Ports are TCP ports to wait for before starting the new program. When
	// empty, the ports the old program listens on are detected (Linux).
	Ports []int
	// Stdout and Stderr receive the program's output; nil means os.Stdout
	// and os.Stderr. The watcher's own messages and build errors go to
	// Stderr.
	Stdout, Stderr io.Writer
}

func (c *Config) defaults() {
	if abs, err := filepath.Abs(c.Root); err == nil {
		c.Root = abs
	}
	if c.Dir == "" {
		c.Dir = c.Root
	}
	if c.Package == "" {
		c.Package = "."
	}
	if c.Match == nil {
		c.Match = DefaultMatch
	}
	if c.Poll <= 0 {
		c.Poll = 300 * time.Millisecond
	}
	if c.Debounce <= 0 {
		c.Debounce = 200 * time.Millisecond
	}
	if c.Grace <= 0 {
		c.Grace = 2 * time.Second
	}
	if c.PortWait <= 0 {
		c.PortWait = 10 * time.Second
	}
	if c.Stdout == nil {
		c.Stdout = os.Stdout
	}
	if c.Stderr == nil {
		c.Stderr = os.Stderr
	}
}

// Run builds and starts the program, then rebuilds and restarts it on every
// change until ctx ends, when it stops the program and returns nil. It
// returns an error only when it cannot work at all (no temporary directory,
// no root).
func Run(ctx context.Context, cfg Config) error {
	cfg.defaults()
	if fi, err := os.Stat(cfg.Root); err != nil || !fi.IsDir() {
		return fmt.Errorf("watch: root %q is not a directory", cfg.Root)
	}
	tmp, err := os.MkdirTemp("", "ws-watch-")
	if err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	defer os.RemoveAll(tmp)

	w := &watcher{cfg: cfg, tmp: tmp}
	defer w.stop()
	snap := take(cfg.Root, cfg.Match)
	w.rebuild(ctx, nil)
	tick := time.NewTicker(cfg.Poll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-w.exited():
			w.logf("program exited: %v (waiting for a change)", w.proc.err)
			w.proc = nil
			continue
		case <-tick.C:
		}
		next := take(cfg.Root, cfg.Match)
		changed := w.relevant(snap.diff(next))
		snap = next
		if len(changed) == 0 {
			continue
		}
		// Debounce: wait until the tree has been quiet for cfg.Debounce.
		quietSince := time.Now()
		for time.Since(quietSince) < cfg.Debounce {
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(cfg.Poll / 2):
			}
			next = take(cfg.Root, cfg.Match)
			if more := w.relevant(snap.diff(next)); len(more) > 0 {
				changed = append(changed, more...)
				quietSince = time.Now()
			}
			snap = next
		}
		w.rebuild(ctx, changed)
	}
}

type watcher struct {
	cfg   Config
	tmp   string
	proc  *process
	build int
	scope []string // directories whose files matter; nil means all
}

// relevant returns the changed files that can affect the program.
func (w *watcher) relevant(changed []string) []string {
	if w.scope == nil {
		return changed
	}
	var out []string
	for _, p := range changed {
		switch filepath.Base(p) {
		case "go.mod", "go.sum", "go.work":
			out = append(out, p)
			continue
		}
		for _, dir := range w.scope {
			if p == dir || strings.HasPrefix(p, dir+string(filepath.Separator)) {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// updateScope lists the directories of the non-standard packages the
// program is built from. On failure the scope stays as it was.
func (w *watcher) updateScope(ctx context.Context) {
	if w.cfg.AllFiles {
		return
	}
	cmd := exec.CommandContext(ctx, "go", "list", "-deps", "-f", "{{if not .Standard}}{{.Dir}}{{end}}", w.cfg.Package)
	cmd.Dir = w.cfg.Dir
	cmd.Env = append(os.Environ(), w.cfg.Env...)
	out, err := cmd.Output()
	if err != nil {
		return
	}
	var dirs []string
	for _, d := range strings.Fields(string(out)) {
		dirs = append(dirs, filepath.Clean(d))
	}
	w.scope = dirs
}

func (w *watcher) logf(format string, args ...any) {
	fmt.Fprintf(w.cfg.Stderr, "[ws watch] "+format+"\n", args...)
}

// exited returns a channel closed when the running program ends on its
// own, or nil when none runs.
func (w *watcher) exited() <-chan struct{} {
	if w.proc == nil {
		return nil
	}
	return w.proc.done
}

// rebuild builds the program and, if the build succeeds, replaces the
// running one.
func (w *watcher) rebuild(ctx context.Context, changed []string) {
	if len(changed) > 0 {
		rel := make([]string, 0, 3)
		for _, p := range changed[:min(3, len(changed))] {
			if r, err := filepath.Rel(w.cfg.Root, p); err == nil {
				p = r
			}
			rel = append(rel, p)
		}
		more := ""
		if len(changed) > 3 {
			more = fmt.Sprintf(" and %d more", len(changed)-3)
		}
		w.logf("changed: %s%s", strings.Join(rel, ", "), more)
	}
	w.build++
	bin := filepath.Join(w.tmp, "prog-"+strconv.Itoa(w.build))
	start := time.Now()
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, w.cfg.Package)
	build.Dir = w.cfg.Dir
	build.Env = append(os.Environ(), w.cfg.Env...)
	out, err := build.CombinedOutput()
	if ctx.Err() != nil {
		return
	}
	if err != nil {
		w.cfg.Stderr.Write(out)
		if w.proc != nil {
			w.logf("build failed: %v; the running program keeps running", err)
		} else {
			w.logf("build failed: %v", err)
		}
		return
	}
	w.logf("built %s in %s", w.cfg.Package, time.Since(start).Round(time.Millisecond))
	w.updateScope(ctx)

	ports := w.cfg.Ports
	if w.proc != nil {
		if len(ports) == 0 {
			ports = listeningPorts(w.proc.cmd.Process.Pid)
		}
		w.stop()
		if err := waitPortsFree(ctx, ports, w.cfg.PortWait); err != nil {
			w.logf("%v; starting anyway", err)
		}
	}
	p, err := startProcess(bin, w.cfg)
	if err != nil {
		w.logf("start: %v", err)
		return
	}
	w.proc = p
	w.logf("started pid %d", p.cmd.Process.Pid)
	// Remove older binaries; the running one stays.
	old, _ := filepath.Glob(filepath.Join(w.tmp, "prog-*"))
	for _, o := range old {
		if o != bin {
			os.Remove(o)
		}
	}
}

// stop stops the running program, if any.
func (w *watcher) stop() {
	if w.proc == nil {
		return
	}
	pid := w.proc.cmd.Process.Pid
	if w.proc.stop(w.cfg.Grace) {
		w.logf("stopped pid %d (SIGINT)", pid)
	} else {
		w.logf("killed pid %d (no exit %s after SIGINT)", pid, w.cfg.Grace)
	}
	w.proc = nil
}

// process is a running program in its own process group.
type process struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when the program has exited
	err  error         // its exit status, once done
}

func startProcess(bin string, cfg Config) (*process, error) {
	cmd := exec.Command(bin, cfg.Args...)
	cmd.Dir = cfg.Dir
	cmd.Env = append(os.Environ(), cfg.Env...)
	cmd.Stdout, cmd.Stderr = cfg.Stdout, cfg.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// stop sends SIGINT to the process group, waits up to grace, then sends
// SIGKILL, and waits for the exit. It reports whether SIGINT sufficed.
func (p *process) stop(grace time.Duration) bool {
	pgid := p.cmd.Process.Pid
	select {
	case <-p.done:
		syscall.Kill(-pgid, syscall.SIGKILL) // leftover children, if any
		return true
	default:
	}
	syscall.Kill(-pgid, syscall.SIGINT)
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-p.done:
		syscall.Kill(-pgid, syscall.SIGKILL)
		return true
	case <-t.C:
	}
	syscall.Kill(-pgid, syscall.SIGKILL)
	<-p.done
	return false
}

// waitPortsFree waits until every port can be listened on again.
func waitPortsFree(ctx context.Context, ports []int, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for _, port := range ports {
		for {
			ln, err := net.Listen("tcp", ":"+strconv.Itoa(port))
			if err == nil {
				ln.Close()
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("port %d still busy after %s", port, limit)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	return nil
}
