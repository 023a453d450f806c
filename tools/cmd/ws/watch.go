//go:build unix

package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/serverdev/stdweb/tools/internal/watch"
	"github.com/serverdev/stdweb/tools/internal/workspace"
)

const watchDescription = `Watch is nodemon for this workspace: it builds a program (go build -o <temp>
<-build>), starts it with the arguments after "--", and rebuilds and
restarts it whenever a .go (not _test.go), go.mod, go.sum, go.work, template
(.html, .tmpl) or static (.css, .js) file changes in the directories of the
packages it is built from (go list -deps, recomputed after each build; -all
for the whole workspace). Polling; bursts of changes are debounced.

A failed build is printed and the running program keeps running. On a good
build the old program gets SIGINT (to its process group), -grace to exit,
then SIGKILL; the watcher waits until its listening ports are free (-port, or
detected through /proc on Linux) and starts the new one. Ctrl-C stops both.

Examples:

	go tool ws watch -build ./modules-demo/cmd/sns
	go tool ws watch -build ./modules-demo/cmd/sns -grace 5s -- -addr 127.0.0.1:8080`

func runWatch(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "watch", "[-build ./path] [-grace 2s] [-port N] [-- program args]", watchDescription)
	build := fs.String("build", ".", "package to build and run, relative to the current directory")
	grace := fs.Duration("grace", 2*time.Second, "time between SIGINT and SIGKILL")
	port := fs.Int("port", 0, "TCP port to wait for before restarting (default: detect)")
	poll := fs.Duration("poll", 300*time.Millisecond, "polling interval")
	debounce := fs.Duration("debounce", 200*time.Millisecond, "quiet time after a change before rebuilding")
	all := fs.Bool("all", false, "rebuild on any watched file of the workspace, not only the program's packages")
	if code := parseFlags(e, fs, args); code >= 0 {
		return code
	}
	if *grace <= 0 || *poll <= 0 || *debounce <= 0 || *port < 0 || *port > 65535 {
		return usageErr(e, "watch", "-grace, -poll and -debounce must be positive and -port a TCP port")
	}
	root := e.dir
	if ws, err := workspace.Open(e.dir); err == nil {
		root = ws.Root
	} else if !errors.Is(err, workspace.ErrNoWorkspace) {
		return fail(e, "watch", err)
	}
	cfg := watch.Config{
		Root:     root,
		Dir:      e.dir,
		Package:  *build,
		Args:     fs.Args(),
		Grace:    *grace,
		Poll:     *poll,
		Debounce: *debounce,
		AllFiles: *all,
		Stdout:   e.stdout,
		Stderr:   e.stderr,
	}
	if *port != 0 {
		cfg.Ports = []int{*port}
	}
	fmt.Fprintf(e.stderr, "[ws watch] watching %s; building %s\n", root, *build)
	if err := watch.Run(ctx, cfg); err != nil {
		return fail(e, "watch", err)
	}
	return exitOK
}
