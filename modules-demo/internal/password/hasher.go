package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Default cost parameters: the OWASP Password Storage Cheat Sheet's first
// Argon2id configuration (19 MiB of memory, 2 passes, 1 lane).
const (
	DefaultMemory  = 19 * 1024 // KiB
	DefaultTime    = 2
	DefaultThreads = 1
)

const (
	saltLen = 16
	keyLen  = 32
	// maxMemory bounds the memory a stored hash may ask for (1 GiB), so a
	// corrupt or hostile hash string cannot make Verify allocate without
	// limit.
	maxMemory = 1 << 20
	maxTime   = 64
)

var (
	// ErrMalformed reports a stored hash that is not an Argon2id PHC string
	// this package can read.
	ErrMalformed = errors.New("password: malformed hash")
	// ErrMismatch reports a password that does not match the hash.
	ErrMismatch = errors.New("password: mismatch")
)

// A Hasher hashes and verifies passwords. Its zero value uses the Default
// parameters; tests may lower them to run fast.
type Hasher struct {
	Memory  uint32 // KiB; 0 means DefaultMemory
	Time    uint32 // passes; 0 means DefaultTime
	Threads uint8  // lanes; 0 means DefaultThreads
}

func (h Hasher) params() (memory, time uint32, threads uint8) {
	memory, time, threads = h.Memory, h.Time, h.Threads
	if memory == 0 {
		memory = DefaultMemory
	}
	if time == 0 {
		time = DefaultTime
	}
	if threads == 0 {
		threads = DefaultThreads
	}
	return memory, time, threads
}

// Hash returns the PHC string of password under a fresh random salt.
func (h Hasher) Hash(password string) string {
	memory, time, threads := h.params()
	salt := make([]byte, saltLen)
	rand.Read(salt) // never returns an error (crypto/rand, Go 1.24+)
	key := argon2.IDKey([]byte(password), salt, time, memory, threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, memory, time, threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// Verify reports whether password matches encoded, a string made by Hash:
// nil when it does, ErrMismatch when it does not, and an error wrapping
// ErrMalformed when encoded cannot be read. The comparison is constant-time.
func (Hasher) Verify(encoded, password string) error {
	p, err := parse(encoded)
	if err != nil {
		return err
	}
	key := argon2.IDKey([]byte(password), p.salt, p.time, p.memory, p.threads, uint32(len(p.key)))
	if subtle.ConstantTimeCompare(key, p.key) != 1 {
		return ErrMismatch
	}
	return nil
}

// NeedsRehash reports whether encoded was made with parameters other than
// h's, so that the caller should store a new hash of the password it has
// just verified.
func (h Hasher) NeedsRehash(encoded string) bool {
	p, err := parse(encoded)
	if err != nil {
		return true
	}
	memory, time, threads := h.params()
	return p.memory != memory || p.time != time || p.threads != threads || len(p.key) != keyLen
}

type phc struct {
	memory, time uint32
	threads      uint8
	salt, key    []byte
}

// parse reads "$argon2id$v=19$m=M,t=T,p=P$salt$key".
func parse(encoded string) (phc, error) {
	var p phc
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, fmt.Errorf("%w: not an argon2id PHC string", ErrMalformed)
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, fmt.Errorf("%w: unsupported version %q", ErrMalformed, parts[2])
	}
	var threads uint32
	n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.memory, &p.time, &threads)
	if err != nil || n != 3 || fmt.Sprintf("m=%d,t=%d,p=%d", p.memory, p.time, threads) != parts[3] {
		return p, fmt.Errorf("%w: bad parameters %q", ErrMalformed, parts[3])
	}
	if threads < 1 || threads > 255 || p.time < 1 || p.time > maxTime || p.memory < 8*threads || p.memory > maxMemory {
		return p, fmt.Errorf("%w: parameters out of range %q", ErrMalformed, parts[3])
	}
	p.threads = uint8(threads)
	b64 := base64.RawStdEncoding.Strict()
	if p.salt, err = b64.DecodeString(parts[4]); err != nil || len(p.salt) < 8 {
		return p, fmt.Errorf("%w: bad salt", ErrMalformed)
	}
	if p.key, err = b64.DecodeString(parts[5]); err != nil || len(p.key) < 16 || len(p.key) > 64 {
		return p, fmt.Errorf("%w: bad key", ErrMalformed)
	}
	return p, nil
}
