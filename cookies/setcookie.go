package cookies

import (
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Limits of RFC 6265bis that Format enforces.
const (
	// MaxNameValueBytes is the most bytes a cookie's name and value may
	// have together.
	MaxNameValueBytes = 4096
	// MaxAttributeBytes is the most bytes of one attribute value (Path,
	// Domain).
	MaxAttributeBytes = 1024
	// MaxLifetime is the longest lifetime a user agent keeps a cookie;
	// Format caps Max-Age and Expires to it.
	MaxLifetime = 400 * 24 * time.Hour
)

const maxAgeSeconds = int(MaxLifetime / time.Second)

// Format returns the Set-Cookie header value for c, or an error that says
// which rule c breaks. Unlike http.Cookie.String it never drops bytes
// silently. The rules:
//
//   - Name is a token and Value is made of cookie-octets (no space, comma,
//     DQUOTE, ';', '\' or control bytes; encode such data, for example with
//     base64.RawURLEncoding). Value is written in double quotes when
//     c.Quoted is set. Name and value together, quotes included, are at
//     most 4096 bytes.
//   - Path, when set, starts with '/', has no control bytes or ';' and
//     does not end with a space (user agents would trim it); Domain, when
//     set, is a host name or an IPv4 address. Each is at most 1024 bytes.
//     These checks make attribute injection impossible (CVE-2024-47764).
//   - MaxAge > 0 and Expires are capped at 400 days from now (MaxLifetime),
//     the limit RFC 6265bis user agents apply, so the header says what the
//     browser will do. MaxAge < 0 writes Max-Age=0. Expires before year
//     1601 is an error.
//   - SameSite=None and Partitioned require Secure.
//   - Prefixes, matched case-insensitively: __Secure- requires Secure;
//     __Host- requires Secure, Path=/ and no Domain; __Http- requires Secure
//     and HttpOnly; __Host-Http- requires both sets.
//   - Unparsed attributes are not written, so a cookie carrying them is an
//     error rather than being shortened silently.
func Format(c *http.Cookie) (string, error) {
	return format(c, time.Time{})
}

// Validate reports whether c can be written, by the rules of Format.
func Validate(c *http.Cookie) error {
	return validate(c)
}

// Set validates c and adds its Set-Cookie header to w. Nothing is added
// when c breaks a rule.
func Set(w http.ResponseWriter, c *http.Cookie) error {
	s, err := Format(c)
	if err != nil {
		return err
	}
	w.Header().Add("Set-Cookie", s)
	return nil
}

// Delete adds a Set-Cookie header to w that removes c from the browser. A
// browser only removes a cookie whose name, Path and Domain match, and only
// accepts a prefixed name with its required attributes, so Delete keeps
// c's Name, Path, Domain, Secure, HttpOnly, SameSite and Partitioned, and
// writes an empty value with Max-Age=0 and an Expires in the past.
func Delete(w http.ResponseWriter, c *http.Cookie) error {
	return Set(w, Expired(c))
}

// Expired returns a copy of c that, when set, removes c from the browser:
// same Name, Path, Domain and flags, an empty value, Max-Age=0 and
// Expires at the Unix epoch.
func Expired(c *http.Cookie) *http.Cookie {
	if c == nil {
		return nil
	}
	return &http.Cookie{
		Name:        c.Name,
		Path:        c.Path,
		Domain:      c.Domain,
		Expires:     time.Unix(0, 0),
		MaxAge:      -1,
		Secure:      c.Secure,
		HttpOnly:    c.HttpOnly,
		SameSite:    c.SameSite,
		Partitioned: c.Partitioned,
	}
}

// format is Format with the clock as a parameter; a zero now means
// time.Now, read only when c has an Expires to cap.
func format(c *http.Cookie, now time.Time) (string, error) {
	if err := validate(c); err != nil {
		return "", err
	}
	var b strings.Builder
	b.Grow(len(c.Name) + len(c.Value) + len(c.Path) + len(c.Domain) + 110)
	b.WriteString(c.Name)
	b.WriteByte('=')
	if c.Quoted {
		b.WriteByte('"')
		b.WriteString(c.Value)
		b.WriteByte('"')
	} else {
		b.WriteString(c.Value)
	}
	if c.Path != "" {
		b.WriteString("; Path=")
		b.WriteString(c.Path)
	}
	if c.Domain != "" {
		b.WriteString("; Domain=")
		b.WriteString(c.Domain)
	}
	if !c.Expires.IsZero() {
		exp := c.Expires
		if now.IsZero() {
			now = time.Now()
		}
		if limit := now.Add(MaxLifetime); exp.After(limit) {
			exp = limit
		}
		b.WriteString("; Expires=")
		b.WriteString(exp.UTC().Format(http.TimeFormat))
	}
	switch {
	case c.MaxAge > 0:
		var digits [20]byte
		b.WriteString("; Max-Age=")
		b.Write(strconv.AppendInt(digits[:0], int64(min(c.MaxAge, maxAgeSeconds)), 10))
	case c.MaxAge < 0:
		b.WriteString("; Max-Age=0")
	}
	if c.HttpOnly {
		b.WriteString("; HttpOnly")
	}
	if c.Secure {
		b.WriteString("; Secure")
	}
	switch c.SameSite {
	case http.SameSiteLaxMode:
		b.WriteString("; SameSite=Lax")
	case http.SameSiteStrictMode:
		b.WriteString("; SameSite=Strict")
	case http.SameSiteNoneMode:
		b.WriteString("; SameSite=None")
	}
	if c.Partitioned {
		b.WriteString("; Partitioned")
	}
	return b.String(), nil
}

func validate(c *http.Cookie) error {
	if c == nil {
		return fmt.Errorf("%w: nil cookie", ErrInvalidName)
	}
	if !isToken(c.Name) {
		if c.Name == "" {
			return fmt.Errorf("%w: empty name", ErrInvalidName)
		}
		return fmt.Errorf("%w: %q is not a token (byte %q at offset %d)", ErrInvalidName, c.Name, c.Name[firstInvalid(c.Name, &tokenTable)], firstInvalid(c.Name, &tokenTable))
	}
	if i := firstInvalid(c.Value, &octetTable); i >= 0 {
		return fmt.Errorf("%w: cookie %q: byte %q at offset %d is not a cookie-octet; encode the value, e.g. with base64.RawURLEncoding", ErrInvalidValue, c.Name, c.Value[i], i)
	}
	n := len(c.Name) + len(c.Value)
	if c.Quoted {
		n += 2 // user agents keep the quotes as part of the value
	}
	if n > MaxNameValueBytes {
		return fmt.Errorf("%w: cookie %q: name and value are %d bytes, %d over the limit of %d", ErrTooLarge, c.Name, n, n-MaxNameValueBytes, MaxNameValueBytes)
	}
	if err := validatePath(c); err != nil {
		return err
	}
	if err := validateDomain(c); err != nil {
		return err
	}
	if err := validatePrefix(c); err != nil {
		return err
	}
	if !c.Expires.IsZero() && c.Expires.UTC().Year() < 1601 { // the header is written in UTC
		return fmt.Errorf("%w: cookie %q: Expires %v is before year 1601", ErrInvalidAttribute, c.Name, c.Expires)
	}
	switch c.SameSite {
	case 0, http.SameSiteDefaultMode, http.SameSiteLaxMode, http.SameSiteStrictMode:
	case http.SameSiteNoneMode:
		if !c.Secure {
			return fmt.Errorf("%w: cookie %q: SameSite=None requires Secure", ErrInvalidAttribute, c.Name)
		}
	default:
		return fmt.Errorf("%w: cookie %q: unknown SameSite mode %d", ErrInvalidAttribute, c.Name, c.SameSite)
	}
	if c.Partitioned && !c.Secure {
		return fmt.Errorf("%w: cookie %q: Partitioned requires Secure", ErrInvalidAttribute, c.Name)
	}
	if len(c.Unparsed) > 0 {
		return fmt.Errorf("%w: cookie %q: unparsed attributes %q are not written", ErrInvalidAttribute, c.Name, c.Unparsed)
	}
	return nil
}

func validatePath(c *http.Cookie) error {
	if c.Path == "" {
		return nil
	}
	if len(c.Path) > MaxAttributeBytes {
		return fmt.Errorf("%w: %w: cookie %q: Path is %d bytes, %d over the limit of %d", ErrInvalidAttribute, ErrTooLarge, c.Name, len(c.Path), len(c.Path)-MaxAttributeBytes, MaxAttributeBytes)
	}
	if c.Path[0] != '/' {
		return fmt.Errorf("%w: cookie %q: Path %q does not start with '/'", ErrInvalidAttribute, c.Name, c.Path)
	}
	if i := firstInvalid(c.Path, &pathTable); i >= 0 {
		return fmt.Errorf("%w: cookie %q: Path has byte %q at offset %d", ErrInvalidAttribute, c.Name, c.Path[i], i)
	}
	if c.Path[len(c.Path)-1] == ' ' {
		// User agents trim it, so the cookie would get another path.
		return fmt.Errorf("%w: cookie %q: Path %q ends with a space", ErrInvalidAttribute, c.Name, c.Path)
	}
	return nil
}

func validateDomain(c *http.Cookie) error {
	d := c.Domain
	if d == "" {
		return nil
	}
	if len(d) > MaxAttributeBytes {
		return fmt.Errorf("%w: %w: cookie %q: Domain is %d bytes, %d over the limit of %d", ErrInvalidAttribute, ErrTooLarge, c.Name, len(d), len(d)-MaxAttributeBytes, MaxAttributeBytes)
	}
	if i := firstInvalid(d, &domainTable); i >= 0 {
		return fmt.Errorf("%w: cookie %q: Domain has byte %q at offset %d", ErrInvalidAttribute, c.Name, d[i], i)
	}
	host := strings.TrimPrefix(d, ".")
	if len(host) > 253 {
		return fmt.Errorf("%w: cookie %q: Domain %q is longer than 253 bytes", ErrInvalidAttribute, c.Name, d)
	}
	if ip, err := netip.ParseAddr(host); err == nil && ip.Is4() {
		return nil
	}
	letter := false
	for label := range strings.SplitSeq(host, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("%w: cookie %q: Domain %q is not a host name", ErrInvalidAttribute, c.Name, d)
		}
		letter = letter || strings.ContainsFunc(label, func(r rune) bool { return 'a' <= r|0x20 && r|0x20 <= 'z' })
	}
	if !letter {
		return fmt.Errorf("%w: cookie %q: Domain %q is neither a host name nor an IPv4 address", ErrInvalidAttribute, c.Name, d)
	}
	return nil
}

// validatePrefix applies the cookie-name prefix rules of RFC 6265bis
// (__Secure-, __Host-) and of its later drafts (__Http-, __Host-Http-),
// matched case-insensitively as user agents match them.
func validatePrefix(c *http.Cookie) error {
	name := c.Name
	host := hasPrefixFold(name, "__Host-")
	secure := host || hasPrefixFold(name, "__Secure-") || hasPrefixFold(name, "__Http-")
	httpOnly := hasPrefixFold(name, "__Http-") || hasPrefixFold(name, "__Host-Http-")
	if secure && !c.Secure {
		return fmt.Errorf("%w: cookie %q: the prefix requires Secure", ErrPrefix, name)
	}
	if httpOnly && !c.HttpOnly {
		return fmt.Errorf("%w: cookie %q: the prefix requires HttpOnly", ErrPrefix, name)
	}
	if host && c.Domain != "" {
		return fmt.Errorf("%w: cookie %q: the __Host- prefix forbids Domain", ErrPrefix, name)
	}
	if host && c.Path != "/" {
		return fmt.Errorf("%w: cookie %q: the __Host- prefix requires Path=/", ErrPrefix, name)
	}
	return nil
}
