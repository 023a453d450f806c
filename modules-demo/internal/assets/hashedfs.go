package assets

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// hashLen is the number of hexadecimal digits of the content hash in a
// name: 48 bits, plenty to tell versions of one file apart.
const hashLen = 12

// FS is an fs.FS that serves every file of another fs.FS under its own name
// and under its hashed name. Create one with New.
type FS struct {
	fsys     fs.FS
	toHashed map[string]string // "css/style.css" → "css/style.3f2a9c1e5d4b.css"
	toPlain  map[string]string // the reverse
}

// New reads every file of fsys once and computes its hashed name.
func New(fsys fs.FS) (*FS, error) {
	a := &FS{fsys: fsys, toHashed: map[string]string{}, toPlain: map[string]string{}}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		h := hashedName(name, hex.EncodeToString(sum[:])[:hashLen])
		a.toHashed[name] = h
		a.toPlain[h] = name
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("assets: %w", err)
	}
	return a, nil
}

// hashedName puts hash before the extension: "a/b.min.css" → "a/b.min.<hash>.css".
func hashedName(name, hash string) string {
	ext := path.Ext(name)
	return strings.TrimSuffix(name, ext) + "." + hash + ext
}

// Path returns the hashed name of name (a path in the underlying fs.FS,
// like "style.css"). It panics for a name that does not exist, which is a
// mistake in a template, best found at the first render.
func (a *FS) Path(name string) string {
	h, ok := a.toHashed[name]
	if !ok {
		panic(fmt.Sprintf("assets: no file %q", name))
	}
	return h
}

// Open implements fs.FS: a hashed name opens the file it stands for, any
// other name opens that name in the underlying fs.FS.
func (a *FS) Open(name string) (fs.File, error) {
	if plain, ok := a.toPlain[name]; ok {
		name = plain
	}
	return a.fsys.Open(name)
}
