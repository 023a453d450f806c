// Package bench holds the side-by-side benchmarks that compare the stdweb
// modules with the libraries people use today. Each suite lives in its own
// package below this one (httpserver, cookies, cache, sessions, redisstore)
// and runs through `go tool ws bench <suite>`.
//
// Naming convention: the last element of every comparison benchmark's name is
// the implementation, "ours" for stdweb and the peer's short name otherwise
// (BenchmarkSignVerify/ours, BenchmarkSignVerify/securecookie), so that
// `ws bench` can print one `ratio ours/<peer> <benchmark> = <x>` line per pair.
package bench
