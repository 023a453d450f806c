package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/serverdev/stdweb/tools/internal/filetree"
)

// writeFiles writes files (slash paths relative to root, contents) under root.
func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	if err := filetree.Write(root, files); err != nil {
		t.Fatal(err)
	}
}

// newWorkspace creates a workspace in a temporary directory with a go.work
// that uses the given module folders, each a module example.com/<folder>
// with the given extra files.
func newWorkspace(t *testing.T, modules []string, files map[string]string) string {
	t.Helper()
	t.Setenv("GOWORK", "")
	t.Setenv("GOFLAGS", "-buildvcs=false")
	root := t.TempDir()
	work := "go 1.26.0\n\nuse (\n"
	all := map[string]string{}
	for _, m := range modules {
		work += "\t./" + m + "\n"
		all[m+"/go.mod"] = "module example.com/" + m + "\n\ngo 1.26.0\n"
	}
	all["go.work"] = work + ")\n"
	for k, v := range files {
		all[k] = v
	}
	writeFiles(t, root, all)
	return root
}

// runWS runs ws in-process in dir and returns its exit status and output.
func runWS(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	e := &env{stdout: &out, stderr: &errOut, dir: dir}
	code = dispatch(context.Background(), e, args)
	return code, out.String(), errOut.String()
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

func TestDispatchUsage(t *testing.T) {
	tests := []struct {
		args []string
		code int
	}{
		{nil, exitUsage},
		{[]string{"nope"}, exitUsage},
		{[]string{"-h"}, exitOK},
		{[]string{"help"}, exitOK},
	}
	for _, tt := range tests {
		code, stdout, stderr := runWS(t, t.TempDir(), tt.args...)
		if code != tt.code {
			t.Errorf("ws %q exit %d, want %d", tt.args, code, tt.code)
		}
		if !strings.Contains(stdout+stderr, "The commands are:") {
			t.Errorf("ws %q printed no command list:\n%s%s", tt.args, stdout, stderr)
		}
	}
	for _, c := range commands() {
		code, stdout, _ := runWS(t, t.TempDir(), c.name, "-h")
		if code != exitOK || !strings.Contains(stdout, "usage: go tool ws "+c.name) {
			t.Errorf("ws %s -h: exit %d, output:\n%s", c.name, code, stdout)
		}
	}
}

func TestParseInterleaved(t *testing.T) {
	tests := []struct {
		args []string
		pos  []string
		j    int
		keep bool
		code int
	}{
		{nil, nil, 1, false, -1},
		{[]string{"a", "-j", "3", "b", "-keep"}, []string{"a", "b"}, 3, true, -1},
		{[]string{"-keep", "a", "--", "-j", "b"}, []string{"a", "-j", "b"}, 1, true, -1},
		{[]string{"a", "-nope"}, nil, 1, false, exitUsage},
		{[]string{"a", "-h"}, nil, 1, false, exitOK},
	}
	for _, tt := range tests {
		e := &env{stdout: new(bytes.Buffer), stderr: new(bytes.Buffer)}
		fs := newFlagSet(e, "x", "", "")
		j := fs.Int("j", 1, "")
		keep := fs.Bool("keep", false, "")
		pos, code := parseInterleaved(e, fs, tt.args)
		if code != tt.code || strings.Join(pos, " ") != strings.Join(tt.pos, " ") || (code < 0 && (*j != tt.j || *keep != tt.keep)) {
			t.Errorf("parseInterleaved(%q) = %q, %d (j=%d keep=%v)", tt.args, pos, code, *j, *keep)
		}
	}
}
