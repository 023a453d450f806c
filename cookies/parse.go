package cookies

import (
	"fmt"
	"net/http"
	"strings"
)

// Default limits of a zero Parser.
const (
	// DefaultMaxPairs is the number of cookies a zero Parser accepts in one
	// request, the same bound net/http applies since CVE-2025-58186.
	DefaultMaxPairs = 3000
	// DefaultMaxBytes is the number of Cookie header bytes a zero Parser
	// reads, equal to http.DefaultMaxHeaderBytes.
	DefaultMaxBytes = 1 << 20
)

// A Pair is one name=value pair of a Cookie request header. Value has its
// optional surrounding double quotes removed.
type Pair struct {
	Name  string
	Value string
}

// A Parser reads Cookie request headers leniently, the way browsers send
// them: a malformed pair is skipped and never loses the others, duplicate
// names are kept in order, values may be double-quoted, and only spaces and
// tabs are trimmed. Its limits bound work and memory on hostile input.
//
// The zero Parser is ready to use with the default limits; the package
// functions Parse, Get and GetAll use it.
type Parser struct {
	// MaxPairs is the largest number of valid pairs accepted; more is
	// ErrTooMany. Zero means DefaultMaxPairs.
	MaxPairs int
	// MaxBytes is the largest total length of the Cookie header lines
	// accepted; more is ErrTooLarge, reported before any parsing. Zero
	// means DefaultMaxBytes.
	MaxBytes int
}

func (p *Parser) maxPairs() int {
	if p == nil || p.MaxPairs <= 0 {
		return DefaultMaxPairs
	}
	return p.MaxPairs
}

func (p *Parser) maxBytes() int {
	if p == nil || p.MaxBytes <= 0 {
		return DefaultMaxBytes
	}
	return p.MaxBytes
}

// Parse parses one Cookie header value with the default limits.
func Parse(header string) ([]Pair, error) { return (*Parser)(nil).Parse(header) }

// Get returns the value of the first cookie called name in r, with the
// default limits. It reports http.ErrNoCookie when there is none.
func Get(r *http.Request, name string) (string, error) { return (*Parser)(nil).Get(r, name) }

// GetAll returns the values of every cookie called name in r, in header
// order, with the default limits. It reports http.ErrNoCookie when there is
// none.
func GetAll(r *http.Request, name string) ([]string, error) {
	return (*Parser)(nil).GetAll(r, name)
}

// Parse parses one Cookie header value into its pairs, in order. The
// strings in the result share memory with header; the result is the only
// allocation. Malformed pairs (no '=', a name that is not a token, a value
// with control bytes, DQUOTE, ';' or '\') are skipped. The error is non-nil
// only when a limit is exceeded; the result is then nil.
func (p *Parser) Parse(header string) ([]Pair, error) {
	if err := p.checkBytes(len(header)); err != nil {
		return nil, err
	}
	limit := p.maxPairs()
	n := strings.Count(header, ";") + 1
	pairs := make([]Pair, 0, min(n, limit))
	for rest := header; rest != ""; {
		var name, value string
		var ok bool
		name, value, ok, rest = cutPair(rest)
		if !ok {
			continue
		}
		if len(pairs) == limit {
			return nil, p.tooMany()
		}
		pairs = append(pairs, Pair{Name: name, Value: value})
	}
	return pairs, nil
}

// Get returns the value of the first cookie called name in r's Cookie
// header lines. It scans the raw header without building the list and
// does not allocate. It stops at the first match, so the pair limit bounds
// the pairs before it. It reports http.ErrNoCookie when there is none.
func (p *Parser) Get(r *http.Request, name string) (string, error) {
	var first [1]string
	values, err := p.scan(r.Header["Cookie"], name, first[:0], true)
	if err != nil {
		return "", err
	}
	return values[0], nil
}

// GetAll returns the values of every cookie called name in r's Cookie
// header lines, in order. It reports http.ErrNoCookie when there is none.
func (p *Parser) GetAll(r *http.Request, name string) ([]string, error) {
	return p.scan(r.Header["Cookie"], name, nil, false)
}

// scan appends to values the value of each cookie called name in lines,
// stopping after the first when firstOnly is set. Get passes a
// one-element array on its stack, so it does not allocate.
func (p *Parser) scan(lines []string, name string, values []string, firstOnly bool) ([]string, error) {
	if err := p.checkLines(lines); err != nil {
		return nil, err
	}
	limit, seen := p.maxPairs(), 0
	for _, line := range lines {
		for rest := line; rest != ""; {
			var n, v string
			var ok bool
			n, v, ok, rest = cutPair(rest)
			if !ok {
				continue
			}
			if seen++; seen > limit {
				return nil, p.tooMany()
			}
			if n == name {
				values = append(values, v)
				if firstOnly {
					return values, nil
				}
			}
		}
	}
	if len(values) == 0 {
		return nil, http.ErrNoCookie
	}
	return values, nil
}

func (p *Parser) checkLines(lines []string) error {
	total := 0
	for _, l := range lines {
		total += len(l)
	}
	return p.checkBytes(total)
}

func (p *Parser) checkBytes(n int) error {
	if max := p.maxBytes(); n > max {
		return fmt.Errorf("%w: Cookie header is %d bytes, %d over the limit of %d", ErrTooLarge, n, n-max, max)
	}
	return nil
}

func (p *Parser) tooMany() error {
	return fmt.Errorf("%w: Cookie header has more than %d cookies", ErrTooMany, p.maxPairs())
}

// cutPair cuts the first ';'-separated pair off s and returns it with the
// rest of s. ok is false for an empty or malformed pair, which the caller
// skips. Spaces and tabs around the pair and before '=' are trimmed; a
// value's own leading spaces are kept, as net/http keeps them.
func cutPair(s string) (name, value string, ok bool, rest string) {
	part := s
	if i := strings.IndexByte(s, ';'); i >= 0 {
		part, rest = s[:i], s[i+1:]
	}
	part = trimOWS(part)
	eq := strings.IndexByte(part, '=')
	if eq < 0 {
		return "", "", false, rest
	}
	name, value = trimOWS(part[:eq]), part[eq+1:]
	if !isToken(name) {
		return "", "", false, rest
	}
	if len(value) > 1 && value[0] == '"' && value[len(value)-1] == '"' {
		value = value[1 : len(value)-1]
	}
	if firstInvalid(value, &readTable) >= 0 {
		return "", "", false, rest
	}
	return name, value, true, rest
}
