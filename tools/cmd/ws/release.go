package main

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/exp/apidiff"
	"golang.org/x/sync/errgroup"

	"github.com/serverdev/stdweb/tools/internal/apisurface"
	"github.com/serverdev/stdweb/tools/internal/releases"
	"github.com/serverdev/stdweb/tools/internal/workspace"
)

const releaseDescription = `Release shows, for each workspace module (or the named ones), the API
change since its last release and the version the next release needs.

The last release of a module is the highest version recorded for its folder
in the RELEASES file at the repository root (lines "module version commit";
tags may not travel with every clone). The source of that commit is taken
with "git archive", both trees are type-checked (golang.org/x/tools/go/packages,
siblings resolved inside each tree) and their importable packages are compared
with golang.org/x/exp/apidiff.

Next version: never released → v0.1.0. Below v1: incompatible change →
minor, additions only → minor, no API change → patch. From v1: additions →
minor, no API change → patch, incompatible change → refused (a new major
version is a new module path). A module whose folder is unchanged since its
release has nothing to release.

Without -tag nothing is changed (-dry-run says so explicitly). With -tag, for
each module that is clean in git (no modified or untracked files in its folder),
the release is appended to RELEASES with the commit HEAD and the git tag
<folder>/vX.Y.Z is created at HEAD; commit RELEASES afterwards. With -tag
-dry-run the lines and tags are printed, not written.`

type releaseFlags struct {
	dryRun, tag bool
}

func runRelease(ctx context.Context, e *env, args []string) int {
	var rf releaseFlags
	fs := newFlagSet(e, "release", "[-dry-run] [-tag] [module...]", releaseDescription)
	fs.BoolVar(&rf.dryRun, "dry-run", false, "print the plan only; change nothing")
	fs.BoolVar(&rf.tag, "tag", false, "record each release in RELEASES and create its git tag")
	names, code := parseInterleaved(e, fs, args)
	if code >= 0 {
		return code
	}
	ws, err := workspace.Open(e.dir)
	if err != nil {
		return fail(e, "release", err)
	}
	mods, err := ws.Select(names)
	if err != nil {
		return usageErr(e, "release", "%v", err)
	}
	repo, err := gitOutput(ctx, ws.Root, "rev-parse", "--show-toplevel")
	if err != nil {
		return fail(e, "release", fmt.Errorf("the workspace is not in a git repository: %w", err))
	}
	rl := &releaser{ws: ws, repo: repo}
	if rl.rels, err = releases.ReadFile(filepath.Join(repo, releases.FileName)); err != nil {
		return fail(e, "release", err)
	}
	if rl.tmp, err = os.MkdirTemp("", "ws-release-"); err != nil {
		return fail(e, "release", err)
	}
	defer os.RemoveAll(rl.tmp)
	rl.newWork = filepath.Join(rl.tmp, "current.work")
	if err := ws.WriteWork(rl.newWork); err != nil {
		return fail(e, "release", err)
	}

	plans := make([]*plan, len(mods))
	var g errgroup.Group
	g.SetLimit(defaultJobs())
	for i, m := range mods {
		g.Go(func() error {
			plans[i] = rl.plan(ctx, m)
			return nil
		})
	}
	g.Wait()

	code = exitOK
	var tagged []string
	for _, p := range plans {
		p.print(e.stdout)
		if p.err != nil {
			code = exitFail
			continue
		}
		if !rf.tag || p.next == "" {
			continue
		}
		rel := releases.Release{Module: p.mod.Folder, Version: p.next}
		if rf.dryRun {
			fmt.Fprintf(e.stdout, "would append to RELEASES: %s <HEAD>\nwould tag: %s\n", rel.Module+" "+rel.Version, rel.Tag())
			continue
		}
		if err := rl.tag(ctx, p.mod, &rel); err != nil {
			fmt.Fprintf(e.stdout, "not tagged: %v\n", err)
			code = exitFail
			continue
		}
		fmt.Fprintf(e.stdout, "recorded %q in RELEASES and tagged %s\n", rel.String(), rel.Tag())
		tagged = append(tagged, rel.Tag())
	}
	switch {
	case len(tagged) > 0:
		fmt.Fprintf(e.stdout, "\nnow commit the record: git add %[2]s && git commit -m \"release %[1]s\" -- %[2]s\n", strings.Join(tagged, " "), releases.FileName)
	case !rf.tag || rf.dryRun:
		fmt.Fprintln(e.stdout, "\ndry run: nothing was changed")
	}
	return code
}

