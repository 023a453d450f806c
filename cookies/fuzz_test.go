package cookies

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The seed corpora are in testdata/fuzz/<FuzzName>/ as well as in f.Add.

func FuzzParse(f *testing.F) {
	for _, h := range differentialHeaders {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, header string) {
		p := &Parser{MaxPairs: 64, MaxBytes: 4096}
		pairs, err := p.Parse(header)
		if err != nil {
			if !errors.Is(err, ErrTooMany) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("Parse(%q) returned an error that is not a limit: %v", header, err)
			}
			return
		}
		if len(pairs) > strings.Count(header, ";")+1 || len(pairs) > 64 {
			t.Fatalf("Parse(%q) gives %d pairs", header, len(pairs))
		}
		r := requestWithCookies(header)
		for _, pair := range pairs {
			if !isToken(pair.Name) || firstInvalid(pair.Value, &readTable) >= 0 {
				t.Fatalf("Parse(%q) gives invalid pair %q", header, pair)
			}
			got, err := p.Get(r, pair.Name)
			if err != nil {
				t.Fatalf("Get(%q) from %q: %v", pair.Name, header, err)
			}
			for _, first := range pairs {
				if first.Name == pair.Name {
					if got != first.Value {
						t.Fatalf("Get(%q) = %q, first pair in Parse has %q", pair.Name, got, first.Value)
					}
					break
				}
			}
			all, err := p.GetAll(r, pair.Name)
			if err != nil || len(all) == 0 {
				t.Fatalf("GetAll(%q): %v", pair.Name, err)
			}
		}
		checkAgainstNetHTTP(t, header)
	})
}

func FuzzFormat(f *testing.F) {
	f.Add("sid", "abc", "/", "", 3600, uint8(0b0111))
	f.Add("__Host-id", "1", "/", "", 0, uint8(0b0011))
	f.Add("__Secure-x", `"q"`, "/a;b", "example.com", -1, uint8(0b1111))
	f.Add("a", "x", "/; Domain=evil.com", "ex ample.com", 1<<40, uint8(0b10000))
	f.Fuzz(func(t *testing.T, name, value, path, domain string, maxAge int, flags uint8) {
		c := &http.Cookie{
			Name: name, Value: value, Path: path, Domain: domain, MaxAge: maxAge,
			Secure: flags&1 != 0, HttpOnly: flags&2 != 0, Partitioned: flags&4 != 0,
			Quoted:   flags&8 != 0,
			SameSite: http.SameSite(flags >> 4 % 5),
		}
		line, err := format(c, testNow)
		if err != nil {
			for _, sentinel := range []error{ErrInvalidName, ErrInvalidValue, ErrInvalidAttribute, ErrPrefix, ErrTooLarge} {
				if errors.Is(err, sentinel) {
					return
				}
			}
			t.Fatalf("format error without a sentinel: %v", err)
		}
		if strings.ContainsAny(line, "\r\n\x00") {
			t.Fatalf("format wrote a control byte: %q", line)
		}
		// net/http leaves DQUOTE and '\' in attribute values unparsed;
		// compare only on lines both accept.
		if strings.ContainsAny(path, `"\`) {
			return
		}
		checkRoundTrip(t, c, false)
	})
}

// FuzzFormatParsed starts from a Set-Cookie line: whatever net/http parses
// and Validate accepts, Format writes so that net/http reads it back the
// same.
func FuzzFormatParsed(f *testing.F) {
	f.Add("sid=abc; Path=/; HttpOnly; Secure; SameSite=Lax")
	f.Add(`__Host-id="x"; path=/; secure; max-age=60; partitioned`)
	f.Add("a=b; Expires=Wed, 21 Oct 2099 07:28:00 GMT; Domain=.Example.com")
	f.Add("a=b; samesite=none; secure; max-age=0")
	f.Add("a=b; Path=/x; Unknown=1")
	f.Fuzz(func(t *testing.T, line string) {
		c, err := http.ParseSetCookie(line)
		if err != nil {
			return
		}
		c.Raw, c.RawExpires = "", ""
		if Validate(c) != nil {
			return
		}
		if strings.ContainsAny(c.Path, `"\`) {
			return
		}
		checkRoundTrip(t, c, false)
	})
}

func FuzzVerify(f *testing.F) {
	ring, _ := NewKeyRing(secretA, secretB)
	s := &Signer{Keys: ring, MaxAge: time.Hour}
	for _, v := range []string{"", "x", "hello, world", strings.Repeat("z", 300)} {
		text, _ := s.Sign("sid", []byte(v))
		f.Add("sid", text)
	}
	f.Add("sid", "AQ")
	f.Add("sid", "AQAAAAAAAAAAAAAA\n")
	f.Fuzz(func(t *testing.T, name, text string) {
		value, err := s.Verify(name, text)
		if err != nil {
			if value != nil {
				t.Fatal("value returned with an error")
			}
			for _, sentinel := range []error{ErrMalformed, ErrBadSignature, ErrExpired, ErrInvalidName} {
				if errors.Is(err, sentinel) {
					return
				}
			}
			t.Fatalf("Verify error without a sentinel: %v", err)
		}
		// Accepted text is exactly what Sign would make: re-signing the
		// value with the same header gives the same text.
		again, err := s.Sign(name, value)
		if err != nil {
			t.Fatalf("Sign of a verified value: %v", err)
		}
		if len(again) != len(text) {
			t.Fatalf("verified %q but a fresh signature has another length", text)
		}
	})
}

func FuzzOpen(f *testing.F) {
	ring, _ := NewKeyRing(secretA, secretB)
	s := &Sealer{Keys: ring, MaxAge: time.Hour}
	for _, v := range []string{"", "x", "hello, world", strings.Repeat("z", 300)} {
		text, _ := s.Seal("sid", []byte(v))
		f.Add("sid", text)
	}
	f.Add("sid", "Ag")
	f.Fuzz(func(t *testing.T, name, text string) {
		value, err := s.Open(name, text)
		if err != nil {
			if value != nil {
				t.Fatal("value returned with an error")
			}
			for _, sentinel := range []error{ErrMalformed, ErrDecrypt, ErrExpired, ErrInvalidName} {
				if errors.Is(err, sentinel) {
					return
				}
			}
			t.Fatalf("Open error without a sentinel: %v", err)
		}
		// Only sealed texts from the seeds can open; they must round-trip.
		again, err := s.Seal(name, value)
		if err != nil {
			t.Fatal(err)
		}
		if back, err := s.Open(name, again); err != nil || !bytes.Equal(back, value) {
			t.Fatalf("re-sealed value does not open: %v", err)
		}
	})
}
