package cookies

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"sync"
)

// MinSecretLen is the shortest secret NewKeyRing accepts, in bytes.
const MinSecretLen = 32

// HKDF info labels: one secret gives independent keys for each purpose.
const (
	infoSign = "github.com/serverdev/stdweb/cookies v1 HMAC-SHA-256"
	infoSeal = "github.com/serverdev/stdweb/cookies v1 AES-256-GCM"
	infoID   = "github.com/serverdev/stdweb/cookies v1 key ID"
)

// A KeyRing holds the keys that sign and seal cookie values. The first
// secret's keys sign and seal; every secret's keys verify and open. To
// rotate, put the new secret first and keep the old one after it until
// the values it signed have expired, then drop it.
//
// Each value carries a 4-byte key ID derived from its secret, so
// verification looks up the one key that made it instead of trying each.
// A KeyRing is immutable and safe for concurrent use.
type KeyRing struct {
	keys    []*ringKey
	scratch sync.Pool // of *[]byte: working buffers of Sign, Verify, Seal and Open
}

// maxPooledScratch is the largest working buffer kept for reuse: enough
// for any cookie-sized value, its binding and its text.
const maxPooledScratch = 3 * MaxNameValueBytes

// getScratch returns a working buffer of n bytes, reused when possible.
func (r *KeyRing) getScratch(n int) *[]byte {
	if p, ok := r.scratch.Get().(*[]byte); ok && cap(*p) >= n {
		*p = (*p)[:n]
		return p
	}
	b := make([]byte, n)
	return &b
}

// putScratch clears a working buffer, which held values and keys'
// output, and keeps it for reuse.
func (r *KeyRing) putScratch(p *[]byte) {
	if cap(*p) > maxPooledScratch {
		return
	}
	clear(*p)
	r.scratch.Put(p)
}

type ringKey struct {
	id   uint32
	aead cipher.AEAD
	macs sync.Pool // of hash.Hash, HMAC-SHA-256 keyed with the signing key
}

// NewKeyRing derives the signing key (HMAC-SHA-256), the sealing key
// (AES-256-GCM) and the key ID of each secret with HKDF-SHA-256, under
// separate labels, so one secret serves signing and encryption. Each
// secret must be at least MinSecretLen bytes; shorter secrets are
// ErrSecretTooShort. The length check cannot measure randomness: use 32
// or more bytes from crypto/rand, for example as the 64 hex characters of
// `openssl rand -hex 32` in an environment variable, passed as they are.
// Two secrets with the same key ID (most likely the same secret twice)
// are an error.
func NewKeyRing(secrets ...[]byte) (*KeyRing, error) {
	if len(secrets) == 0 {
		return nil, fmt.Errorf("%w: no secrets given", ErrSecretTooShort)
	}
	r := &KeyRing{}
	for i, secret := range secrets {
		if len(secret) < MinSecretLen {
			return nil, fmt.Errorf("%w: secret %d is %d bytes; it needs at least %d random bytes", ErrSecretTooShort, i, len(secret), MinSecretLen)
		}
		k, err := deriveKey(secret)
		if err != nil {
			return nil, fmt.Errorf("cookies: deriving keys from secret %d: %w", i, err)
		}
		for j, other := range r.keys {
			if other.id == k.id {
				return nil, fmt.Errorf("cookies: secrets %d and %d give the same key ID %08x; remove the duplicate", j, i, k.id)
			}
		}
		r.keys = append(r.keys, k)
	}
	return r, nil
}

func deriveKey(secret []byte) (*ringKey, error) {
	signKey, err := hkdf.Key(sha256.New, secret, nil, infoSign, 32)
	if err != nil {
		return nil, err
	}
	sealKey, err := hkdf.Key(sha256.New, secret, nil, infoSeal, 32)
	if err != nil {
		return nil, err
	}
	id, err := hkdf.Key(sha256.New, secret, nil, infoID, 4)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(sealKey)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	k := &ringKey{id: binary.BigEndian.Uint32(id), aead: aead}
	k.macs.New = func() any { return hmac.New(sha256.New, signKey) }
	return k, nil
}

// primary returns the key that signs and seals.
func (r *KeyRing) primary() (*ringKey, error) {
	if r == nil || len(r.keys) == 0 {
		return nil, errNoKeys
	}
	return r.keys[0], nil
}

// lookup returns the key with the given ID, or nil.
func (r *KeyRing) lookup(id uint32) *ringKey {
	for _, k := range r.keys {
		if k.id == id {
			return k
		}
	}
	return nil
}

var errNoKeys = errors.New("cookies: no key ring; build one with NewKeyRing")

// mac computes HMAC-SHA-256 over the parts and appends it to dst.
func (k *ringKey) mac(dst []byte, parts ...[]byte) []byte {
	h := k.macs.Get().(hash.Hash)
	h.Reset()
	for _, p := range parts {
		h.Write(p)
	}
	dst = h.Sum(dst)
	k.macs.Put(h)
	return dst
}
