package cookies

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"time"
)

// The wire format of signed and sealed values, before base64url
// (RawURLEncoding, no padding, strict) encoding:
//
//	signed: version=1 | key ID (4) | expiry (8, Unix seconds) | value | HMAC-SHA-256 (32)
//	sealed: version=2 | key ID (4) | expiry (8, Unix seconds) | nonce (12) | AES-256-GCM(value) | tag (16)
//
// The HMAC covers the first 13 bytes (the header), the cookie name with a
// 2-byte length, and the value; for sealed values the header and the
// length-prefixed name are the GCM additional data. A value therefore
// cannot be moved to another cookie name, given another expiry, or read
// with another version's rules.
const (
	versionSigned = 1
	versionSealed = 2

	headerLen = 1 + 4 + 8
	macLen    = sha256.Size
	nonceLen  = 12
	tagLen    = 16

	signedOverhead = headerLen + macLen
	sealedOverhead = headerLen + nonceLen + tagLen
)

// DefaultMaxAge is how long a signed or sealed value stays valid when the
// Signer's or Sealer's MaxAge is zero.
const DefaultMaxAge = 24 * time.Hour

// b64 is the text encoding of signed and sealed values. Strict rejects
// non-canonical trailing bits, so each value has exactly one text form.
var b64 = base64.RawURLEncoding.Strict()

// putHeader writes the 13-byte header into dst.
func putHeader(dst []byte, version byte, id uint32, expiry int64) {
	dst[0] = version
	binary.BigEndian.PutUint32(dst[1:5], id)
	binary.BigEndian.PutUint64(dst[5:13], uint64(expiry))
}

// putBinding writes the header and the length-prefixed cookie name into
// dst, which must be headerLen+2+len(name) bytes: the bytes that bind a
// value to its cookie.
func putBinding(dst, header []byte, name string) {
	copy(dst, header[:headerLen])
	binary.BigEndian.PutUint16(dst[headerLen:], uint16(len(name)))
	copy(dst[headerLen+2:], name)
}

func bindingLen(name string) int { return headerLen + 2 + len(name) }

func expiryFrom(maxAge time.Duration) int64 {
	if maxAge <= 0 {
		maxAge = DefaultMaxAge
	}
	// Round up to the next second, so a value never expires before its
	// MaxAge has passed.
	t := time.Now().Add(maxAge)
	exp := t.Unix()
	if t.Nanosecond() != 0 {
		exp++
	}
	return exp
}

// checkName reports whether name can be a cookie name.
func checkName(name string) error {
	if len(name) > MaxNameValueBytes {
		return fmt.Errorf("%w: %d bytes is longer than any cookie", ErrInvalidName, len(name))
	}
	if !isToken(name) {
		return fmt.Errorf("%w: %q is not a token", ErrInvalidName, name)
	}
	return nil
}

// checkSize reports, before any encoding work, whether a payload of n bytes
// fits a cookie called name once wrapped and encoded.
func checkSize(kind, name string, n, overhead int) error {
	total := len(name) + b64.EncodedLen(n+overhead)
	if total <= MaxNameValueBytes {
		return nil
	}
	fit := b64.DecodedLen(MaxNameValueBytes-len(name)) - overhead
	return fmt.Errorf("%w: %s value for cookie %q would make name and value %d bytes, %d over the limit of %d; the payload is %d bytes and at most %d fit",
		ErrTooLarge, kind, name, total, total-MaxNameValueBytes, MaxNameValueBytes, n, max(fit, 0))
}

// decodeText decodes a signed or sealed value's text into a working
// buffer from r, with room for extra bytes after it; the caller returns
// the buffer with r.putScratch. It rejects text longer than any cookie,
// anything outside the base64url alphabet (including the line breaks the
// base64 package would skip), and values shorter than overhead or of
// another version.
func decodeText(r *KeyRing, text string, version byte, overhead, extra int) (scratch *[]byte, raw, spare []byte, err error) {
	if len(text) > MaxNameValueBytes {
		return nil, nil, nil, fmt.Errorf("%w: %d bytes is longer than any cookie", ErrMalformed, len(text))
	}
	rawCap := b64.DecodedLen(len(text))
	scratch = r.getScratch(rawCap + extra + len(text))
	buf := *scratch
	src := buf[rawCap+extra:]
	copy(src, text)
	n, err := b64.Decode(buf[:rawCap], src)
	switch {
	case err != nil || b64.EncodedLen(n) != len(text):
		err = fmt.Errorf("%w: not base64url text", ErrMalformed)
	case n < overhead:
		err = fmt.Errorf("%w: %d bytes is shorter than the %d-byte minimum", ErrMalformed, n, overhead)
	case buf[0] != version:
		err = fmt.Errorf("%w: version %d, want %d", ErrMalformed, buf[0], version)
	}
	if err != nil {
		r.putScratch(scratch)
		return nil, nil, nil, err
	}
	return scratch, buf[:n], buf[rawCap : rawCap+extra], nil
}

func keyID(raw []byte) uint32 { return binary.BigEndian.Uint32(raw[1:5]) }

// checkExpiry reports ErrExpired when the authenticated header's expiry
// has passed.
func checkExpiry(raw []byte) error {
	exp := int64(binary.BigEndian.Uint64(raw[5:13]))
	if now := time.Now().Unix(); now >= exp {
		return fmt.Errorf("%w: expired %v ago", ErrExpired, time.Duration(now-exp)*time.Second)
	}
	return nil
}
