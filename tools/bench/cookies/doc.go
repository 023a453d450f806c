// Package cookiesbench compares github.com/serverdev/stdweb/cookies with
// gorilla/securecookie (signed and encrypted values) and net/http (Cookie
// header parsing, Set-Cookie formatting). Every pair of benchmarks uses the
// same cookie name and the same payload; the last element of each name is
// the implementation: ours, securecookie or nethttp.
//
//	go tool ws bench cookies
//	go test -run '^$' -bench . -benchmem ./cookies/   (in tools/bench)
package cookiesbench
