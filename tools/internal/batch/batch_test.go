package batch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestRunnerPlain(t *testing.T) {
	var running, peak atomic.Int32
	step := func(name string, fail bool) Step {
		return Step{Name: name, Run: func(ctx context.Context, out io.Writer) error {
			n := running.Add(1)
			defer running.Add(-1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			time.Sleep(5 * time.Millisecond)
			fmt.Fprintf(out, "output of %s\n", name)
			if fail {
				return errors.New("exit status 1")
			}
			return nil
		}}
	}
	jobs := []Job{
		{Name: "a", Steps: []Step{step("vet", false), step("test", false)}},
		{Name: "b", Steps: []Step{step("vet", true), step("test", false)}},
		{Name: "c", Steps: []Step{step("vet", false), step("test", true)}},
		{Name: "d", Steps: []Step{step("vet", false)}},
	}
	var out bytes.Buffer
	r := &Runner{Limit: 2, Out: &out}
	results := r.Run(context.Background(), jobs)

	if got := peak.Load(); got > 2 {
		t.Errorf("peak concurrency %d, want <= 2", got)
	}
	wantErr := map[string]string{"a": "", "b": "vet", "c": "test", "d": ""}
	for _, res := range results {
		failedStep := ""
		if res.Err != nil {
			failedStep = res.Step
		}
		if failedStep != wantErr[res.Name] {
			t.Errorf("%s failed in %q, want %q", res.Name, failedStep, wantErr[res.Name])
		}
	}
	if strings.Contains(string(results[1].Output), "output of test") {
		t.Error("job b ran its test step after vet failed")
	}
	text := out.String()
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if last := lines[len(lines)-1]; last != "2 passed, 2 failed" {
		t.Errorf("last line %q, want %q", last, "2 passed, 2 failed")
	}
	for _, want := range []string{"=== b: FAIL in vet", "=== c: FAIL in test", "output of vet\noutput of test"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "=== a") || strings.Contains(text, "\x1b[") {
		t.Errorf("plain output shows a passing job or escape sequences:\n%s", text)
	}
}

func TestRunnerLive(t *testing.T) {
	var out bytes.Buffer
	r := &Runner{Out: &out, Live: true, Interval: time.Millisecond}
	jobs := []Job{{Name: "only", Steps: []Step{{Name: "work", Run: func(ctx context.Context, out io.Writer) error {
		time.Sleep(10 * time.Millisecond)
		return nil
	}}}}}
	r.Run(context.Background(), jobs)
	text := out.String()
	if !strings.Contains(text, "\x1b[1A") {
		t.Errorf("live output never moves the cursor up:\n%q", text)
	}
	if !strings.HasSuffix(text, "1 passed, 0 failed\n") {
		t.Errorf("live output does not end with the summary:\n%q", text)
	}
}

func TestCommand(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses sh")
	}
	var out bytes.Buffer
	ok := Command("echo", t.TempDir(), []string{"BATCH_TEST=hello"}, "sh", "-c", "echo $BATCH_TEST")
	if err := ok.Run(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "hello\n") {
		t.Errorf("output %q lacks the environment value", out.String())
	}
	bad := Command("fail", t.TempDir(), nil, "sh", "-c", "exit 3")
	err := bad.Run(context.Background(), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "exit status 3") {
		t.Errorf("err = %v, want exit status 3", err)
	}
}
