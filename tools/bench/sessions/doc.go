// Package sessions compares the sessions of
// github.com/serverdev/stdweb/sessioncache ("ours") with
// github.com/alexedwards/scs/v2 ("scs"), both with their in-memory stores.
//
// The benchmarks (BenchmarkSession/<scenario>/<impl>) time one request
// through each middleware; the tests count store writes, lost keys under
// concurrent requests and the per-request overhead against a bare handler.
// The garbage-collector comparison with a million live sessions is a test
// that runs only with SESSIONS_GC=1, because it takes a few GB and a minute.
package sessions
