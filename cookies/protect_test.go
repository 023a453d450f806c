package cookies

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

var (
	secretA = []byte("0123456789abcdef0123456789abcdef")
	secretB = []byte("fedcba9876543210fedcba9876543210")
)

func mustRing(t testing.TB, secrets ...[]byte) *KeyRing {
	t.Helper()
	r, err := NewKeyRing(secrets...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// protector is what the tamper tests need of Signer and Sealer.
type protector struct {
	name     string
	protect  func(ring *KeyRing, maxAge time.Duration, cookie string, v []byte) (string, error)
	recover  func(ring *KeyRing, cookie, text string) ([]byte, error)
	authErr  error
	overhead int
}

var protectors = []protector{
	{
		name: "signed",
		protect: func(ring *KeyRing, maxAge time.Duration, cookie string, v []byte) (string, error) {
			return (&Signer{Keys: ring, MaxAge: maxAge}).Sign(cookie, v)
		},
		recover: func(ring *KeyRing, cookie, text string) ([]byte, error) {
			return (&Signer{Keys: ring}).Verify(cookie, text)
		},
		authErr:  ErrBadSignature,
		overhead: signedOverhead,
	},
	{
		name: "sealed",
		protect: func(ring *KeyRing, maxAge time.Duration, cookie string, v []byte) (string, error) {
			return (&Sealer{Keys: ring, MaxAge: maxAge}).Seal(cookie, v)
		},
		recover: func(ring *KeyRing, cookie, text string) ([]byte, error) {
			return (&Sealer{Keys: ring}).Open(cookie, text)
		},
		authErr:  ErrDecrypt,
		overhead: sealedOverhead,
	},
}

func TestRoundTrip(t *testing.T) {
	ring := mustRing(t, secretA)
	for _, p := range protectors {
		maxFit := b64.DecodedLen(MaxNameValueBytes-len("sid")) - p.overhead
		for _, n := range []int{0, 1, 2, 3, 100, maxFit} {
			value := bytes.Repeat([]byte{0xA5}, n)
			text, err := p.protect(ring, 0, "sid", value)
			if err != nil {
				t.Fatalf("%s, %d bytes: %v", p.name, n, err)
			}
			if i := firstInvalid(text, &octetTable); i >= 0 || strings.ContainsAny(text, "=+/") {
				t.Errorf("%s: text %q is not base64url cookie-octets", p.name, text)
			}
			got, err := p.recover(ring, "sid", text)
			if err != nil || !bytes.Equal(got, value) {
				t.Errorf("%s, %d bytes: round trip gave %d bytes, %v", p.name, n, len(got), err)
			}
		}
	}
}

// TestReturnedValuesAreOwned checks that a returned value does not share
// memory with the working buffers that later calls reuse.
func TestReturnedValuesAreOwned(t *testing.T) {
	ring := mustRing(t, secretA)
	for _, p := range protectors {
		a, _ := p.protect(ring, 0, "sid", []byte("first value"))
		b, _ := p.protect(ring, 0, "sid", []byte("other bytes"))
		got, err := p.recover(ring, "sid", a)
		if err != nil {
			t.Fatal(err)
		}
		for range 10 {
			p.recover(ring, "sid", b)
			p.protect(ring, 0, "sid", []byte("third value"))
		}
		if string(got) != "first value" {
			t.Errorf("%s: returned value changed to %q by later calls", p.name, got)
		}
	}
}

func TestSealedHidesValue(t *testing.T) {
	ring := mustRing(t, secretA)
	s := &Sealer{Keys: ring}
	secret := []byte("user=alice;role=admin")
	a, _ := s.Seal("sid", secret)
	b, _ := s.Seal("sid", secret)
	if a == b {
		t.Error("two seals of one value are equal; the nonce is not random")
	}
	raw, _ := b64.DecodeString(a)
	if bytes.Contains(raw, secret) || bytes.Contains(raw, []byte("alice")) {
		t.Error("sealed value contains the plaintext")
	}
	signed, _ := (&Signer{Keys: ring}).Sign("sid", secret)
	raw, _ = b64.DecodeString(signed)
	if !bytes.Contains(raw, secret) {
		t.Error("signed value should carry the plaintext readable")
	}
}

func TestTamper(t *testing.T) {
	ring := mustRing(t, secretA)
	for _, p := range protectors {
		t.Run(p.name, func(t *testing.T) {
			text, err := p.protect(ring, 0, "sid", []byte("payload"))
			if err != nil {
				t.Fatal(err)
			}
			raw, err := b64.DecodeString(text)
			if err != nil {
				t.Fatal(err)
			}
			// Every flipped bit, re-encoded: version byte → malformed, others → auth.
			for i := range raw {
				for bit := range 8 {
					bad := bytes.Clone(raw)
					bad[i] ^= 1 << bit
					_, err := p.recover(ring, "sid", b64.EncodeToString(bad))
					want := p.authErr
					if i == 0 {
						want = ErrMalformed
					}
					if !errors.Is(err, want) {
						t.Fatalf("byte %d bit %d flipped: err = %v, want %v", i, bit, err, want)
					}
				}
			}
			// Swapped names: the value is bound to its cookie.
			for _, other := range []string{"sid2", "Sid", "si", "x"} {
				if _, err := p.recover(ring, other, text); !errors.Is(err, p.authErr) {
					t.Errorf("value of sid read as %s: err = %v, want %v", other, err, p.authErr)
				}
			}
			// Truncated at every length.
			for n := range len(text) {
				if _, err := p.recover(ring, "sid", text[:n]); !errors.Is(err, ErrMalformed) && !errors.Is(err, p.authErr) {
					t.Errorf("truncated to %d: err = %v", n, err)
				}
			}
			// Trailing garbage, padding, line breaks and other alphabets.
			for _, bad := range []string{text + "A", text + "AAAA", text + "=", text + "\n", text + "\r\n", text[:10] + "\n" + text[10:], " " + text,
				strings.ReplaceAll(text, "-", "+"), base64.StdEncoding.EncodeToString(raw), base64.URLEncoding.EncodeToString(raw), "", strings.Repeat("A", 5000)} {
				if bad == text {
					continue
				}
				if _, err := p.recover(ring, "sid", bad); err == nil {
					t.Errorf("accepted altered text %q", bad)
				}
			}
		})
	}
}

func TestSignedAndSealedAreNotInterchangeable(t *testing.T) {
	ring := mustRing(t, secretA)
	signed, _ := (&Signer{Keys: ring}).Sign("sid", []byte("v"))
	sealed, _ := (&Sealer{Keys: ring}).Seal("sid", []byte("v"))
	if _, err := (&Sealer{Keys: ring}).Open("sid", signed); !errors.Is(err, ErrMalformed) {
		t.Errorf("Open(signed) err = %v, want ErrMalformed", err)
	}
	if _, err := (&Signer{Keys: ring}).Verify("sid", sealed); !errors.Is(err, ErrMalformed) {
		t.Errorf("Verify(sealed) err = %v, want ErrMalformed", err)
	}
}

func TestExpiry(t *testing.T) {
	for _, p := range protectors {
		t.Run(p.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ring := mustRing(t, secretA)
				short, _ := p.protect(ring, time.Hour, "sid", []byte("v"))
				byDefault, _ := p.protect(ring, 0, "sid", []byte("v"))
				time.Sleep(time.Hour - time.Second)
				if _, err := p.recover(ring, "sid", short); err != nil {
					t.Fatalf("valid just before expiry: %v", err)
				}
				time.Sleep(time.Second)
				if _, err := p.recover(ring, "sid", short); !errors.Is(err, ErrExpired) {
					t.Errorf("at expiry: err = %v, want ErrExpired", err)
				}
				time.Sleep(DefaultMaxAge - time.Hour - time.Second)
				if _, err := p.recover(ring, "sid", byDefault); err != nil {
					t.Errorf("default MaxAge: valid just before expiry: %v", err)
				}
				time.Sleep(time.Second)
				if _, err := p.recover(ring, "sid", byDefault); !errors.Is(err, ErrExpired) {
					t.Errorf("default MaxAge at expiry: err = %v, want ErrExpired", err)
				}
			})
		})
	}
}

