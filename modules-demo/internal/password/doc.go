// Package password hashes passwords with Argon2id, the memory-hard function
// that OWASP recommends first for password storage, and verifies them in
// constant time.
//
// Hashes are stored in the PHC string format that other Argon2 libraries
// read and write:
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt, base64>$<key, base64>
//
// The cost parameters travel with each hash, so raising them later only
// affects new hashes; NeedsRehash tells when an old hash should be replaced
// at the user's next login.
package password
