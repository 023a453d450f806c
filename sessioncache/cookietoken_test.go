package sessioncache

import (
	"net/http"
	"strings"
	"testing"
)

func FuzzCookieToken(f *testing.F) {
	tok := newToken()
	f.Add("session=" + tok)
	f.Add(`a=1; session="` + tok + `"; b=2`)
	f.Add("session=; session=" + tok)
	f.Add("\u00a0session=" + tok)
	f.Add(";;;=;session")
	f.Add("session=" + cookieValue(tok, newStamp()))
	f.Add("session=" + tok + ".AAAAAAAAAAA")
	f.Add("session=" + tok + ".")
	f.Fuzz(func(t *testing.T, header string) {
		r := &http.Request{Header: http.Header{"Cookie": {header}}}
		v, stamp, ok := cookieToken(r, "session")
		if !ok {
			if v != "" || stamp != 0 {
				t.Fatalf("not found but returned %q, %d", v, stamp)
			}
			return
		}
		if !validToken(v) || !strings.Contains(header, v) || !strings.Contains(header, "session") {
			t.Fatalf("cookieToken(%q) = %q", header, v)
		}
		if stamp != 0 && !strings.Contains(header, cookieValue(v, stamp)) {
			t.Fatalf("cookieToken(%q) = %q, stamp %d not in the header", header, v, stamp)
		}
	})
}
