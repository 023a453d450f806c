package modproxy

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
	"golang.org/x/mod/sumdb/dirhash"
	"golang.org/x/mod/zip"
)

// A Module is a directory to serve as a module version.
type Module struct {
	Path, Version string
	// Dir is the module's root directory, holding its go.mod. Nested
	// modules (subdirectories with their own go.mod) are left out, as the
	// go command does.
	Dir string
}

// Write writes mods into the proxy directory dir, which is created if
// needed, and returns the go.sum lines (two per module, sorted) for them.
// Time stamps the .info files.
func Write(dir string, mods []Module, time time.Time) ([]string, error) {
	var sums []string
	versions := map[string][]string{}
	for _, m := range mods {
		if err := module.Check(m.Path, m.Version); err != nil {
			return nil, fmt.Errorf("modproxy: %w", err)
		}
		s, err := writeOne(dir, m, time)
		if err != nil {
			return nil, fmt.Errorf("modproxy: %s@%s: %w", m.Path, m.Version, err)
		}
		sums = append(sums, s...)
		versions[m.Path] = append(versions[m.Path], m.Version)
	}
	for path, vs := range versions {
		semver.Sort(vs)
		vs = slices.Compact(vs)
		vdir, err := versionDir(dir, path)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(vdir, "list"), []byte(strings.Join(vs, "\n")+"\n"), 0o644); err != nil {
			return nil, fmt.Errorf("modproxy: %w", err)
		}
	}
	slices.Sort(sums)
	return slices.Compact(sums), nil
}

// versionDir returns (and creates) the @v directory of a module path.
func versionDir(root, path string) (string, error) {
	esc, err := module.EscapePath(path)
	if err != nil {
		return "", fmt.Errorf("modproxy: %w", err)
	}
	vdir := filepath.Join(root, filepath.FromSlash(esc), "@v")
	if err := os.MkdirAll(vdir, 0o755); err != nil {
		return "", fmt.Errorf("modproxy: %w", err)
	}
	return vdir, nil
}

func writeOne(root string, m Module, t time.Time) ([]string, error) {
	vdir, err := versionDir(root, m.Path)
	if err != nil {
		return nil, err
	}
	ev, err := module.EscapeVersion(m.Version)
	if err != nil {
		return nil, err
	}
	base := filepath.Join(vdir, ev)

	info, err := json.Marshal(struct {
		Version string
		Time    time.Time
	}{m.Version, t.UTC()})
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(base+".info", info, 0o644); err != nil {
		return nil, err
	}

	gomod, err := os.ReadFile(filepath.Join(m.Dir, "go.mod"))
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(base+".mod", gomod, 0o644); err != nil {
		return nil, err
	}
	modHash, err := dirhash.Hash1([]string{"go.mod"}, func(string) (io.ReadCloser, error) {
		return os.Open(base + ".mod")
	})
	if err != nil {
		return nil, err
	}

	zf, err := os.Create(base + ".zip")
	if err != nil {
		return nil, err
	}
	if err := zip.CreateFromDir(zf, module.Version{Path: m.Path, Version: m.Version}, m.Dir); err != nil {
		zf.Close()
		return nil, err
	}
	if err := zf.Close(); err != nil {
		return nil, err
	}
	zipHash, err := dirhash.HashZip(base+".zip", dirhash.Hash1)
	if err != nil {
		return nil, err
	}
	return []string{
		fmt.Sprintf("%s %s %s", m.Path, m.Version, zipHash),
		fmt.Sprintf("%s %s/go.mod %s", m.Path, m.Version, modHash),
	}, nil
}

// URL returns the GOPROXY entry for the proxy directory dir.
func URL(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	return "file://" + filepath.ToSlash(abs)
}
