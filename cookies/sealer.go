package cookies

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"time"
)

// A Sealer makes cookie values that the client can neither read nor
// change: the value and its expiry encrypted with AES-256-GCM, the cookie's
// name and the expiry authenticated as additional data, as base64url text
// that fits the cookie grammar. Each value has a random 96-bit nonce; keep
// a key to well under 2³² sealed values, and rotate it with the KeyRing.
//
// A Sealer is safe for concurrent use once configured.
type Sealer struct {
	// Keys seals with its first key and opens with any of them.
	Keys *KeyRing
	// MaxAge is how long a sealed value stays valid, counted in whole
	// seconds (rounded up). Zero or negative means DefaultMaxAge. Each
	// value carries its own expiry, so lowering MaxAge does not shorten
	// values already issued; a KeyRing built without their secret revokes
	// them.
	MaxAge time.Duration
	// Codec encodes the typed values of Encode and Decode. Nil means
	// JSONCodec.
	Codec Codec
}

// Seal returns value encrypted for the cookie called name. The size is
// checked first: a value that would not fit a 4096-byte cookie is
// ErrTooLarge, saying by how much.
func (s *Sealer) Seal(name string, value []byte) (string, error) {
	k, err := s.Keys.primary()
	if err != nil {
		return "", err
	}
	if err := checkName(name); err != nil {
		return "", err
	}
	if err := checkSize("sealed", name, len(value), sealedOverhead); err != nil {
		return "", err
	}
	rawLen := sealedOverhead + len(value)
	bl := bindingLen(name)
	// One buffer: raw value | binding | text.
	scratch := s.Keys.getScratch(rawLen + bl + b64.EncodedLen(rawLen))
	defer s.Keys.putScratch(scratch)
	buf := *scratch
	raw, binding, text := buf[:rawLen], buf[rawLen:rawLen+bl], buf[rawLen+bl:]
	putHeader(raw, versionSealed, k.id, expiryFrom(s.MaxAge))
	nonce := raw[headerLen : headerLen+nonceLen]
	rand.Read(nonce) // never fails; see crypto/rand.Read
	body := raw[headerLen+nonceLen:]
	n := copy(body, value)
	putBinding(binding, raw, name)
	k.aead.Seal(body[:0], nonce, body[:n], binding)
	b64.Encode(text, raw)
	return string(text), nil
}

// Open decrypts text, made by Seal for the cookie called name, and returns
// the value. It reports ErrMalformed for text not in the sealed format,
// ErrDecrypt when it does not authenticate (tampered text, another
// cookie's value, or a key no longer in the ring) and ErrExpired for an
// authentic value past its expiry.
func (s *Sealer) Open(name, text string) ([]byte, error) {
	if s.Keys == nil {
		return nil, errNoKeys
	}
	if err := checkName(name); err != nil {
		return nil, err
	}
	scratch, raw, spare, err := decodeText(s.Keys, text, versionSealed, sealedOverhead, bindingLen(name))
	if err != nil {
		return nil, err
	}
	defer s.Keys.putScratch(scratch)
	k := s.Keys.lookup(keyID(raw))
	if k == nil {
		return nil, fmt.Errorf("%w: key ID %08x is not in the key ring", ErrDecrypt, keyID(raw))
	}
	putBinding(spare, raw, name)
	nonce := raw[headerLen : headerLen+nonceLen]
	body := raw[headerLen+nonceLen:]
	value, err := k.aead.Open(body[:0], nonce, body, spare)
	if err != nil {
		return nil, fmt.Errorf("%w: for cookie %q", ErrDecrypt, name)
	}
	if err := checkExpiry(raw); err != nil {
		return nil, err
	}
	return bytes.Clone(value), nil
}

// Encode marshals v with the Sealer's codec and seals it for the cookie
// called name.
func (s *Sealer) Encode(name string, v any) (string, error) {
	data, err := marshal(s.Codec, name, v)
	if err != nil {
		return "", err
	}
	return s.Seal(name, data)
}

// Decode opens text as Open does and unmarshals the value into v.
func (s *Sealer) Decode(name, text string, v any) error {
	data, err := s.Open(name, text)
	if err != nil {
		return err
	}
	return unmarshal(s.Codec, name, data, v)
}
