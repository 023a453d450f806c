package cookies

import (
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

var testNow = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func TestFormat(t *testing.T) {
	tests := []struct {
		name string
		c    http.Cookie
		want string
	}{
		{"minimal", http.Cookie{Name: "a", Value: "1"}, "a=1"},
		{"empty value", http.Cookie{Name: "a"}, "a="},
		{"quoted", http.Cookie{Name: "a", Value: "x", Quoted: true}, `a="x"`},
		{"all attributes",
			http.Cookie{Name: "id", Value: "v", Path: "/app", Domain: "example.com", Expires: testNow.Add(time.Hour),
				MaxAge: 3600, HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode, Partitioned: true},
			"id=v; Path=/app; Domain=example.com; Expires=Fri, 02 Jan 2026 04:04:05 GMT; Max-Age=3600; HttpOnly; Secure; SameSite=Strict; Partitioned"},
		{"lax", http.Cookie{Name: "a", Value: "1", SameSite: http.SameSiteLaxMode}, "a=1; SameSite=Lax"},
		{"none with secure", http.Cookie{Name: "a", Value: "1", Secure: true, SameSite: http.SameSiteNoneMode}, "a=1; Secure; SameSite=None"},
		{"default mode writes nothing", http.Cookie{Name: "a", Value: "1", SameSite: http.SameSiteDefaultMode}, "a=1"},
		{"negative max-age deletes", http.Cookie{Name: "a", MaxAge: -1}, "a=; Max-Age=0"},
		{"max-age capped at 400 days", http.Cookie{Name: "a", MaxAge: 500 * 86400}, "a=; Max-Age=34560000"},
		{"max-age at 400 days kept", http.Cookie{Name: "a", MaxAge: 400 * 86400}, "a=; Max-Age=34560000"},
		{"expires capped at 400 days", http.Cookie{Name: "a", Expires: testNow.AddDate(5, 0, 0)},
			"a=; Expires=" + testNow.Add(MaxLifetime).Format(http.TimeFormat)},
		{"expires in the past kept", http.Cookie{Name: "a", Expires: time.Unix(0, 0)}, "a=; Expires=Thu, 01 Jan 1970 00:00:00 GMT"},
		{"leading-dot domain", http.Cookie{Name: "a", Value: "1", Domain: ".example.com"}, "a=1; Domain=.example.com"},
		{"ip domain", http.Cookie{Name: "a", Value: "1", Domain: "127.0.0.1"}, "a=1; Domain=127.0.0.1"},
		{"host prefix satisfied", http.Cookie{Name: "__Host-id", Value: "1", Path: "/", Secure: true}, "__Host-id=1; Path=/; Secure"},
		{"all cookie-octets", http.Cookie{Name: "a", Value: "!#$%&'()*+-./0:<=>?@[]^_`{|}~"}, "a=!#$%&'()*+-./0:<=>?@[]^_`{|}~"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := format(&tt.c, testNow)
			if err != nil {
				t.Fatalf("format: %v", err)
			}
			if got != tt.want {
				t.Errorf("format =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestFormatRules(t *testing.T) {
	long := strings.Repeat("x", MaxAttributeBytes)
	tests := []struct {
		name string
		c    *http.Cookie
		want []error
		msg  string
	}{
		{"nil", nil, []error{ErrInvalidName}, "nil"},
		{"empty name", &http.Cookie{Value: "1"}, []error{ErrInvalidName}, "empty"},
		{"space in name", &http.Cookie{Name: "a b"}, []error{ErrInvalidName}, "offset 1"},
		{"semicolon in name", &http.Cookie{Name: "a;b"}, []error{ErrInvalidName}, ""},
		{"unicode in name", &http.Cookie{Name: "é"}, []error{ErrInvalidName}, ""},
		{"space in value", &http.Cookie{Name: "a", Value: "x y"}, []error{ErrInvalidValue}, "offset 1"},
		{"comma in value", &http.Cookie{Name: "a", Value: "x,y"}, []error{ErrInvalidValue}, ""},
		{"quote in value", &http.Cookie{Name: "a", Value: `x"`}, []error{ErrInvalidValue}, ""},
		{"backslash in value", &http.Cookie{Name: "a", Value: `x\`}, []error{ErrInvalidValue}, ""},
		{"semicolon in value", &http.Cookie{Name: "a", Value: "x;Domain=evil.com"}, []error{ErrInvalidValue}, ""},
		{"control in value", &http.Cookie{Name: "a", Value: "x\r\nSet-Cookie: b=1"}, []error{ErrInvalidValue}, ""},
		{"name plus value over 4096", &http.Cookie{Name: "ab", Value: strings.Repeat("v", 4095)}, []error{ErrTooLarge}, "1 over"},
		// User agents keep the quotes of a quoted value as part of it.
		{"quoted value over 4096", &http.Cookie{Name: "a", Value: strings.Repeat("v", 4094), Quoted: true}, []error{ErrTooLarge}, "1 over"},
		{"path too long", &http.Cookie{Name: "a", Path: "/" + long}, []error{ErrInvalidAttribute, ErrTooLarge}, "1 over"},
		{"relative path", &http.Cookie{Name: "a", Path: "app"}, []error{ErrInvalidAttribute}, "start"},
		// CVE-2024-47764: attribute injection through Path and Domain.
		{"semicolon in path", &http.Cookie{Name: "a", Path: "/; Domain=evil.com"}, []error{ErrInvalidAttribute}, ""},
		{"control in path", &http.Cookie{Name: "a", Path: "/\x00"}, []error{ErrInvalidAttribute}, ""},
		{"trailing space in path", &http.Cookie{Name: "a", Path: "/a "}, []error{ErrInvalidAttribute}, "space"},
		{"newline in path", &http.Cookie{Name: "a", Path: "/\n"}, []error{ErrInvalidAttribute}, ""},
		{"semicolon in domain", &http.Cookie{Name: "a", Domain: "example.com; Path=/x"}, []error{ErrInvalidAttribute}, ""},
		{"space in domain", &http.Cookie{Name: "a", Domain: "example .com"}, []error{ErrInvalidAttribute}, ""},
		{"control in domain", &http.Cookie{Name: "a", Domain: "example.com\x7f"}, []error{ErrInvalidAttribute}, ""},
		{"empty label in domain", &http.Cookie{Name: "a", Domain: "example..com"}, []error{ErrInvalidAttribute}, ""},
		{"hyphen label in domain", &http.Cookie{Name: "a", Domain: "-example.com"}, []error{ErrInvalidAttribute}, ""},
		{"domain too long", &http.Cookie{Name: "a", Domain: long + "x"}, []error{ErrInvalidAttribute, ErrTooLarge}, ""},
		{"numeric domain", &http.Cookie{Name: "a", Domain: "0"}, []error{ErrInvalidAttribute}, "IPv4"},
		{"numeric labels", &http.Cookie{Name: "a", Domain: "1.2.3"}, []error{ErrInvalidAttribute}, "IPv4"},
		{"domain over 253", &http.Cookie{Name: "a", Domain: strings.Repeat("abcdefghi.", 26)}, []error{ErrInvalidAttribute}, ""},
		{"expires before 1601", &http.Cookie{Name: "a", Expires: time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC)}, []error{ErrInvalidAttribute}, "1601"},
		// 1601-01-01 00:30 at UTC+1 is written as 31 Dec 1600 23:30:00 GMT.
		{"expires before 1601 in UTC", &http.Cookie{Name: "a", Expires: time.Date(1601, 1, 1, 0, 30, 0, 0, time.FixedZone("CET", 3600))}, []error{ErrInvalidAttribute}, "1601"},
		{"samesite none without secure", &http.Cookie{Name: "a", SameSite: http.SameSiteNoneMode}, []error{ErrInvalidAttribute}, "SameSite=None requires Secure"},
		{"unknown samesite", &http.Cookie{Name: "a", SameSite: 9}, []error{ErrInvalidAttribute}, ""},
		{"partitioned without secure", &http.Cookie{Name: "a", Partitioned: true}, []error{ErrInvalidAttribute}, "Partitioned requires Secure"},
		{"unparsed attributes", &http.Cookie{Name: "a", Unparsed: []string{"Foo=bar"}}, []error{ErrInvalidAttribute}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := format(tt.c, testNow)
			if err == nil {
				t.Fatal("format succeeded, want an error")
			}
			for _, want := range tt.want {
				if !errors.Is(err, want) {
					t.Errorf("err = %v, want errors.Is %v", err, want)
				}
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("err = %q, want it to mention %q", err, tt.msg)
			}
			if verr := Validate(tt.c); verr == nil || verr.Error() != err.Error() {
				t.Errorf("Validate = %v, want the same error as Format", verr)
			}
		})
	}
}

// TestPrefixVectors uses the cases of the web-platform-tests for
// draft-ietf-httpbis-rfc6265bis (cookies/prefix/__secure.header.https.html,
// __host.document-cookie.https.html, __Http.https.html,
// __Host-Http.https.html): each attribute string with each prefix spelling,
// and whether a user agent keeps the cookie. Format must refuse what a user
// agent would drop.
func TestPrefixVectors(t *testing.T) {
	tests := []struct {
		prefixes []string
		attrs    string
		ok       bool
	}{
		{[]string{"__Secure-", "__SeCuRe-", "__secure-"}, "Path=/", false},
		{[]string{"__Secure-", "__SeCuRe-", "__secure-"}, "Path=/; Max-Age=10", false},
		{[]string{"__Secure-", "__SeCuRe-", "__secure-"}, "Path=/; HttpOnly", false},
		{[]string{"__Secure-", "__SeCuRe-", "__secure-"}, "Secure; Path=/", true},
		{[]string{"__Secure-", "__SeCuRe-", "__secure-"}, "Secure; Path=/; Max-Age=10", true},
		{[]string{"__Secure-", "__SeCuRe-", "__secure-"}, "Secure; Path=/; HttpOnly", true},
		{[]string{"__Secure-", "__SeCuRe-"}, "Path=/; SameSite=None; Domain=example.org", false},
		{[]string{"__Secure-", "__SeCuRe-"}, "Secure; SameSite=None; Path=/; Domain=example.org", true},
		{[]string{"__Host-", "__HoSt-", "__host-"}, "Path=/", false},
		{[]string{"__Host-", "__HoSt-", "__host-"}, "Path=/; Max-Age=10", false},
		{[]string{"__Host-", "__HoSt-", "__host-"}, "Secure; Path=/", true},
		{[]string{"__Host-", "__HoSt-", "__host-"}, "Secure; Path=/; Max-Age=10", true},
		{[]string{"__Host-", "__HoSt-", "__host-"}, "Secure; Path=/; Domain=example.org", false},
		{[]string{"__Host-", "__HoSt-", "__host-"}, "Secure; Path=/cookies/resources/list.py", false},
		{[]string{"__Host-", "__HoSt-"}, "Secure", false}, // no Path at all
		{[]string{"__Http-"}, "Path=/", false},
		{[]string{"__Http-"}, "Secure; Path=/", false},
		{[]string{"__Http-", "__HTTP-"}, "Secure; Path=/; HttpOnly", true},
		{[]string{"__Http-"}, "Secure; Path=/cookies/; HttpOnly", true},
		{[]string{"__Host-Http-", "__host-http-"}, "Secure; Path=/", false},
		{[]string{"__Host-Http-"}, "Secure; Path=/; HttpOnly", true},
		{[]string{"__Host-Http-"}, "Secure; Path=/cookies/; HttpOnly", false},
		{[]string{"__Host-Http-"}, "Path=/", false},
		{[]string{"__Host-Http-"}, "Secure; Path=/; HttpOnly; Domain=example.org", false},
		// Not prefixes: no error whatever the attributes.
		{[]string{"_Host-", "__Hostx", "Host-", "x__Host-", "__Secure"}, "Path=/x; Domain=example.org", true},
	}
	for _, tt := range tests {
		for _, prefix := range tt.prefixes {
			line := prefix + "prefixtestcookie=foo; " + tt.attrs
			c, err := http.ParseSetCookie(line)
			if err != nil {
				t.Fatalf("ParseSetCookie(%q): %v", line, err)
			}
			c.MaxAge = 0 // Max-Age is irrelevant to prefixes; keep the output stable
			_, err = format(c, testNow)
			if tt.ok && err != nil {
				t.Errorf("%q: %v, want accepted", line, err)
			}
			if !tt.ok && !errors.Is(err, ErrPrefix) {
				t.Errorf("%q: err = %v, want ErrPrefix", line, err)
			}
		}
	}
}

// TestFormatMatchesNetHTTP is a differential test: what Format writes,
// http.ParseSetCookie reads back to the same cookie, and for values both
// accept, http.Cookie.String writes the same attributes.
func TestFormatMatchesNetHTTP(t *testing.T) {
	cs := []*http.Cookie{
		{Name: "a", Value: "1"},
		{Name: "a", Value: "x", Quoted: true},
		{Name: "id", Value: "v", Path: "/app", Domain: "example.com", MaxAge: 60, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode},
		{Name: "__Host-s", Value: "tok", Path: "/", Secure: true, SameSite: http.SameSiteNoneMode, Partitioned: true},
		{Name: "e", Value: "v", Expires: testNow.Add(24 * time.Hour)},
		{Name: "d", MaxAge: -1, Path: "/x"},
	}
	for _, c := range cs {
		checkRoundTrip(t, c, true)
	}
}

// checkRoundTrip formats c and checks that http.ParseSetCookie reads the
// line back as c. With compareString it also checks that c.String, where it
// writes c unchanged, writes the same line.
func checkRoundTrip(t *testing.T, c *http.Cookie, compareString bool) {
	t.Helper()
	line, err := format(c, testNow)
	if err != nil {
		t.Fatalf("format(%v): %v", c, err)
	}
	back, err := http.ParseSetCookie(line)
	if err != nil {
		t.Fatalf("ParseSetCookie(%q): %v", line, err)
	}
	same := back.Name == c.Name && back.Value == c.Value && back.Quoted == c.Quoted &&
		back.Path == c.Path && strings.TrimPrefix(back.Domain, ".") == strings.TrimPrefix(c.Domain, ".") &&
		back.HttpOnly == c.HttpOnly && back.Secure == c.Secure && back.Partitioned == c.Partitioned &&
		back.SameSite == sameSiteWritten(c.SameSite) && (back.MaxAge > 0) == (c.MaxAge > 0) && (back.MaxAge < 0) == (c.MaxAge < 0) &&
		back.Expires.Unix() == cappedExpiry(c.Expires).Unix() && len(back.Unparsed) == 0
	if !same {
		t.Errorf("format wrote %q; net/http reads it back as %+v, want %+v", line, back, c)
	}
	if c.MaxAge > 0 && back.MaxAge != min(c.MaxAge, maxAgeSeconds) {
		t.Errorf("%q: Max-Age read back as %d", line, back.MaxAge)
	}
	if compareString && (c.Expires.IsZero() || !c.Expires.After(testNow.Add(MaxLifetime))) {
		if std := c.String(); std != line {
			t.Errorf("format wrote %q, http.Cookie.String %q", line, std)
		}
	}
}

// cappedExpiry is the Expires that format writes for t at testNow.
func cappedExpiry(t time.Time) time.Time {
	if limit := testNow.Add(MaxLifetime); t.After(limit) {
		return limit
	}
	return t
}

// sameSiteWritten is the mode net/http reads back for m: the default mode
// writes no attribute.
func sameSiteWritten(m http.SameSite) http.SameSite {
	if m == http.SameSiteDefaultMode {
		return 0
	}
	return m
}

func TestSetAndDelete(t *testing.T) {
	w := httptest.NewRecorder()
	c := &http.Cookie{Name: "__Host-sid", Value: "abc", Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: 60}
	if err := Set(w, c); err != nil {
		t.Fatal(err)
	}
	if err := Delete(w, c); err != nil {
		t.Fatal(err)
	}
	got := w.Header().Values("Set-Cookie")
	want := []string{
		"__Host-sid=abc; Path=/; Max-Age=60; HttpOnly; Secure; SameSite=Lax",
		"__Host-sid=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; Secure; SameSite=Lax",
	}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("Set-Cookie = %q,\nwant %q", got, want)
	}
	// Deleting keeps Path and Domain, or the browser keeps the cookie.
	d := Expired(&http.Cookie{Name: "pref", Value: "x", Path: "/app", Domain: "example.com"})
	if d.Path != "/app" || d.Domain != "example.com" || d.Value != "" || d.MaxAge >= 0 {
		t.Errorf("Expired = %+v", d)
	}
	w = httptest.NewRecorder()
	if err := Set(w, &http.Cookie{Name: "a", Value: "x;y"}); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("Set with a bad value: err = %v", err)
	}
	if err := Delete(w, &http.Cookie{Name: "__Secure-x"}); !errors.Is(err, ErrPrefix) {
		t.Errorf("Delete of a __Secure- cookie without Secure: err = %v", err)
	}
	if err := Delete(w, nil); !errors.Is(err, ErrInvalidName) {
		t.Errorf("Delete(nil): err = %v", err)
	}
	if err := Set(w, nil); !errors.Is(err, ErrInvalidName) {
		t.Errorf("Set(nil): err = %v", err)
	}
	if n := len(w.Header().Values("Set-Cookie")); n != 0 {
		t.Errorf("invalid cookies added %d Set-Cookie headers", n)
	}
}

func TestOptions(t *testing.T) {
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"zero value", Options{}, "sid=v; Path=/; HttpOnly; Secure; SameSite=Lax"},
		{"insecure for http development", Options{Insecure: true}, "sid=v; Path=/; HttpOnly; SameSite=Lax"},
		{"script readable", Options{Script: true}, "sid=v; Path=/; Secure; SameSite=Lax"},
		{"max age rounds up", Options{MaxAge: 1500 * time.Millisecond}, "sid=v; Path=/; Max-Age=2; HttpOnly; Secure; SameSite=Lax"},
		{"max age beyond the cap", Options{MaxAge: math.MaxInt64}, "sid=v; Path=/; Max-Age=34560000; HttpOnly; Secure; SameSite=Lax"},
		{"everything", Options{Path: "/app", Domain: "example.com", MaxAge: time.Hour, SameSite: http.SameSiteStrictMode, Partitioned: true},
			"sid=v; Path=/app; Domain=example.com; Max-Age=3600; HttpOnly; Secure; SameSite=Strict; Partitioned"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := format(tt.o.New("sid", "v"), testNow)
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v\nwant %q", got, err, tt.want)
			}
		})
	}
	// The defaults satisfy the strictest prefix.
	if err := Validate(Options{}.New("__Host-Http-sid", "v")); err != nil {
		t.Errorf("zero Options with __Host-Http-: %v", err)
	}
}
