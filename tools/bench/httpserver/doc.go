// Package httpserver compares the stdweb httpserver module with bare
// net/http and with chi v5: routing plus the exactly-one-response tracking
// in process (BenchmarkRoute), and the full default stack over loopback
// (BenchmarkEndToEnd). Run with
//
//	go test -run '^$' -bench . -benchmem -count 3 ./httpserver/
package httpserver
