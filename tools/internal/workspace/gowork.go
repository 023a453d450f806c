package workspace

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

// New describes the modules in the given folders (slash paths relative to
// root) as a workspace without reading any go.work file, as for a tree
// checked out from an old commit.
func New(root string, folders []string) (*Workspace, error) {
	ws := &Workspace{Root: root}
	for _, f := range folders {
		m, err := LoadModule(root, filepath.Join(root, filepath.FromSlash(f)))
		if err != nil {
			return nil, err
		}
		ws.Modules = append(ws.Modules, m)
	}
	return ws, nil
}

// SiblingRequires returns each version of a workspace module that a
// workspace module requires, in go.work and go.mod order, without
// duplicates.
func (ws *Workspace) SiblingRequires() []module.Version {
	var vs []module.Version
	seen := map[module.Version]bool{}
	for _, m := range ws.Modules {
		for _, req := range m.Mod.Require {
			if _, ok := ws.ByPath(req.Mod.Path); ok && !seen[req.Mod] {
				seen[req.Mod] = true
				vs = append(vs, req.Mod)
			}
		}
	}
	return vs
}

// WriteWork writes a go.work file at path that uses every module of ws by
// its absolute directory and replaces each sibling requirement with the
// sibling's directory, so that the workspace builds from anywhere whether
// or not those versions were ever published.
func (ws *Workspace) WriteWork(path string) error {
	goVersion := "1.21"
	for _, m := range ws.Modules {
		if m.Mod.Go != nil && semver.Compare("v"+m.Mod.Go.Version, "v"+goVersion) > 0 {
			goVersion = m.Mod.Go.Version
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "go %s\n\nuse (\n", goVersion)
	for _, m := range ws.Modules {
		fmt.Fprintf(&b, "\t%q\n", filepath.ToSlash(m.Dir))
	}
	b.WriteString(")\n")
	if reqs := ws.SiblingRequires(); len(reqs) > 0 {
		b.WriteString("\nreplace (\n")
		for _, v := range reqs {
			sib, _ := ws.ByPath(v.Path)
			fmt.Fprintf(&b, "\t%s %s => %q\n", v.Path, v.Version, filepath.ToSlash(sib.Dir))
		}
		b.WriteString(")\n")
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
