package watch

import (
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// DefaultExtensions are the file name suffixes watched when Config.Match
// is nil.
var DefaultExtensions = []string{".go", ".html", ".tmpl", ".css", ".js"}

// defaultNames are whole file names watched when Config.Match is nil.
var defaultNames = []string{"go.mod", "go.sum", "go.work"}

// DefaultMatch reports whether a file name is one the watcher follows by
// default. Test files (_test.go) are not: they never change a build.
func DefaultMatch(name string) bool {
	base := filepath.Base(name)
	if strings.HasSuffix(base, "_test.go") {
		return false
	}
	return slices.Contains(defaultNames, base) || slices.Contains(DefaultExtensions, filepath.Ext(base))
}

// skipDir reports whether a directory is never watched: hidden and
// underscore directories, node_modules, and benchmark results.
func skipDir(name string) bool {
	return name != "." && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") ||
		name == "node_modules" || name == "results")
}

type stamp struct {
	mod  time.Time
	size int64
}

// snapshot is the state of the watched files of a tree.
type snapshot map[string]stamp

// take walks root and records the watched files. Files that vanish while
// walking are skipped.
func take(root string, match func(string) bool) snapshot {
	s := snapshot{}
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if path != root && skipDir(d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if !match(path) {
			return nil
		}
		if fi, err := d.Info(); err == nil {
			s[path] = stamp{fi.ModTime(), fi.Size()}
		}
		return nil
	})
	return s
}

// diff returns the files added, changed or removed between s and t,
// sorted.
func (s snapshot) diff(t snapshot) []string {
	var changed []string
	for p, st := range t {
		if old, ok := s[p]; !ok || old != st {
			changed = append(changed, p)
		}
	}
	for p := range s {
		if _, ok := t[p]; !ok {
			changed = append(changed, p)
		}
	}
	slices.Sort(changed)
	return changed
}