// TestExpiryRoundsUp checks that a value never expires before its MaxAge,
// though expiry is stored in whole seconds.
func TestExpiryRoundsUp(t *testing.T) {
	for _, p := range protectors {
		synctest.Test(t, func(t *testing.T) {
			ring := mustRing(t, secretA)
			time.Sleep(500 * time.Millisecond)
			text, _ := p.protect(ring, time.Second, "sid", []byte("v"))
			time.Sleep(999 * time.Millisecond)
			if _, err := p.recover(ring, "sid", text); err != nil {
				t.Errorf("%s: expired before its MaxAge: %v", p.name, err)
			}
			time.Sleep(time.Second)
			if _, err := p.recover(ring, "sid", text); !errors.Is(err, ErrExpired) {
				t.Errorf("%s: err = %v, want ErrExpired", p.name, err)
			}
		})
	}
}

func TestKeyRotation(t *testing.T) {
	old := mustRing(t, secretA)
	rotating := mustRing(t, secretB, secretA)
	rotated := mustRing(t, secretB)
	for _, p := range protectors {
		t.Run(p.name, func(t *testing.T) {
			fromOld, _ := p.protect(old, 0, "sid", []byte("v"))
			fromNew, _ := p.protect(rotating, 0, "sid", []byte("v"))
			if _, err := p.recover(rotating, "sid", fromOld); err != nil {
				t.Errorf("ring with the old key second cannot read the old value: %v", err)
			}
			if _, err := p.recover(rotated, "sid", fromNew); err != nil {
				t.Errorf("the first key did not sign: %v", err)
			}
			_, err := p.recover(rotated, "sid", fromOld)
			if !errors.Is(err, p.authErr) || !strings.Contains(err.Error(), "not in the key ring") {
				t.Errorf("value from a rotated-out key: err = %v, want %v naming the key", err, p.authErr)
			}
			if _, err := p.recover(old, "sid", fromNew); !errors.Is(err, p.authErr) {
				t.Errorf("old ring read a new value: err = %v", err)
			}
		})
	}
}