// releaser holds what the plans of one run share.
type releaser struct {
	ws      *workspace.Workspace
	repo    string // git top level
	rels    []releases.Release
	tmp     string
	newWork string // go.work for the current tree

	mu    sync.Mutex
	trees map[string]*oldTree // by commit
}

type oldTree struct {
	once sync.Once
	root string
	work string
	err  error
}

// plan is the release plan of one module.
type plan struct {
	mod          workspace.Module
	last         releases.Release // zero if never released
	unchanged    bool
	incompatible []string
	compatible   []string
	packages     int
	next         string
	err          error
}

func (p *plan) change() releases.Change {
	switch {
	case len(p.incompatible) > 0:
		return releases.Incompatible
	case len(p.compatible) > 0:
		return releases.Compatible
	}
	return releases.None
}

func (rl *releaser) plan(ctx context.Context, m workspace.Module) *plan {
	p := &plan{mod: m}
	last, released := releases.Latest(rl.rels, m.Folder)
	if released {
		p.last = last
		if _, err := gitOutput(ctx, rl.repo, "cat-file", "-e", last.Commit+"^{commit}"); err != nil {
			p.err = fmt.Errorf("commit %s of %s is not in this clone (fetch more history)", last.Commit, last.Tag())
			return p
		}
		if rl.unchangedSince(ctx, m, last.Commit) {
			p.unchanged = true
			return p
		}
	}
	newAPI, err := apisurface.Load(ctx, m.Dir, rl.newWork)
	if err != nil {
		p.err = err
		return p
	}
	p.packages = len(newAPI.Packages)
	if !released {
		p.next, p.err = releases.Next("", releases.None)
		return p
	}
	old, err := rl.tree(ctx, last.Commit)
	if err != nil {
		p.err = err
		return p
	}
	oldDir := filepath.Join(old.root, filepath.FromSlash(m.Folder))
	oldAPI := &apidiff.Module{Path: m.Path}
	if _, err := os.Stat(filepath.Join(oldDir, "go.mod")); err == nil {
		if oldAPI, err = apisurface.Load(ctx, oldDir, old.work); err != nil {
			p.err = fmt.Errorf("%s at %s: %w", m.Folder, last.Version, err)
			return p
		}
	}
	for _, c := range apidiff.ModuleChanges(oldAPI, newAPI).Changes {
		if c.Compatible {
			p.compatible = append(p.compatible, c.Message)
		} else {
			p.incompatible = append(p.incompatible, c.Message)
		}
	}
	p.next, p.err = releases.Next(last.Version, p.change())
	return p
}

// unchangedSince reports whether the module's folder (nested modules
// aside) is the same in the working tree as at commit, untracked files
// included.
func (rl *releaser) unchangedSince(ctx context.Context, m workspace.Module, commit string) bool {
	spec := rl.pathspec(m)
	if _, err := gitOutput(ctx, rl.repo, append([]string{"diff", "--quiet", commit, "--"}, spec...)...); err != nil {
		return false
	}
	out, err := gitOutput(ctx, rl.repo, append([]string{"ls-files", "--others", "--exclude-standard", "--"}, spec...)...)
	return err == nil && out == ""
}

// pathspec selects the module's folder without the nested modules.
func (rl *releaser) pathspec(m workspace.Module) []string {
	rel, err := filepath.Rel(rl.repo, m.Dir)
	if err != nil {
		rel = m.Folder
	}
	spec := []string{filepath.ToSlash(rel)}
	for _, o := range rl.ws.Modules {
		if strings.HasPrefix(o.Dir, m.Dir+string(filepath.Separator)) {
			if r, err := filepath.Rel(rl.repo, o.Dir); err == nil {
				spec = append(spec, ":(exclude)"+filepath.ToSlash(r))
			}
		}
	}
	return spec
}

