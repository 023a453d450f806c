package sessioncache

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"strings"
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

// A write stamp (Record.Stamp) travels after the token in the cookie value,
// separated by a dot: "<token>.<stamp>", the stamp being its 8 bytes, big
// endian, as 11 characters of unpadded base64url. It is not secret: it only
// names the client's last write, so that a node with a stale cached copy of
// the session reads the store instead.

const (
	stampBytes = 8
	stampLen   = 11 // base64.RawURLEncoding.EncodedLen(stampBytes)
	stampSep   = '.'
)

// newStamp returns a random non-zero stamp.
func newStamp() uint64 {
	for {
		var b [stampBytes]byte
		rand.Read(b[:])
		if v := binary.BigEndian.Uint64(b[:]); v != 0 {
			return v
		}
	}
}

// appendStamp appends the cookie form of a non-zero stamp.
func appendStamp(dst []byte, stamp uint64) []byte {
	var b [stampBytes]byte
	binary.BigEndian.PutUint64(b[:], stamp)
	return base64.RawURLEncoding.AppendEncode(dst, b[:])
}

// parseStamp decodes the cookie form of a stamp; ok is false for anything
// but 11 canonical base64url characters of a non-zero stamp.
func parseStamp(s string) (stamp uint64, ok bool) {
	if len(s) != stampLen {
		return 0, false
	}
	var in [stampLen]byte
	copy(in[:], s)
	var b [stampBytes + 1]byte
	n, err := strictBase64.Decode(b[:], in[:])
	if err != nil || n != stampBytes {
		return 0, false
	}
	stamp = binary.BigEndian.Uint64(b[:stampBytes])
	return stamp, stamp != 0
}

// cookieValue returns the cookie value of token with stamp (none when 0).
func cookieValue(token string, stamp uint64) string {
	if stamp == 0 {
		return token
	}
	b := make([]byte, 0, tokenLen+1+stampLen)
	b = append(b, token...)
	b = append(b, stampSep)
	return string(appendStamp(b, stamp))
}

// parseCookieValue splits a cookie value, "<token>" or "<token>.<stamp>",
// into its token and stamp (0 when none). Any other shape is rejected, like
// a malformed token.
func parseCookieValue(v string) (token string, stamp uint64, ok bool) {
	token, st, hasStamp := strings.Cut(v, string(stampSep))
	if !validToken(token) {
		return "", 0, false
	}
	if hasStamp {
		if stamp, ok = parseStamp(st); !ok {
			return "", 0, false
		}
	}
	return token, stamp, true
}
