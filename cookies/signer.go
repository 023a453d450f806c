package cookies

import (
	"bytes"
	"crypto/hmac"
	"fmt"
	"time"
)

// A Signer makes cookie values that the client can read but not change:
// the value, its expiry and the cookie's name under HMAC-SHA-256, as
// base64url text that fits the cookie grammar. Use a Sealer when the
// client must not read the value either.
//
// A Signer is safe for concurrent use once configured.
type Signer struct {
	// Keys signs with its first key and verifies with any of them.
	Keys *KeyRing
	// MaxAge is how long a signed value stays valid, counted in whole
	// seconds (rounded up). Zero or negative means DefaultMaxAge. Each
	// value carries its own expiry, so lowering MaxAge does not shorten
	// values already issued; a KeyRing built without their secret revokes
	// them.
	MaxAge time.Duration
	// Codec encodes the typed values of Encode and Decode. Nil means
	// JSONCodec.
	Codec Codec
}

// Sign returns value signed for the cookie called name. The size is
// checked first: a value that would not fit a 4096-byte cookie is
// ErrTooLarge, saying by how much.
func (s *Signer) Sign(name string, value []byte) (string, error) {
	k, err := s.Keys.primary()
	if err != nil {
		return "", err
	}
	if err := checkName(name); err != nil {
		return "", err
	}
	if err := checkSize("signed", name, len(value), signedOverhead); err != nil {
		return "", err
	}
	rawLen := signedOverhead + len(value)
	bl := bindingLen(name)
	// One buffer: raw value | binding | text.
	scratch := s.Keys.getScratch(rawLen + bl + b64.EncodedLen(rawLen))
	defer s.Keys.putScratch(scratch)
	buf := *scratch
	raw, binding, text := buf[:rawLen], buf[rawLen:rawLen+bl], buf[rawLen+bl:]
	putHeader(raw, versionSigned, k.id, expiryFrom(s.MaxAge))
	body := headerLen + copy(raw[headerLen:], value)
	putBinding(binding, raw, name)
	k.mac(raw[body:body], binding, raw[headerLen:body])
	b64.Encode(text, raw)
	return string(text), nil
}

// Verify checks text, made by Sign for the cookie called name, and returns
// the value. It reports ErrMalformed for text not in the signed format,
// ErrBadSignature when the HMAC does not match (tampered text, another
// cookie's value, or a key no longer in the ring) and ErrExpired for an
// authentic value past its expiry. The comparison is constant-time.
func (s *Signer) Verify(name, text string) ([]byte, error) {
	if s.Keys == nil {
		return nil, errNoKeys
	}
	if err := checkName(name); err != nil {
		return nil, err
	}
	scratch, raw, spare, err := decodeText(s.Keys, text, versionSigned, signedOverhead, bindingLen(name)+macLen)
	if err != nil {
		return nil, err
	}
	defer s.Keys.putScratch(scratch)
	k := s.Keys.lookup(keyID(raw))
	if k == nil {
		return nil, fmt.Errorf("%w: key ID %08x is not in the key ring", ErrBadSignature, keyID(raw))
	}
	body := len(raw) - macLen
	binding := spare[:bindingLen(name)]
	putBinding(binding, raw, name)
	sum := k.mac(spare[len(binding):len(binding)], binding, raw[headerLen:body])
	if !hmac.Equal(sum, raw[body:]) {
		return nil, fmt.Errorf("%w: for cookie %q", ErrBadSignature, name)
	}
	if err := checkExpiry(raw); err != nil {
		return nil, err
	}
	return bytes.Clone(raw[headerLen:body]), nil
}

// Encode marshals v with the Signer's codec and signs it for the cookie
// called name.
func (s *Signer) Encode(name string, v any) (string, error) {
	data, err := marshal(s.Codec, name, v)
	if err != nil {
		return "", err
	}
	return s.Sign(name, data)
}

// Decode verifies text as Verify does and unmarshals the value into v.
func (s *Signer) Decode(name, text string, v any) error {
	data, err := s.Verify(name, text)
	if err != nil {
		return err
	}
	return unmarshal(s.Codec, name, data, v)
}
