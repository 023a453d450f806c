package password

import (
	"errors"
	"strings"
	"testing"
)

// fast keeps the tests quick; production code uses the zero Hasher.
var fast = Hasher{Memory: 64, Time: 1}

func TestHashVerify(t *testing.T) {
	h := fast.Hash("correct horse")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q does not carry its parameters", h)
	}
	if err := fast.Verify(h, "correct horse"); err != nil {
		t.Fatalf("Verify(right password) = %v", err)
	}
	if err := fast.Verify(h, "correct horsE"); !errors.Is(err, ErrMismatch) {
		t.Fatalf("Verify(wrong password) = %v, want ErrMismatch", err)
	}
	if h2 := fast.Hash("correct horse"); h2 == h {
		t.Fatal("two hashes of one password are equal: salt not random")
	}
	// Verify uses the parameters stored in the hash, not the Hasher's.
	if err := (Hasher{}).Verify(h, "correct horse"); err != nil {
		t.Fatalf("default Hasher cannot verify a cheaper hash: %v", err)
	}
}

func TestNeedsRehash(t *testing.T) {
	h := fast.Hash("pw")
	if fast.NeedsRehash(h) {
		t.Error("NeedsRehash with the same parameters")
	}
	if !(Hasher{Memory: 128, Time: 1}).NeedsRehash(h) {
		t.Error("no NeedsRehash after raising the memory")
	}
	if !fast.NeedsRehash("garbage") {
		t.Error("no NeedsRehash for a malformed hash")
	}
}

func TestVerifyMalformed(t *testing.T) {
	good := fast.Hash("pw")
	parts := strings.Split(good, "$")
	tests := []struct{ name, encoded string }{
		{"empty", ""},
		{"bcrypt", "$2a$10$abcdefghijklmnopqrstuu5Z0k5yQ1Cw0j3B2Y9z8O4Rz3JHk7mS2"},
		{"argon2i", strings.Replace(good, "argon2id", "argon2i", 1)},
		{"version", strings.Replace(good, "v=19", "v=16", 1)},
		{"huge memory", strings.Replace(good, "m=64", "m=99999999", 1)},
		{"zero time", strings.Replace(good, "t=1", "t=0", 1)},
		{"zero threads", strings.Replace(good, "p=1", "p=0", 1)},
		{"trailing params", strings.Replace(good, "p=1", "p=1,x=2", 1)},
		{"bad salt", strings.Join([]string{"", parts[1], parts[2], parts[3], "!!", parts[5]}, "$")},
		{"short key", strings.Join([]string{"", parts[1], parts[2], parts[3], parts[4], "AAAA"}, "$")},
		{"extra part", good + "$x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := fast.Verify(tt.encoded, "pw"); !errors.Is(err, ErrMalformed) {
				t.Errorf("Verify(%q) = %v, want ErrMalformed", tt.encoded, err)
			}
		})
	}
}

func FuzzVerify(f *testing.F) {
	f.Add(fast.Hash("pw"), "pw")
	f.Add("$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA", "")
	f.Add("$argon2id$v=19$m=,t=1,p=1$$", "x")
	f.Fuzz(func(t *testing.T, encoded, pw string) {
		// Keep each run cheap: skip inputs that ask for much memory.
		if p, err := parse(encoded); err == nil && (p.memory > 1024 || p.time > 2 || p.threads > 2) {
			t.Skip()
		}
		err := fast.Verify(encoded, pw)
		if err != nil && !errors.Is(err, ErrMismatch) && !errors.Is(err, ErrMalformed) {
			t.Fatalf("Verify: unexpected error %v", err)
		}
	})
}

// BenchmarkHash measures one hash with the default (OWASP) parameters:
// the price of every sign-up and login.
func BenchmarkHash(b *testing.B) {
	var h Hasher
	for b.Loop() {
		h.Hash("correct horse battery staple")
	}
}