func TestKeyRingErrors(t *testing.T) {
	if _, err := NewKeyRing(); !errors.Is(err, ErrSecretTooShort) {
		t.Errorf("no secrets: %v", err)
	}
	_, err := NewKeyRing(secretA, secretA[:31])
	if !errors.Is(err, ErrSecretTooShort) || !strings.Contains(err.Error(), "secret 1 is 31 bytes") {
		t.Errorf("short secret: %v", err)
	}
	if _, err := NewKeyRing(secretA, secretB, secretA); err == nil || !strings.Contains(err.Error(), "secrets 0 and 2") {
		t.Errorf("duplicate secret: %v", err)
	}
	// Keys are derived deterministically: another process with the same
	// secret reads the values.
	a, b := mustRing(t, secretA), mustRing(t, secretA)
	text, _ := (&Sealer{Keys: a}).Seal("sid", []byte("v"))
	if _, err := (&Sealer{Keys: b}).Open("sid", text); err != nil {
		t.Errorf("same secret, other ring: %v", err)
	}
	var noKeys Signer
	if _, err := noKeys.Sign("sid", nil); err == nil {
		t.Error("Sign with no key ring succeeded")
	}
	if _, err := noKeys.Verify("sid", "x"); err == nil {
		t.Error("Verify with no key ring succeeded")
	}
	var noSeal Sealer
	if _, err := noSeal.Seal("sid", nil); err == nil {
		t.Error("Seal with no key ring succeeded")
	}
	if _, err := noSeal.Open("sid", "x"); err == nil {
		t.Error("Open with no key ring succeeded")
	}
}

