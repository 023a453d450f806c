package sessioncache

import (
	"strings"
	"testing"
)

func TestTokens(t *testing.T) {
	seen := make(map[string]bool)
	for range 1000 {
		tok := newToken()
		if !validToken(tok) {
			t.Fatalf("newToken() = %q is not valid", tok)
		}
		if seen[tok] {
			t.Fatalf("newToken repeated %q", tok)
		}
		seen[tok] = true
		if id := storeID(tok); id == tok || len(id) != tokenLen || !sameID(id, storeID(tok)) {
			t.Fatalf("storeID(%q) = %q", tok, id)
		}
	}
	good := newToken()
	for _, bad := range []string{
		"", good[:42], good + "A", strings.Repeat("=", 43), good[:42] + "+", good[:42] + "/",
		good[:42] + "B", // non-zero trailing bits: not canonical
		"é" + good[2:],
	} {
		if validToken(bad) && bad != good {
			// "B" may end a canonical token only if its bits are zero.
			if bad == good[:42]+"B" && good[42] == 'B' {
				continue
			}
			t.Errorf("validToken(%q) = true", bad)
		}
	}
}

func FuzzValidToken(f *testing.F) {
	f.Add(newToken())
	f.Add("")
	f.Add(strings.Repeat("A", 43))
	f.Add(strings.Repeat("_", 43))
	f.Fuzz(func(t *testing.T, s string) {
		if !validToken(s) {
			return
		}
		// A valid token is canonical: exactly the encoding of its bytes,
		// and hashes to a valid-looking id.
		if len(s) != tokenLen || strings.ContainsAny(s, "+/= \r\n") {
			t.Fatalf("validToken accepted %q", s)
		}
		if id := storeID(s); len(id) != tokenLen {
			t.Fatalf("storeID(%q) = %q", s, id)
		}
	})
}
