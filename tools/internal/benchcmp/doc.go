// Package benchcmp reads the output of comparison benchmarks and compares
// our implementation with each peer's.
//
// The convention: the last "/"-element of a comparison benchmark's name is
// the implementation, "ours" for stdweb and a short name for a peer, as in
// BenchmarkRoute/static/ours and BenchmarkRoute/static/chi. The benchmark's
// comparison name is the rest, without the "Benchmark" prefix and without
// the "-N" GOMAXPROCS suffix; the suffix is kept (Route/static-4) only when
// the output holds more than one GOMAXPROCS value, as after -cpu 1,4.
//
// For each peer, a benchstat table (golang.org/x/perf/benchstat) shows the
// peer's column first and ours second, so the delta column reads as "ours
// relative to the peer". Each shared benchmark also yields a Ratio: ours'
// mean time per operation over the peer's, where the means are benchstat's
// (outliers removed). A ratio below 1 means ours is faster.
package benchcmp
