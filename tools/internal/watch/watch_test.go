//go:build unix

package watch

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/serverdev/stdweb/tools/internal/filetree"
)

// server is a tiny program that answers every request with one line.
const server = `package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	flag.Parse()
	srv := &http.Server{Addr: *addr, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, %q)
	})}
	go func() {
		stop := make(chan os.Signal, 1)
		signal.Notify(stop, os.Interrupt)
		<-stop
		srv.Close()
	}()
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
`

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// waitFor polls cond every 50ms until it is true or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool, log fmt.Stringer) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; watcher log:\n%s", what, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestRunRebuildsAndRestarts(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program several times")
	}
	dir := t.TempDir()
	write := func(text string) {
		t.Helper()
		if err := filetree.Write(dir, map[string]string{"main.go": fmt.Sprintf(server, text)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := filetree.Write(dir, map[string]string{"go.mod": "module example.com/hello\n\ngo 1.26.0\n"}); err != nil {
		t.Fatal(err)
	}
	write("hello v1")

	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	var log syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Config{
			Root:     dir,
			Args:     []string{"-addr", addr},
			Env:      []string{"GOWORK=off", "GOFLAGS=-buildvcs=false"},
			Poll:     50 * time.Millisecond,
			Debounce: 100 * time.Millisecond,
			Grace:    time.Second,
			Stdout:   &log,
			Stderr:   &log,
		})
	}()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("Run did not return after cancel")
		}
	}()

	client := &http.Client{Timeout: time.Second}
	answer := func() string {
		resp, err := client.Get("http://" + addr)
		if err != nil {
			return ""
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return strings.TrimSpace(string(b))
	}
	waitFor(t, 30*time.Second, "hello v1", func() bool { return answer() == "hello v1" }, &log)

	// A file outside the program's packages does not rebuild it.
	builds := strings.Count(log.String(), "[ws watch] built")
	if err := filetree.Write(dir, map[string]string{"unused/unused.go": "package unused\n"}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	if n := strings.Count(log.String(), "[ws watch] built"); n != builds {
		t.Errorf("a file outside the program's packages caused %d rebuild(s):\n%s", n-builds, log.String())
	}

	// An edit is rebuilt and the new process answers.
	write("hello v2")
	waitFor(t, 30*time.Second, "hello v2", func() bool { return answer() == "hello v2" }, &log)

	// A broken edit keeps the old process running.
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nfunc main() { this is not Go }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the build failure", func() bool {
		return strings.Contains(log.String(), "the running program keeps running")
	}, &log)
	if got := answer(); got != "hello v2" {
		t.Errorf("after a failed build the program answers %q, want hello v2", got)
	}

	// A fix is picked up again.
	write("hello v3")
	waitFor(t, 30*time.Second, "hello v3", func() bool { return answer() == "hello v3" }, &log)
	if !strings.Contains(log.String(), "(SIGINT)") {
		t.Errorf("the old process was not stopped with SIGINT:\n%s", log.String())
	}

	// Cancel stops the program and frees the port.
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	done <- nil // for the deferred wait
	if got := answer(); got != "" {
		t.Errorf("after cancel the program still answers %q", got)
	}
}

func TestSnapshotDiffAndMatch(t *testing.T) {
	dir := t.TempDir()
	if err := filetree.Write(dir, map[string]string{
		"main.go":             "package main\n",
		"main_test.go":        "package main\n",
		"go.mod":              "module m\n",
		"web/index.html":      "<p>",
		"web/site.css":        "p{}",
		"notes.txt":           "not watched",
		".git/config":         "skipped",
		"node_modules/x.js":   "skipped",
		"tools/results/r.go":  "skipped",
		"templates/page.tmpl": "{{.}}",
	}); err != nil {
		t.Fatal(err)
	}
	s := take(dir, DefaultMatch)
	if len(s) != 5 {
		var names []string
		for p := range s {
			names = append(names, p)
		}
		t.Errorf("watched %d files %q, want 5", len(s), names)
	}
	later := time.Now().Add(time.Hour)
	os.Chtimes(filepath.Join(dir, "main.go"), later, later)
	os.Remove(filepath.Join(dir, "web", "site.css"))
	filetree.Write(dir, map[string]string{"extra.go": "package main\n", "notes.txt": "changed, not watched"})
	got := s.diff(take(dir, DefaultMatch))
	want := []string{filepath.Join(dir, "extra.go"), filepath.Join(dir, "main.go"), filepath.Join(dir, "web", "site.css")}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("diff = %q, want %q", got, want)
	}
}

func TestRelevant(t *testing.T) {
	root := filepath.Join(string(filepath.Separator), "ws")
	p := func(rel string) string { return filepath.Join(root, filepath.FromSlash(rel)) }
	w := &watcher{scope: []string{p("app"), p("lib")}}
	changed := []string{p("app/main.go"), p("app/web/page.html"), p("application/x.go"), p("other/y.go"), p("other/go.mod"), p("lib/lib.go")}
	got := w.relevant(changed)
	want := []string{p("app/main.go"), p("app/web/page.html"), p("other/go.mod"), p("lib/lib.go")}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("relevant = %q, want %q", got, want)
	}
	w.scope = nil
	if got := w.relevant(changed); len(got) != len(changed) {
		t.Errorf("without a scope relevant = %q, want every change", got)
	}
}

func TestRunBadRoot(t *testing.T) {
	if err := Run(context.Background(), Config{Root: filepath.Join(t.TempDir(), "missing")}); err == nil {
		t.Error("Run with a missing root succeeded")
	}
}
