package cookies

import "errors"

// Sentinel errors. Every error about input (a Cookie header, a cookie to
// write, a signed or sealed value, a secret) wraps one or more of them,
// with detail, so callers branch with errors.Is. The exceptions are
// programming errors — a Signer or Sealer without a KeyRing, the same
// secret given twice to NewKeyRing — and a Codec's Marshal error, which is
// wrapped with %w as it is; Get and GetAll report a missing cookie as
// http.ErrNoCookie.
var (
	// ErrMalformed reports a signed or sealed value that is not in the
	// format this package writes: bad base64, wrong length, unknown version.
	ErrMalformed = errors.New("cookies: malformed value")
	// ErrBadSignature reports a signed value whose HMAC does not match,
	// including one signed for another cookie name or by a key that is no
	// longer in the key ring.
	ErrBadSignature = errors.New("cookies: bad signature")
	// ErrDecrypt reports a sealed value that does not authenticate: tampered,
	// sealed for another cookie name, or sealed by a key no longer in the ring.
	ErrDecrypt = errors.New("cookies: decryption failed")
	// ErrExpired reports an authentic value whose expiry has passed.
	ErrExpired = errors.New("cookies: value expired")
	// ErrTooLarge reports a cookie, header or attribute over a size limit.
	// The wrapping error says by how much.
	ErrTooLarge = errors.New("cookies: too large")
	// ErrTooMany reports a Cookie header with more pairs than the parser's
	// limit.
	ErrTooMany = errors.New("cookies: too many cookies")
	// ErrInvalidName reports a cookie name that is not an RFC 9110 token.
	ErrInvalidName = errors.New("cookies: invalid cookie name")
	// ErrInvalidValue reports a cookie value with bytes outside the
	// RFC 6265bis cookie-octet set.
	ErrInvalidValue = errors.New("cookies: invalid cookie value")
	// ErrInvalidAttribute reports an attribute (Path, Domain, Expires,
	// Max-Age, SameSite, Partitioned) that is malformed or breaks a rule.
	ErrInvalidAttribute = errors.New("cookies: invalid cookie attribute")
	// ErrPrefix reports a cookie whose name carries a prefix (__Secure-,
	// __Host-, __Http-, __Host-Http-, any letter case) without the
	// attributes that prefix requires.
	ErrPrefix = errors.New("cookies: cookie prefix requirements not met")
	// ErrSecretTooShort reports a key-ring secret shorter than MinSecretLen.
	ErrSecretTooShort = errors.New("cookies: secret too short")
)
