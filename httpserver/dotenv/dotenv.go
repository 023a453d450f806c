package dotenv

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// SyntaxError reports a malformed line.
type SyntaxError struct {
	File string // "" when parsing a reader
	Line int    // 1-based
	Msg  string
}

func (e *SyntaxError) Error() string {
	if e.File == "" {
		return fmt.Sprintf("dotenv: line %d: %s", e.Line, e.Msg)
	}
	return fmt.Sprintf("dotenv: %s:%d: %s", e.File, e.Line, e.Msg)
}

// Load reads the files (".env" when none are given) and sets each variable
// that is not already in the environment. Earlier files win over later
// ones, and the real environment over both. A missing file is an error
// wrapping fs.ErrNotExist; use LoadIfExists for optional files.
func Load(paths ...string) error {
	return load(false, paths)
}

// LoadIfExists is Load that skips missing files.
func LoadIfExists(paths ...string) error {
	return load(true, paths)
}

func load(optional bool, paths []string) error {
	if len(paths) == 0 {
		paths = []string{".env"}
	}
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			if optional && errors.Is(err, os.ErrNotExist) {
				continue
			}
			return fmt.Errorf("dotenv: %w", err)
		}
		vars, err := parse(f, p)
		f.Close()
		if err != nil {
			return err
		}
		for _, kv := range vars {
			if _, set := os.LookupEnv(kv[0]); set {
				continue
			}
			if err := os.Setenv(kv[0], kv[1]); err != nil {
				return fmt.Errorf("dotenv: %s: set %s: %w", p, kv[0], err)
			}
		}
	}
	return nil
}

// Parse reads .env content and returns its variables; a key given twice
// keeps its last value. Parse does not touch the environment.
func Parse(r io.Reader) (map[string]string, error) {
	vars, err := parse(r, "")
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(vars))
	for _, kv := range vars {
		m[kv[0]] = kv[1]
	}
	return m, nil
}

// parse returns the variables in file order; for a repeated key, the
// last value is the one kept.
func parse(r io.Reader, file string) ([][2]string, error) {
	p := parser{file: file}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		p.lines = append(p.lines, strings.TrimSuffix(sc.Text(), "\r"))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("dotenv: %s: %w", cmpOr(file, "input"), err)
	}
	if len(p.lines) > 0 {
		p.lines[0] = strings.TrimPrefix(p.lines[0], "\uFEFF")
	}
	var out [][2]string
	seen := map[string]int{}
	for p.n < len(p.lines) {
		k, v, ok, err := p.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if i, dup := seen[k]; dup {
			out[i][1] = v
			continue
		}
		seen[k] = len(out)
		out = append(out, [2]string{k, v})
	}
	return out, nil
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

type parser struct {
	file  string
	lines []string
	n     int // index of the next line
}

func (p *parser) errorf(line int, format string, args ...any) error {
	return &SyntaxError{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// next parses the assignment that starts at the next line. ok is false for
// blank and comment lines.
func (p *parser) next() (key, value string, ok bool, err error) {
	start := p.n + 1 // 1-based line number
	line := strings.TrimLeft(p.lines[p.n], " \t")
	p.n++
	if line == "" || line[0] == '#' {
		return "", "", false, nil
	}
	if rest, found := strings.CutPrefix(line, "export"); found && rest != "" && (rest[0] == ' ' || rest[0] == '\t') {
		line = strings.TrimLeft(rest, " \t")
	}
	eq := strings.IndexByte(line, '=')
	if eq < 0 {
		return "", "", false, p.errorf(start, "expected KEY=value, got %q", clip(line))
	}
	key = strings.TrimRight(line[:eq], " \t")
	if !validKey(key) {
		return "", "", false, p.errorf(start, "invalid key %q: use letters, digits and _, not starting with a digit", clip(key))
	}
	raw := line[eq+1:]
	rest := strings.TrimLeft(raw, " \t")
	switch {
	case rest == "", rest[0] == '#' && len(rest) < len(raw):
		// Nothing, or only a comment after white space: KEY= # note.
		value = ""
	case rest[0] == '"' || rest[0] == '\'':
		value, err = p.quoted(rest, start)
		if err != nil {
			return "", "", false, err
		}
	default:
		value = rest
		for i := 1; i < len(value); i++ {
			if value[i] == '#' && (value[i-1] == ' ' || value[i-1] == '\t') {
				value = value[:i]
				break
			}
		}
		value = strings.TrimRight(value, " \t")
	}
	if strings.IndexByte(value, 0) >= 0 {
		return "", "", false, p.errorf(start, "value of %s contains a NUL byte", key)
	}
	return key, value, true, nil
}

// quoted parses a quoted value that starts at s (the rest of line start)
// and may continue on the following lines.
func (p *parser) quoted(s string, start int) (string, error) {
	q := s[0]
	s = s[1:]
	var b strings.Builder
	for {
		i := 0
		for ; i < len(s); i++ {
			c := s[i]
			if c == q {
				break
			}
			if q == '"' && c == '\\' && i+1 < len(s) {
				i++
				switch e := s[i]; e {
				case 'n':
					b.WriteByte('\n')
				case 'r':
					b.WriteByte('\r')
				case 't':
					b.WriteByte('\t')
				case '"', '\\', '$', '\'':
					b.WriteByte(e)
				default: // unknown escapes stay as written
					b.WriteByte('\\')
					b.WriteByte(e)
				}
				continue
			}
			b.WriteByte(c)
		}
		if i < len(s) { // closing quote
			after := strings.TrimLeft(s[i+1:], " \t")
			if after != "" && after[0] != '#' {
				return "", p.errorf(p.n, "unexpected %q after the closing quote", clip(after))
			}
			return b.String(), nil
		}
		if p.n >= len(p.lines) {
			return "", p.errorf(start, "unterminated %c-quoted value", q)
		}
		b.WriteByte('\n')
		s = p.lines[p.n]
		p.n++
	}
}

func validKey(k string) bool {
	if k == "" || '0' <= k[0] && k[0] <= '9' {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
