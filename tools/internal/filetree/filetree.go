package filetree

import (
	"os"
	"path/filepath"
)

// Write creates every file of files under root: keys are slash-separated
// paths relative to root, values their contents. Parent directories are
// created as needed and existing files are replaced.
func Write(root string, files map[string]string) error {
	for name, body := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			return err
		}
	}
	return nil
}
