// Package cookies covers everything between an HTTP cookie header and a value
// a server can trust: lenient parsing of the Cookie request header, strict
// building of Set-Cookie under RFC 6265bis (prefixes, SameSite, Partitioned,
// size limits), and signed (HMAC-SHA-256) and encrypted (AES-256-GCM) values
// bound to the cookie's name, with expiry and key rotation.
package cookies
