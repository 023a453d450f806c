package cookiesbench

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/gorilla/securecookie"
	"github.com/serverdev/stdweb/cookies"
)

const cookieName = "session"

// payload is a typical small session value: a user id, roles and a CSRF
// token, as JSON.
var payload = []byte(`{"uid":1234567,"roles":["member","editor"],"csrf":"Qm9vdGgsIFRvcnJlcyBhbmQgQ28"}`)

type session struct {
	UID   int      `json:"uid"`
	Roles []string `json:"roles"`
	CSRF  string   `json:"csrf"`
}

var typed = session{UID: 1234567, Roles: []string{"member", "editor"}, CSRF: "Qm9vdGgsIFRvcnJlcyBhbmQgQ28"}

var (
	secret   = []byte("a bench secret of at least thirty-two bytes")
	hashKey  = bytes.Repeat([]byte{0x11}, 32) // HMAC-SHA-256 key
	blockKey = bytes.Repeat([]byte{0x22}, 32) // AES-256 key
)

func ring(b *testing.B) *cookies.KeyRing {
	r, err := cookies.NewKeyRing(secret)
	if err != nil {
		b.Fatal(err)
	}
	return r
}

// rawSecureCookie returns a securecookie that carries bytes as they are
// (NopEncoder), so that both sides sign the same payload without a
// serialization step.
func rawSecureCookie(blockKey []byte) *securecookie.SecureCookie {
	return securecookie.New(hashKey, blockKey).SetSerializer(securecookie.NopEncoder{})
}

// measure runs op b.N times with allocation reporting, and reports the
// CPU time per operation as cpu-ns/op next to the wall time.
func measure(b *testing.B, op func()) {
	b.ReportAllocs()
	start, ok := cpuTime()
	for b.Loop() {
		op()
	}
	if end, ok2 := cpuTime(); ok && ok2 {
		b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
	}
}

// benchSecureCookie encodes the payload with securecookie and decodes it
// back: signed only when blockKey is nil, encrypted and signed otherwise.
func benchSecureCookie(b *testing.B, blockKey []byte) {
	sc := rawSecureCookie(blockKey)
	measure(b, func() {
		text, err := sc.Encode(cookieName, payload)
		if err != nil {
			b.Fatal(err)
		}
		var out []byte
		if err := sc.Decode(cookieName, text, &out); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkSignVerify signs a payload for a cookie and verifies it back:
// HMAC-SHA-256 on both sides.
func BenchmarkSignVerify(b *testing.B) {
	b.Run("ours", func(b *testing.B) {
		s := &cookies.Signer{Keys: ring(b)}
		measure(b, func() {
			text, err := s.Sign(cookieName, payload)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := s.Verify(cookieName, text); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("securecookie", func(b *testing.B) { benchSecureCookie(b, nil) })
}

// BenchmarkSealOpen encrypts a payload for a cookie and decrypts it back:
// AES-256-GCM for us, AES-256-CTR plus HMAC-SHA-256 for securecookie.
func BenchmarkSealOpen(b *testing.B) {
	b.Run("ours", func(b *testing.B) {
		s := &cookies.Sealer{Keys: ring(b)}
		measure(b, func() {
			text, err := s.Seal(cookieName, payload)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := s.Open(cookieName, text); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("securecookie", func(b *testing.B) { benchSecureCookie(b, blockKey) })
}

// BenchmarkSealOpenJSON is BenchmarkSealOpen with a typed value through
// each library's JSON codec.
func BenchmarkSealOpenJSON(b *testing.B) {
	b.Run("ours", func(b *testing.B) {
		s := &cookies.Sealer{Keys: ring(b)}
		measure(b, func() {
			text, err := s.Encode(cookieName, &typed)
			if err != nil {
				b.Fatal(err)
			}
			var out session
			if err := s.Decode(cookieName, text, &out); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("securecookie", func(b *testing.B) {
		sc := securecookie.New(hashKey, blockKey).SetSerializer(securecookie.JSONEncoder{})
		measure(b, func() {
			text, err := sc.Encode(cookieName, &typed)
			if err != nil {
				b.Fatal(err)
			}
			var out session
			if err := sc.Decode(cookieName, text, &out); err != nil {
				b.Fatal(err)
			}
		})
	})
}

// tenCookies is a Cookie header as a browser sends it to a site with
// analytics, preferences and a session.
const tenCookies = `_ga=GA1.2.1234567890.1700000000; _gid=GA1.2.987654321.1700000000; ` +
	`theme=dark; lang=en-US; csrf="abcDEF0123456789"; consent=yes; tz=Europe%2FBerlin; ` +
	`cart=3; ab=variant-b; session=AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA`

// BenchmarkParse10 parses a 10-cookie header into its list.
func BenchmarkParse10(b *testing.B) {
	b.Run("ours", func(b *testing.B) {
		measure(b, func() {
			pairs, err := cookies.Parse(tenCookies)
			if err != nil || len(pairs) != 10 {
				b.Fatal(len(pairs), err)
			}
		})
	})
	b.Run("nethttp", func(b *testing.B) {
		measure(b, func() {
			cs, err := http.ParseCookie(tenCookies)
			if err != nil || len(cs) != 10 {
				b.Fatal(len(cs), err)
			}
		})
	})
}

// BenchmarkGet10 reads the last of ten cookies from a request.
func BenchmarkGet10(b *testing.B) {
	r, _ := http.NewRequest("GET", "http://example.com/", nil)
	r.Header.Set("Cookie", tenCookies)
	b.Run("ours", func(b *testing.B) {
		measure(b, func() {
			if v, err := cookies.Get(r, cookieName); err != nil || v == "" {
				b.Fatal(err)
			}
		})
	})
	b.Run("nethttp", func(b *testing.B) {
		measure(b, func() {
			if c, err := r.Cookie(cookieName); err != nil || c.Value == "" {
				b.Fatal(err)
			}
		})
	})
}

// BenchmarkFormat writes a session cookie's Set-Cookie line.
func BenchmarkFormat(b *testing.B) {
	c := cookies.Options{MaxAge: 3600 * 1e9}.New(cookieName, "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA")
	b.Run("ours", func(b *testing.B) {
		measure(b, func() {
			if s, err := cookies.Format(c); err != nil || s == "" {
				b.Fatal(err)
			}
		})
	})
	b.Run("nethttp", func(b *testing.B) {
		measure(b, func() {
			if s := c.String(); s == "" {
				b.Fatal("empty")
			}
		})
	})
}
