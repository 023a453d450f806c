package releases

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/mod/semver"
)

// ErrNeedsMajor is returned by Next for an incompatible change to a module
// at v1 or later.
var ErrNeedsMajor = errors.New("incompatible change needs a new major version (a new module path)")

// FileName is the name of the releases file at the repository root.
const FileName = "RELEASES"

// A Release is one line of the RELEASES file.
type Release struct {
	Module  string // folder of the module, "sessioncache/redisstore"
	Version string // "v0.2.0"
	Commit  string // the commit the release was made from
}

// String formats r as a RELEASES line, without the newline.
func (r Release) String() string {
	return r.Module + " " + r.Version + " " + r.Commit
}

// Tag returns the git tag of the release, "<folder>/<version>".
func (r Release) Tag() string { return r.Module + "/" + r.Version }

// Parse reads a RELEASES file. A malformed line is an error naming it.
func Parse(r io.Reader) ([]Release, error) {
	var rels []Release
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 3 {
			return nil, fmt.Errorf("releases: line %d: want \"module version commit\", got %q", n, line)
		}
		if !semver.IsValid(f[1]) || semver.Canonical(f[1]) != f[1] {
			return nil, fmt.Errorf("releases: line %d: invalid version %q", n, f[1])
		}
		rels = append(rels, Release{Module: f[0], Version: f[1], Commit: f[2]})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("releases: %w", err)
	}
	return rels, nil
}

// ReadFile parses the RELEASES file at path; a missing file holds no
// releases.
func ReadFile(path string) ([]Release, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(f)
}

// Latest returns the release of module with the highest version.
func Latest(rels []Release, module string) (Release, bool) {
	var best Release
	found := false
	for _, r := range rels {
		if r.Module == module && (!found || semver.Compare(r.Version, best.Version) > 0) {
			best, found = r, true
		}
	}
	return best, found
}

// Append adds r as a line at the end of the RELEASES file at path,
// creating the file with a header comment if needed.
func Append(path string, r Release) error {
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	var b strings.Builder
	b.Write(data)
	if len(data) == 0 {
		b.WriteString("# Releases of the workspace's modules, one a line: module-folder version commit.\n")
		b.WriteString("# Written by \"go tool ws release -tag\"; tags are <folder>/<version>.\n")
	} else if data[len(data)-1] != '\n' {
		b.WriteString("\n")
	}
	b.WriteString(r.String() + "\n")
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// Change is the kind of API change since the last release.
type Change int

const (
	None         Change = iota // no API change
	Compatible                 // additions only
	Incompatible               // something a user may rely on changed
)

func (c Change) String() string {
	switch c {
	case Compatible:
		return "compatible"
	case Incompatible:
		return "incompatible"
	}
	return "none"
}

// First is the version of a module's first release.
const First = "v0.1.0"

// Next returns the version that follows last for a change of kind c. An
// empty last means the module was never released and gives First.
func Next(last string, c Change) (string, error) {
	if last == "" {
		return First, nil
	}
	if !semver.IsValid(last) {
		return "", fmt.Errorf("releases: invalid version %q", last)
	}
	var major, minor, patch int
	if _, err := fmt.Sscanf(strings.SplitN(semver.Canonical(last), "-", 2)[0], "v%d.%d.%d", &major, &minor, &patch); err != nil {
		return "", fmt.Errorf("releases: version %q: %w", last, err)
	}
	switch {
	case c == Incompatible && major >= 1:
		return "", fmt.Errorf("%s: %w", last, ErrNeedsMajor)
	case c == None:
		return fmt.Sprintf("v%d.%d.%d", major, minor, patch+1), nil
	default: // additions, or an incompatible change below v1
		return fmt.Sprintf("v%d.%d.0", major, minor+1), nil
	}
}
