package httpserver

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
)

// StaticOptions configures Static. The zero value is ready to use.
type StaticOptions struct {
	// Index is the file served for a directory; "" means "index.html" and
	// "-" means none. Directories are never listed.
	Index string
	// Immutable reports whether a file name is content-addressed, so it can
	// be cached for a year without revalidation. Nil means HashedName.
	Immutable func(name string) bool
	// CacheControl is sent for the other files; "" means "no-cache"
	// (cache, but revalidate with the ETag before each use).
	CacheControl string
	// Dotfiles serves names starting with a dot (".env", ".git/config"),
	// which are 404 by default.
	Dotfiles bool
}

// Static returns a handler that serves the files of fsys (an os.DirFS, an
// embed.FS, a testing/fstest.MapFS...) at the request's URL path; Mount it
// under a prefix with Router.Mount. Every file gets a strong ETag computed
// from its content (cached while its size and modification time stay the
// same), Range and conditional requests are answered by http.ServeContent,
// content-hashed names get "Cache-Control: public, max-age=31536000,
// immutable", directories serve their index file or 404, never a listing,
// and dotfiles are hidden. Only GET and HEAD are allowed.
func Static(fsys fs.FS, opts StaticOptions) http.Handler {
	s := &static{fsys: fsys, opts: opts}
	if s.opts.Index == "" {
		s.opts.Index = "index.html"
	}
	if s.opts.Immutable == nil {
		s.opts.Immutable = HashedName
	}
	if s.opts.CacheControl == "" {
		s.opts.CacheControl = CacheRevalidate
	}
	return s
}

type static struct {
	fsys  fs.FS
	opts  StaticOptions
	etags sync.Map // name -> etagEntry
}

type etagEntry struct {
	size    int64
	modTime time.Time
	etag    string
}

func (s *static) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		WriteError(w, r, &Error{Status: http.StatusMethodNotAllowed})
		return
	}
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if name == "" {
		name = "."
	}
	if !fs.ValidPath(name) || strings.IndexByte(name, 0) >= 0 || !s.opts.Dotfiles && hasDotSegment(name) {
		WriteError(w, r, &Error{Status: http.StatusNotFound})
		return
	}
	f, fi, err := s.open(name)
	if err == nil && fi.IsDir() {
		f.Close()
		if !strings.HasSuffix(r.URL.Path, "/") {
			// Relative, so it works under any mount prefix.
			target := path.Base(r.URL.Path) + "/"
			if q := r.URL.RawQuery; q != "" {
				target += "?" + q
			}
			w.Header().Set("Location", target)
			w.WriteHeader(http.StatusMovedPermanently)
			return
		}
		if s.opts.Index == "-" {
			err = fs.ErrNotExist
		} else {
			name = path.Join(name, s.opts.Index)
			f, fi, err = s.open(name)
			if err == nil && fi.IsDir() {
				f.Close()
				err = fs.ErrNotExist
			}
		}
	}
	if err != nil {
		switch {
		case errors.Is(err, fs.ErrNotExist):
			WriteError(w, r, &Error{Status: http.StatusNotFound})
		case errors.Is(err, fs.ErrPermission):
			WriteError(w, r, &Error{Status: http.StatusForbidden})
		default:
			WriteError(w, r, err)
		}
		return
	}
	defer f.Close()
	content, ok := f.(io.ReadSeeker)
	if !ok {
		b, err := io.ReadAll(f)
		if err != nil {
			WriteError(w, r, err)
			return
		}
		content = bytes.NewReader(b)
	}
	etag, err := s.etag(name, fi, content)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Etag", etag)
	if s.opts.Immutable(path.Base(name)) {
		h.Set("Cache-Control", CacheImmutable)
	} else {
		h.Set("Cache-Control", s.opts.CacheControl)
	}
	http.ServeContent(w, r, fi.Name(), fi.ModTime(), content)
}

func (s *static) open(name string) (fs.File, fs.FileInfo, error) {
	f, err := s.fsys.Open(name)
	if err != nil {
		return nil, nil, s.mapOpenError(name, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}

// mapOpenError turns the error of opening a path under a regular file
// ("a.txt/x", ENOTDIR from os.DirFS) into fs.ErrNotExist, as http.Dir does,
// so such a request is a 404 rather than a logged 500.
func (s *static) mapOpenError(name string, err error) error {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
		return err
	}
	for dir := path.Dir(name); dir != "."; dir = path.Dir(dir) {
		if fi, serr := fs.Stat(s.fsys, dir); serr == nil && !fi.IsDir() {
			return fs.ErrNotExist
		}
	}
	return err
}

// etag returns the cached ETag of name, computing it when the file changed.
func (s *static) etag(name string, fi fs.FileInfo, content io.ReadSeeker) (string, error) {
	if v, ok := s.etags.Load(name); ok {
		e := v.(etagEntry)
		if e.size == fi.Size() && e.modTime.Equal(fi.ModTime()) {
			return e.etag, nil
		}
	}
	sum := sha256.New()
	if _, err := io.Copy(sum, content); err != nil {
		return "", err
	}
	if _, err := content.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	etag := `"` + base64.RawURLEncoding.EncodeToString(sum.Sum(nil)[:18]) + `"`
	s.etags.Store(name, etagEntry{fi.Size(), fi.ModTime(), etag})
	return etag, nil
}

func hasDotSegment(name string) bool {
	for seg := range strings.SplitSeq(name, "/") {
		if len(seg) > 1 && seg[0] == '.' {
			return true
		}
	}
	return false
}

// HashedName reports whether a file name carries a content hash of at least
// 8 hexadecimal digits as its last part before the extension, separated by a
// dot or a dash: "app.3f2a9c1e.css", "chunk-5d41402abc4b2a76.js".
func HashedName(name string) bool {
	stem := strings.TrimSuffix(name, path.Ext(name))
	i := strings.LastIndexAny(stem, ".-")
	if i < 0 || stem == name {
		return false
	}
	hash := stem[i+1:]
	if len(hash) < 8 {
		return false
	}
	for j := 0; j < len(hash); j++ {
		c := hash[j]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
