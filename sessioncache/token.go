package sessioncache

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
)

// A session token is 32 bytes from crypto/rand (256 bits), sent in the
// cookie as 43 characters of unpadded base64url. The store never sees it:
// sessions are stored under the SHA-256 of the token, encoded the same way,
// so a copy of the store's contents cannot be replayed as cookies.

const (
	tokenBytes = 32
	tokenLen   = 43 // base64.RawURLEncoding.EncodedLen(tokenBytes)
)

// newToken returns a fresh random token.
func newToken() string {
	var b [tokenBytes]byte
	rand.Read(b[:]) // never fails; crashes the program if the system has no randomness
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// strictBase64 rejects non-canonical encodings (non-zero trailing bits).
var strictBase64 = base64.RawURLEncoding.Strict()

// validToken reports whether s has the exact shape of a token: 43 canonical
// base64url characters. Anything else is never looked up.
func validToken(s string) bool {
	if len(s) != tokenLen {
		return false
	}
	var in [tokenLen]byte
	copy(in[:], s)
	var b [tokenBytes + 1]byte
	n, err := strictBase64.Decode(b[:], in[:])
	return err == nil && n == tokenBytes
}

// storeID returns the id a session with token is stored under.
func storeID(token string) string {
	var sum [sha256.Size]byte
	if len(token) == tokenLen {
		var in [tokenLen]byte // on the stack, unlike []byte(token)
		copy(in[:], token)
		sum = sha256.Sum256(in[:])
	} else {
		sum = sha256.Sum256([]byte(token))
	}
	var out [tokenLen]byte
	base64.RawURLEncoding.Encode(out[:], sum[:])
	return string(out[:])
}

// sameID compares two store ids in constant time.
func sameID(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
