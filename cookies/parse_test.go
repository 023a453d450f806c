package cookies

import (
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, header string
		want         []Pair
	}{
		{"empty", "", []Pair{}},
		{"one", "a=1", []Pair{{"a", "1"}}},
		{"several", "a=1; b=2;c=3", []Pair{{"a", "1"}, {"b", "2"}, {"c", "3"}}},
		{"duplicates kept in order", "id=1; x=y; id=2", []Pair{{"id", "1"}, {"x", "y"}, {"id", "2"}}},
		{"empty value", "a=; b=2", []Pair{{"a", ""}, {"b", "2"}}},
		{"quoted value", `a="hello"; b=""`, []Pair{{"a", "hello"}, {"b", ""}}},
		{"lone quote is malformed", `a="; b=2`, []Pair{{"b", "2"}}},
		{"inner quote is malformed", `a=x"y; b=2`, []Pair{{"b", "2"}}},
		{"value with = kept", "a=b=c", []Pair{{"a", "b=c"}}},
		{"space and comma allowed in values", "a=x y,z", []Pair{{"a", "x y,z"}}},
		{"tabs and spaces trimmed", "\t a=1 \t;\tb=2\t", []Pair{{"a", "1"}, {"b", "2"}}},
		{"space before = trimmed", "a =1", []Pair{{"a", "1"}}},
		{"space after = kept like net/http", "a= 1", []Pair{{"a", " 1"}}},
		{"no = is skipped, others kept", "a=1; junk; b=2", []Pair{{"a", "1"}, {"b", "2"}}},
		{"empty parts skipped", ";;a=1;; ;b=2;", []Pair{{"a", "1"}, {"b", "2"}}},
		{"bad name skipped", "a b=1; (c)=2; d=3", []Pair{{"d", "3"}}},
		{"empty name skipped", "=1; d=3", []Pair{{"d", "3"}}},
		{"control byte in value skipped", "a=1\x00; b=\x7f; c=3", []Pair{{"c", "3"}}},
		{"backslash in value skipped", `a=\x; c=3`, []Pair{{"c", "3"}}},
		{"utf-8 value kept", "a=héllo", []Pair{{"a", "héllo"}}},
		{"unicode space is not trimmed", "\u00a0a=1; b=2", []Pair{{"b", "2"}}},
		{"NBSP inside name keeps prefix honest", "__Host-\u00a0x=1; __Host-y=2", []Pair{{"__Host-y", "2"}}},
		{"vertical tab not trimmed", "\va=1; b=2", []Pair{{"b", "2"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.header)
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tt.header, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q) = %q, want %q", tt.header, got, tt.want)
			}
		})
	}
}

func TestParseLimits(t *testing.T) {
	p := &Parser{MaxPairs: 3, MaxBytes: 64}
	if got, err := p.Parse("a=1; b=2; c=3; junk"); err != nil || len(got) != 3 {
		t.Errorf("three pairs at limit: got %v, %v", got, err)
	}
	if _, err := p.Parse("a=1; b=2; c=3; d=4"); !errors.Is(err, ErrTooMany) {
		t.Errorf("four pairs: err = %v, want ErrTooMany", err)
	}
	long := "a=" + strings.Repeat("x", 63)
	_, err := p.Parse(long)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "1 over") {
		t.Errorf("65 bytes: err = %v, want ErrTooLarge saying 1 over", err)
	}
	r := requestWithCookies("a=1; b=2", "c=3; d=4")
	if _, err := p.Get(r, "d"); !errors.Is(err, ErrTooMany) {
		t.Errorf("Get past the pair limit: err = %v, want ErrTooMany", err)
	}
	if v, err := p.Get(r, "a"); err != nil || v != "1" {
		t.Errorf("Get before the pair limit = %q, %v", v, err)
	}
	if _, err := p.GetAll(r, "a"); !errors.Is(err, ErrTooMany) {
		t.Errorf("GetAll past the pair limit: err = %v, want ErrTooMany", err)
	}
	big := requestWithCookies(long[:40], long[:40])
	if _, err := p.Get(big, "a"); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Get over the byte limit across lines: err = %v, want ErrTooLarge", err)
	}
	if _, err := p.GetAll(big, "a"); !errors.Is(err, ErrTooLarge) {
		t.Errorf("GetAll over the byte limit across lines: err = %v, want ErrTooLarge", err)
	}
	// The zero Parser uses the defaults.
	many := strings.Repeat("a=1;", DefaultMaxPairs+1)
	if _, err := Parse(many); !errors.Is(err, ErrTooMany) {
		t.Errorf("default pair limit: err = %v", err)
	}
	if _, err := Parse(strings.Repeat("x", DefaultMaxBytes+1)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("default byte limit: err = %v", err)
	}
}

func requestWithCookies(lines ...string) *http.Request {
	r, _ := http.NewRequest("GET", "http://example.com/", nil)
	for _, l := range lines {
		r.Header.Add("Cookie", l)
	}
	return r
}