func TestProtectErrors(t *testing.T) {
	ring := mustRing(t, secretA)
	for _, p := range protectors {
		maxFit := b64.DecodedLen(MaxNameValueBytes-len("sid")) - p.overhead
		_, err := p.protect(ring, 0, "sid", make([]byte, maxFit+100))
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "over the limit of 4096") ||
			!strings.Contains(err.Error(), "at most "+strconv.Itoa(maxFit)+" fit") {
			t.Errorf("%s: too large: %v", p.name, err)
		}
		for _, bad := range []string{"", "a b", "a;b", "é", strings.Repeat("a", 5000)} {
			if _, err := p.protect(ring, 0, bad, nil); !errors.Is(err, ErrInvalidName) {
				t.Errorf("%s: name %q: err = %v", p.name, bad, err)
			}
			if _, err := p.recover(ring, bad, "AAAA"); !errors.Is(err, ErrInvalidName) {
				t.Errorf("%s: recover with name %q: err = %v", p.name, bad, err)
			}
		}
	}
}

type session struct {
	User  string   `json:"user"`
	Roles []string `json:"roles"`
}

func TestEncodeDecode(t *testing.T) {
	ring := mustRing(t, secretA)
	in := session{User: "alice", Roles: []string{"admin"}}
	signer, sealer := &Signer{Keys: ring}, &Sealer{Keys: ring}
	st, err := signer.Encode("sid", in)
	if err != nil {
		t.Fatal(err)
	}
	var out session
	if err := signer.Decode("sid", st, &out); err != nil || out.User != "alice" || out.Roles[0] != "admin" {
		t.Errorf("signer Decode = %+v, %v", out, err)
	}
	se, err := sealer.Encode("sid", in)
	if err != nil {
		t.Fatal(err)
	}
	out = session{}
	if err := sealer.Decode("sid", se, &out); err != nil || out.User != "alice" {
		t.Errorf("sealer Decode = %+v, %v", out, err)
	}
	var wrong int
	if err := signer.Decode("sid", st, &wrong); !errors.Is(err, ErrMalformed) {
		t.Errorf("decode into the wrong type: err = %v, want ErrMalformed", err)
	}
	if err := sealer.Decode("other", se, &out); !errors.Is(err, ErrDecrypt) {
		t.Errorf("decode under another name: err = %v", err)
	}
	if err := signer.Decode("sid", st+"x", &out); err == nil {
		t.Error("decode of altered text succeeded")
	}
	if _, err := signer.Encode("sid", func() {}); err == nil || errors.Is(err, ErrTooLarge) {
		t.Errorf("encoding a func: err = %v", err)
	}
	if _, err := sealer.Encode("sid", strings.Repeat("x", 4000)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("encoding a large value: err = %v", err)
	}
}

func TestAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	ring := mustRing(t, secretA)
	value := []byte(`{"user":"alice","roles":["admin"],"csrf":"0123456789abcdef"}`)
	signer, sealer := &Signer{Keys: ring}, &Sealer{Keys: ring}
	if n := testing.AllocsPerRun(100, func() {
		text, _ := signer.Sign("session", value)
		if _, err := signer.Verify("session", text); err != nil {
			t.Fatal(err)
		}
	}); n > 4 {
		t.Errorf("Sign+Verify allocates %v times, want at most 4", n)
	}
	if n := testing.AllocsPerRun(100, func() {
		text, _ := sealer.Seal("session", value)
		if _, err := sealer.Open("session", text); err != nil {
			t.Fatal(err)
		}
	}); n > 4 {
		t.Errorf("Seal+Open allocates %v times, want at most 4", n)
	}
}

func TestConcurrentUse(t *testing.T) {
	ring := mustRing(t, secretB, secretA)
	signer, sealer := &Signer{Keys: ring}, &Sealer{Keys: ring}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				v := []byte{byte(g), byte(i)}
				st, _ := signer.Sign("sid", v)
				if got, err := signer.Verify("sid", st); err != nil || !bytes.Equal(got, v) {
					t.Errorf("verify: %v", err)
				}
				se, _ := sealer.Seal("sid", v)
				if got, err := sealer.Open("sid", se); err != nil || !bytes.Equal(got, v) {
					t.Errorf("open: %v", err)
				}
			}
		})
	}
	wg.Wait()
}
