package workspace

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/mod/modfile"
)

// ErrNoWorkspace is returned by Find when no go.work file encloses the
// directory.
var ErrNoWorkspace = errors.New("no go.work file found")

// ErrUnknownModule is returned by Select for a name that is not a module of
// the workspace.
var ErrUnknownModule = errors.New("unknown module")

// Workspace is a parsed go.work file and the modules it uses.
type Workspace struct {
	// Root is the directory holding go.work.
	Root string
	// File is the path of the go.work file.
	File string
	// Modules are the modules named by use directives, in go.work order.
	Modules []Module
}

// Module is one module of a workspace.
type Module struct {
	// Folder is the module's directory relative to the workspace root, in
	// slash form ("cookies", "sessioncache/redisstore").
	Folder string
	// Path is the module path declared in its go.mod.
	Path string
	// Dir is the absolute directory of the module.
	Dir string
	// Mod is the parsed go.mod file.
	Mod *modfile.File
}

// Find returns the go.work file that applies to dir: the GOWORK environment
// variable when it names a file, or else the first go.work found walking up
// from dir.
func Find(dir string) (string, error) {
	if gw := os.Getenv("GOWORK"); gw != "" && gw != "off" {
		return filepath.Abs(gw)
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, "go.work")
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", ErrNoWorkspace
		}
		dir = parent
	}
}

// Open finds the workspace enclosing dir and loads it.
func Open(dir string) (*Workspace, error) {
	p, err := Find(dir)
	if err != nil {
		return nil, err
	}
	return Load(p)
}

// Load parses the go.work file at path and the go.mod of every module it
// uses.
func Load(path string) (*Workspace, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	wf, err := modfile.ParseWork(path, data, nil)
	if err != nil {
		return nil, fmt.Errorf("workspace: %w", err)
	}
	ws := &Workspace{Root: filepath.Dir(path), File: path}
	for _, u := range wf.Use {
		dir := u.Path
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(ws.Root, filepath.FromSlash(dir))
		}
		m, err := LoadModule(ws.Root, dir)
		if err != nil {
			return nil, err
		}
		ws.Modules = append(ws.Modules, m)
	}
	return ws, nil
}

// LoadModule reads the go.mod in dir and describes the module relative to
// root.
func LoadModule(root, dir string) (Module, error) {
	gomod := filepath.Join(dir, "go.mod")
	data, err := os.ReadFile(gomod)
	if err != nil {
		return Module{}, fmt.Errorf("workspace: %w", err)
	}
	mf, err := modfile.Parse(gomod, data, nil)
	if err != nil {
		return Module{}, fmt.Errorf("workspace: %w", err)
	}
	if mf.Module == nil {
		return Module{}, fmt.Errorf("workspace: %s has no module directive", gomod)
	}
	rel, err := filepath.Rel(root, dir)
	if err != nil {
		return Module{}, err
	}
	return Module{
		Folder: filepath.ToSlash(rel),
		Path:   mf.Module.Mod.Path,
		Dir:    dir,
		Mod:    mf,
	}, nil
}

// Names returns the folders of the workspace's modules.
func (ws *Workspace) Names() []string {
	names := make([]string, len(ws.Modules))
	for i, m := range ws.Modules {
		names[i] = m.Folder
	}
	return names
}

// Lookup returns the module with the given folder ("cookies"), module path
// or directory, trailing slashes and a leading "./" allowed.
func (ws *Workspace) Lookup(name string) (Module, bool) {
	clean := strings.TrimSuffix(filepath.ToSlash(filepath.Clean(name)), "/")
	for _, m := range ws.Modules {
		if m.Folder == clean || m.Path == name {
			return m, true
		}
		if abs, err := filepath.Abs(name); err == nil && abs == m.Dir {
			return m, true
		}
	}
	return Module{}, false
}

// Select returns the modules named, in the order given, or every module
// when names is empty. An unknown name is an error wrapping
// ErrUnknownModule that lists the known ones.
func (ws *Workspace) Select(names []string) ([]Module, error) {
	if len(names) == 0 {
		return slices.Clone(ws.Modules), nil
	}
	var mods []Module
	for _, n := range names {
		m, ok := ws.Lookup(n)
		if !ok {
			return nil, fmt.Errorf("%w %q (workspace modules: %s)", ErrUnknownModule, n, strings.Join(ws.Names(), ", "))
		}
		if !slices.ContainsFunc(mods, func(x Module) bool { return x.Dir == m.Dir }) {
			mods = append(mods, m)
		}
	}
	return mods, nil
}

// ByPath returns the workspace module with the given module path.
func (ws *Workspace) ByPath(path string) (Module, bool) {
	for _, m := range ws.Modules {
		if m.Path == path {
			return m, true
		}
	}
	return Module{}, false
}
