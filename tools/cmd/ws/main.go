package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/serverdev/stdweb/tools/internal/term"
)

// Exit statuses scripts can rely on.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

// env is what a command may touch of the outside world, so that tests can
// run commands in-process.
type env struct {
	stdout, stderr io.Writer
	// dir is the working directory the command resolves the workspace from.
	dir string
	// live reports whether stdout is an interactive terminal.
	live bool
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) int
}

func commands() []command {
	return []command{
		{"test", "vet and race-test every workspace module (or the named ones)", runTest},
		{"isolate", "build and test each module alone, as a user importing it by version", runIsolate},
		{"release", "show each module's API change since its last release and the next version", runRelease},
		{"watch", "rebuild and restart a program whenever the workspace changes", runWatch},
		{"bench", "run one suite of comparison benchmarks and print benchstat and ratios", runBench},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string) int {
	dir, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ws:", err)
		return exitFail
	}
	e := &env{stdout: os.Stdout, stderr: os.Stderr, dir: dir, live: term.IsTerminal(os.Stdout)}
	return dispatch(ctx, e, args)
}

func dispatch(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		usage(e.stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		usage(e.stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, e, args[1:])
		}
	}
	fmt.Fprintf(e.stderr, "ws: unknown command %q\n\n", args[0])
	usage(e.stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "ws is the developer tool of the stdweb workspace.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage:")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "\tgo tool ws <command> [flags] [arguments]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "The commands are:")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "\t%-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Use \"go tool ws <command> -h\" for more about a command.")
	fmt.Fprintln(w, "Exit status: 0 success, 1 failure, 2 usage error.")
}

// newFlagSet returns a flag set for a command whose usage text is the given
// synopsis and description followed by the flag defaults.
func newFlagSet(e *env, name, synopsis, description string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "usage: go tool ws %s %s\n\n%s\n", name, synopsis, description)
		var n int
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprintln(w, "\nFlags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parseFlags parses args and returns the exit status to stop with, or -1 to
// go on. -h prints the help to stdout and stops with status 0.
func parseFlags(e *env, fs *flag.FlagSet, args []string) int {
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "-h" || a == "-help" || a == "--help" {
			fs.SetOutput(e.stdout)
			fs.Usage()
			return exitOK
		}
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	return -1
}

// parseInterleaved parses flags that may come before, between and after
// positional arguments, and returns the positional ones (everything after
// "--" included), or the exit status to stop with (-1 to go on).
func parseInterleaved(e *env, fs *flag.FlagSet, args []string) ([]string, int) {
	var pos []string
	for {
		if code := parseFlags(e, fs, args); code >= 0 {
			return nil, code
		}
		rest := fs.Args()
		switch {
		case len(rest) == 0:
			return pos, -1
		case rest[0] == "--":
			return append(pos, rest[1:]...), -1
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// usageErr prints a usage error for the named command and returns
// exitUsage.
func usageErr(e *env, name string, format string, args ...any) int {
	fmt.Fprintf(e.stderr, "ws %s: %s\n", name, fmt.Sprintf(format, args...))
	fmt.Fprintf(e.stderr, "run \"go tool ws %s -h\" for usage\n", name)
	return exitUsage
}

// fail prints an error for the named command and returns exitFail.
func fail(e *env, name string, err error) int {
	fmt.Fprintf(e.stderr, "ws %s: %v\n", name, err)
	return exitFail
}
