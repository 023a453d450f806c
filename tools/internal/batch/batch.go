package batch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/serverdev/stdweb/tools/internal/term"
	"golang.org/x/sync/errgroup"
)

// A Step is one stage of a job. Run writes everything it has to say to out.
type Step struct {
	Name string
	Run  func(ctx context.Context, out io.Writer) error
}

// A Job is a named sequence of steps.
type Job struct {
	Name  string
	Steps []Step
}

// Result is the outcome of one job.
type Result struct {
	Name    string
	Err     error  // nil when every step succeeded
	Step    string // the failing step, or the last step run
	Output  []byte // everything the steps wrote
	Elapsed time.Duration
}

// Runner runs jobs. The zero value runs two jobs at a time and writes plain
// lines to standard output.
type Runner struct {
	// Limit bounds how many jobs run at once; 0 means 2.
	Limit int
	// Out receives progress and results; nil means os.Stdout.
	Out io.Writer
	// Live redraws a progress table in place (for terminals) instead of
	// writing one line per event.
	Live bool
	// Verbose shows the output of passing jobs too.
	Verbose bool
	// Interval is how often the live table is redrawn; 0 means 200ms.
	Interval time.Duration
}

type state struct {
	step    string
	started time.Time
	done    bool
	res     Result
}

// Run runs the jobs and returns their results in the order of jobs. It
// writes the output of failing jobs (and of every job when Verbose) and a
// last line "N passed, N failed".
func (r *Runner) Run(ctx context.Context, jobs []Job) []Result {
	out := r.Out
	if out == nil {
		out = os.Stdout
	}
	limit := r.Limit
	if limit <= 0 {
		limit = 2
	}
	var (
		mu     sync.Mutex
		states = make([]*state, len(jobs))
	)
	for i := range states {
		states[i] = &state{step: "queued"}
	}
	event := func(format string, args ...any) {
		if !r.Live {
			mu.Lock()
			fmt.Fprintf(out, format+"\n", args...)
			mu.Unlock()
		}
	}

	var stopDraw func()
	if r.Live {
		stopDraw = r.drawLoop(out, jobs, states, &mu)
	}

	var g errgroup.Group
	g.SetLimit(limit)
	for i, job := range jobs {
		g.Go(func() error {
			st := states[i]
			start := time.Now()
			mu.Lock()
			st.started = start
			mu.Unlock()
			var buf lockedBuffer
			res := Result{Name: job.Name}
			for _, step := range job.Steps {
				mu.Lock()
				st.step = step.Name
				mu.Unlock()
				event("%-28s %s", job.Name, step.Name)
				res.Step = step.Name
				if err := ctx.Err(); err != nil {
					res.Err = err
					break
				}
				if err := step.Run(ctx, &buf); err != nil {
					res.Err = err
					break
				}
			}
			res.Output = buf.Bytes()
			res.Elapsed = time.Since(start)
			mu.Lock()
			st.done = true
			st.res = res
			mu.Unlock()
			if res.Err != nil {
				event("%-28s FAIL (%s) %s", job.Name, res.Step, round(res.Elapsed))
			} else {
				event("%-28s ok %s", job.Name, round(res.Elapsed))
			}
			return nil
		})
	}
	g.Wait()
	if stopDraw != nil {
		stopDraw()
	}

	results := make([]Result, len(jobs))
	passed, failed := 0, 0
	for i, st := range states {
		results[i] = st.res
		if st.res.Err != nil {
			failed++
		} else {
			passed++
		}
	}
	for _, res := range results {
		if res.Err == nil && !(r.Verbose && len(res.Output) > 0) {
			continue
		}
		status := "ok"
		if res.Err != nil {
			status = fmt.Sprintf("FAIL in %s: %v", res.Step, res.Err)
		}
		fmt.Fprintf(out, "\n=== %s: %s\n", res.Name, status)
		out.Write(res.Output)
		if len(res.Output) > 0 && res.Output[len(res.Output)-1] != '\n' {
			fmt.Fprintln(out)
		}
	}
	fmt.Fprintf(out, "%d passed, %d failed\n", passed, failed)
	return results
}

// drawLoop redraws the progress table until the returned function is
// called, which draws it a last time.
func (r *Runner) drawLoop(out io.Writer, jobs []Job, states []*state, mu *sync.Mutex) (stop func()) {
	interval := r.Interval
	if interval <= 0 {
		interval = 200 * time.Millisecond
	}
	drawn := 0
	draw := func() {
		mu.Lock()
		defer mu.Unlock()
		var b strings.Builder
		if drawn > 0 {
			fmt.Fprintf(&b, term.Up, drawn)
		}
		for i, st := range states {
			b.WriteString(term.ClearLine)
			var elapsed time.Duration
			status := st.step
			switch {
			case st.done && st.res.Err != nil:
				status, elapsed = "FAIL ("+st.res.Step+")", st.res.Elapsed
			case st.done:
				status, elapsed = "ok", st.res.Elapsed
			case !st.started.IsZero():
				status, elapsed = st.step+"…", time.Since(st.started)
			}
			el := ""
			if elapsed > 0 {
				el = round(elapsed).String()
			}
			fmt.Fprintf(&b, "%-28s %-16s %8s\n", jobs[i].Name, status, el)
		}
		drawn = len(states)
		io.WriteString(out, b.String())
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			draw()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() {
		close(done)
		<-finished
		draw()
	}
}

func round(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}

// lockedBuffer is a bytes.Buffer safe for the concurrent writes of a
// command's stdout and stderr.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}

// Command returns a step that runs a command in dir with the given extra
// environment (added to the current one), writing its combined output to
// the step's output. The step's error names the command and its exit
// status. When the context ends, the command gets an interrupt and, a few
// seconds later, is killed.
func Command(name, dir string, env []string, argv ...string) Step {
	return Step{Name: name, Run: func(ctx context.Context, out io.Writer) error {
		return RunCommand(ctx, out, dir, env, argv...)
	}}
}

// RunCommand runs argv in dir with env added to the environment, writing
// its combined output to out, and prints the command line first.
func RunCommand(ctx context.Context, out io.Writer, dir string, env []string, argv ...string) error {
	fmt.Fprintf(out, "$ %s\n", strings.Join(argv, " "))
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	if len(env) > 0 {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
			return fmt.Errorf("%s: %w", strings.Join(argv[:min(len(argv), 2)], " "), ee)
		}
		return fmt.Errorf("%s: %w", argv[0], err)
	}
	return nil
}