func TestGet(t *testing.T) {
	// HTTP/2 clients may split cookies over several header lines.
	r := requestWithCookies("a=1; id=first", `bad pair; id="second"; b=2`)
	tests := []struct {
		name    string
		want    string
		wantAll []string
	}{
		{"a", "1", []string{"1"}},
		{"id", "first", []string{"first", "second"}},
		{"b", "2", []string{"2"}},
	}
	for _, tt := range tests {
		got, err := Get(r, tt.name)
		if err != nil || got != tt.want {
			t.Errorf("Get(%q) = %q, %v; want %q", tt.name, got, err, tt.want)
		}
		all, err := GetAll(r, tt.name)
		if err != nil || !reflect.DeepEqual(all, tt.wantAll) {
			t.Errorf("GetAll(%q) = %q, %v; want %q", tt.name, all, err, tt.wantAll)
		}
	}
	for _, missing := range []string{"c", "A", "ID", "bad"} {
		if _, err := Get(r, missing); !errors.Is(err, http.ErrNoCookie) {
			t.Errorf("Get(%q) err = %v, want http.ErrNoCookie", missing, err)
		}
		if _, err := GetAll(r, missing); !errors.Is(err, http.ErrNoCookie) {
			t.Errorf("GetAll(%q) err = %v, want http.ErrNoCookie", missing, err)
		}
	}
}

func TestGetDoesNotAllocate(t *testing.T) {
	r := requestWithCookies(tenCookies)
	allocs := testing.AllocsPerRun(100, func() {
		if v, err := Get(r, "session"); err != nil || v == "" {
			t.Fatal("session cookie not found")
		}
	})
	if allocs != 0 {
		t.Errorf("Get allocates %v times, want 0", allocs)
	}
	allocs = testing.AllocsPerRun(100, func() {
		if _, err := Parse(tenCookies); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 1 {
		t.Errorf("Parse allocates %v times, want at most 1", allocs)
	}
}

const tenCookies = `_ga=GA1.2.1234567890.1700000000; _gid=GA1.2.987654321.1700000000; ` +
	`theme=dark; lang=en-US; csrf="abcDEF0123456789"; consent=yes; tz=Europe%2FBerlin; ` +
	`cart=3; ab=variant-b; session=AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA`

// TestParseMatchesNetHTTP is a differential test: on every header that
// http.ParseCookie accepts, Parse returns the same pairs.
func TestParseMatchesNetHTTP(t *testing.T) {
	for _, h := range differentialHeaders {
		checkAgainstNetHTTP(t, h)
	}
}

var differentialHeaders = []string{
	"a=1", "a=1; b=2", "a=1;b=2", " a=1 ; b=2 ", "a=", `a=""`, `a="x y"`, "a=x y", "a= 1",
	"a=b=c", "a=1; a=2; a=3", tenCookies, "__Host-id=1; __Secure-x=2", "a=,", "a=~!#$%&'()*+-./:<>?@[]^_`{|}",
	"a=1;;b=2", "junk", "a b=1", "=1", `a="`, `a=x"`, "a=\x00", "a=é", "\ta=1\t",
}

func checkAgainstNetHTTP(t *testing.T, header string) {
	t.Helper()
	if strings.ContainsAny(header, "\r\n") {
		// net/http trims CR and LF too; we trim only SP and HTAB, by
		// design. A header line from net/http never holds CR or LF.
		return
	}
	want, err := http.ParseCookie(header)
	if err != nil {
		return // net/http rejects the whole header; we are lenient there
	}
	got, err := Parse(header)
	if err != nil {
		t.Fatalf("Parse(%q): %v, but net/http accepts it", header, err)
	}
	if len(got) != len(want) {
		t.Fatalf("Parse(%q) gives %d pairs, net/http %d", header, len(got), len(want))
	}
	for i := range got {
		if got[i].Name != want[i].Name || got[i].Value != want[i].Value {
			t.Errorf("Parse(%q)[%d] = %q=%q, net/http %q=%q", header, i, got[i].Name, got[i].Value, want[i].Name, want[i].Value)
		}
	}
}

// TestParseHostile feeds headers at the byte limit made to cost the most:
// the work stays linear and the memory bounded by MaxPairs.
func TestParseHostile(t *testing.T) {
	size := DefaultMaxBytes
	tests := []struct {
		name    string
		header  string
		wantErr error
	}{
		{"only separators", strings.Repeat(";", size), nil},
		{"only malformed pairs", strings.Repeat("x;", size/2), nil},
		{"too many pairs", strings.Repeat("a=1;", size/4), ErrTooMany},
		{"one huge value", "a=" + strings.Repeat("v", size-2), nil},
		{"spaces", strings.Repeat(" \t", size/2), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pairs, err := Parse(tt.header)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if cap(pairs) > DefaultMaxPairs {
				t.Errorf("capacity %d exceeds the pair limit", cap(pairs))
			}
			r := requestWithCookies(tt.header)
			if _, err := Get(r, "missing"); err == nil {
				t.Error("Get found a cookie that is not there")
			}
		})
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if pairs, err := Parse(tenCookies); err != nil || len(pairs) != 10 {
			b.Fatal(len(pairs), err)
		}
	}
}

func BenchmarkGet(b *testing.B) {
	r := requestWithCookies(tenCookies)
	b.ReportAllocs()
	for b.Loop() {
		if v, err := Get(r, "session"); err != nil || v == "" {
			b.Fatal(err)
		}
	}
}
