package cookies

// Byte classes of RFC 9110 and RFC 6265bis, as lookup tables so that the hot
// loops of the parser and the validators do one load per byte.

var (
	// tokenTable marks tchar: the bytes of a cookie name.
	tokenTable [256]bool
	// octetTable marks cookie-octet: the bytes of a cookie value we write
	// (%x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E).
	octetTable [256]bool
	// readTable marks the bytes accepted in a received cookie value: what
	// net/http accepts (printable ASCII and space, except DQUOTE, ';' and
	// '\'), plus bytes 0x80-0xFF, which browsers send for values set from
	// script. Control bytes are never accepted.
	readTable [256]bool
	// pathTable marks the bytes of a Path attribute: any CHAR except CTLs
	// and ';'.
	pathTable [256]bool
	// domainTable marks the bytes of a Domain attribute: letters, digits,
	// '-', '_' and '.'.
	domainTable [256]bool
)

func init() {
	for c := 0; c < 256; c++ {
		b := byte(c)
		isAlnum := 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
		tokenTable[c] = isAlnum || (b < 0x7f && b > 0x20 && containsByte("!#$%&'*+-.^_`|~", b))
		octetTable[c] = b == 0x21 || 0x23 <= b && b <= 0x2b || 0x2d <= b && b <= 0x3a ||
			0x3c <= b && b <= 0x5b || 0x5d <= b && b <= 0x7e
		readTable[c] = (0x20 <= b && b < 0x7f && b != '"' && b != ';' && b != '\\') || b >= 0x80
		pathTable[c] = 0x20 <= b && b < 0x7f && b != ';'
		domainTable[c] = isAlnum || b == '-' || b == '_' || b == '.'
	}
}

func containsByte(s string, b byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == b {
			return true
		}
	}
	return false
}

// isToken reports whether s is a non-empty RFC 9110 token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !tokenTable[s[i]] {
			return false
		}
	}
	return true
}

// firstInvalid returns the index of the first byte of s not in table, or -1.
func firstInvalid(s string, table *[256]bool) int {
	for i := 0; i < len(s); i++ {
		if !table[s[i]] {
			return i
		}
	}
	return -1
}

// trimOWS trims spaces and horizontal tabs, and nothing else: no Unicode
// white space, no other control bytes. Wider trimming is how cookie-prefix
// checks were bypassed in other ecosystems.
func trimOWS(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// hasPrefixFold reports whether s begins with prefix, ASCII case-insensitively.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		a, b := s[i], prefix[i]
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}
