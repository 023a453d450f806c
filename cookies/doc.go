// Package cookies covers everything between an HTTP cookie header and a value
// a server can trust: lenient parsing of the Cookie request header, strict
// building of Set-Cookie under RFC 6265bis (prefixes, SameSite, Partitioned,
// size limits), and signed (HMAC-SHA-256) and encrypted (AES-256-GCM) values
// bound to the cookie's name, with expiry and key rotation.
//
// # Reading
//
// [Get] returns one cookie's value from a request without building the list
// of all cookies; [GetAll] returns every value of a duplicated name; [Parse]
// parses a whole header. Parsing is lenient the way browsers need (a
// malformed pair is skipped, the others are kept), trims only spaces and
// tabs, and is bounded by a [Parser]'s limits.
//
// # Writing
//
// [Set] writes a *http.Cookie as a Set-Cookie header after checking every
// rule of RFC 6265bis, and reports the rule that broke instead of dropping
// bytes the way http.Cookie.String does. [Options] gives session-style
// defaults (Path=/, HttpOnly, Secure, SameSite=Lax) as its zero value;
// [Delete] removes a cookie with the Path and Domain it was set with.
//
// # Trusting
//
// A [KeyRing] derives signing and encryption keys from one or more secrets
// with HKDF. A [Signer] makes values the client can read but not change; a
// [Sealer] makes values the client can neither read nor change. Both bind a
// value to its cookie's name and to an expiry, verify with any key of the
// ring while the first key signs, and encode typed values with a [Codec]
// (JSON by default). Every failure caused by input wraps one of the
// package's sentinel errors, for errors.Is (the few exceptions are listed
// with them): [ErrMalformed], [ErrBadSignature], [ErrDecrypt],
// [ErrExpired], [ErrTooLarge], [ErrTooMany], [ErrInvalidName],
// [ErrInvalidValue], [ErrInvalidAttribute], [ErrPrefix], [ErrSecretTooShort].
package cookies