// tree extracts the repository at commit (once per commit) and writes a
// go.work for the workspace modules that exist there.
func (rl *releaser) tree(ctx context.Context, commit string) (*oldTree, error) {
	rl.mu.Lock()
	if rl.trees == nil {
		rl.trees = map[string]*oldTree{}
	}
	t := rl.trees[commit]
	if t == nil {
		t = &oldTree{}
		rl.trees[commit] = t
	}
	rl.mu.Unlock()
	t.once.Do(func() {
		t.root = filepath.Join(rl.tmp, "at-"+commit)
		if t.err = gitArchive(ctx, rl.repo, commit, t.root); t.err != nil {
			return
		}
		wsRel, err := filepath.Rel(rl.repo, rl.ws.Root)
		if err != nil {
			t.err = err
			return
		}
		var folders []string
		for _, m := range rl.ws.Modules {
			if _, err := os.Stat(filepath.Join(t.root, wsRel, filepath.FromSlash(m.Folder), "go.mod")); err == nil {
				folders = append(folders, m.Folder)
			}
		}
		old, err := workspace.New(filepath.Join(t.root, wsRel), folders)
		if err != nil {
			t.err = fmt.Errorf("at %s: %w", commit, err)
			return
		}
		t.root = old.Root
		t.work = filepath.Join(rl.tmp, "at-"+commit+".work")
		t.err = old.WriteWork(t.work)
	})
	return t, t.err
}

// tag records rel (at HEAD) in RELEASES and creates its tag, after making
// sure the module's folder is clean and the tag is new.
func (rl *releaser) tag(ctx context.Context, m workspace.Module, rel *releases.Release) error {
	status, err := gitOutput(ctx, rl.repo, append([]string{"status", "--porcelain", "--untracked-files=all", "--"}, rl.pathspec(m)...)...)
	if err != nil {
		return err
	}
	if status != "" {
		return fmt.Errorf("%s has uncommitted changes; commit them first:\n%s", m.Folder, status)
	}
	if _, err := gitOutput(ctx, rl.repo, "rev-parse", "-q", "--verify", "refs/tags/"+rel.Tag()); err == nil {
		return fmt.Errorf("tag %s already exists", rel.Tag())
	}
	head, err := gitOutput(ctx, rl.repo, "rev-parse", "HEAD")
	if err != nil {
		return err
	}
	rel.Commit = head
	if _, err := gitOutput(ctx, rl.repo, "tag", rel.Tag(), head); err != nil {
		return err
	}
	return releases.Append(filepath.Join(rl.repo, releases.FileName), *rel)
}

func (p *plan) print(w io.Writer) {
	fmt.Fprintf(w, "== %s (%s)\n", p.mod.Folder, p.mod.Path)
	if p.last.Version != "" {
		fmt.Fprintf(w, "last release: %s at %s\n", p.last.Version, shortCommit(p.last.Commit))
	} else if p.err == nil {
		fmt.Fprintf(w, "never released (%d importable package(s))\n", p.packages)
	}
	if p.err != nil {
		fmt.Fprintf(w, "error: %v\n\n", p.err)
		return
	}
	if p.unchanged {
		fmt.Fprintf(w, "unchanged since %s: nothing to release\n\n", p.last.Version)
		return
	}
	if p.last.Version != "" {
		printChanges(w, "incompatible changes", p.incompatible)
		printChanges(w, "compatible changes", p.compatible)
		if p.change() == releases.None {
			fmt.Fprintln(w, "no API change")
		}
	}
	fmt.Fprintf(w, "next version: %s\n\n", p.next)
}

func printChanges(w io.Writer, title string, msgs []string) {
	if len(msgs) == 0 {
		return
	}
	fmt.Fprintf(w, "%s:\n", title)
	for _, m := range msgs {
		fmt.Fprintf(w, "  - %s\n", m)
	}
}

func shortCommit(c string) string {
	if len(c) > 12 {
		return c[:12]
	}
	return c
}

// gitOutput runs git in dir and returns its trimmed standard output; the
// error carries its standard error.
func gitOutput(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

// gitArchive extracts the tree of commit into dir.
func gitArchive(ctx context.Context, repo, commit, dir string) error {
	cmd := exec.CommandContext(ctx, "git", "archive", "--format=tar", commit)
	cmd.Dir = repo
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	xerr := untar(out, dir)
	io.Copy(io.Discard, out)
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("git archive %s: %w: %s", commit, err, strings.TrimSpace(stderr.String()))
	}
	return xerr
}

// untar writes the regular files and directories of a tar stream under
// dir, refusing names that would escape it.
func untar(r io.Reader, dir string) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.FromSlash(h.Name)
		if !filepath.IsLocal(name) {
			return fmt.Errorf("archive entry %q escapes the directory", h.Name)
		}
		target := filepath.Join(dir, name)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			f, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, os.FileMode(h.Mode).Perm()|0o600)
			if err != nil {
				return err
			}
			if _, err := io.Copy(f, tr); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
		}
	}
}
