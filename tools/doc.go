// Package tools is the root of the stdweb developer-tools module. It holds
// no code of its own: the tool is the command github.com/serverdev/stdweb/tools/cmd/ws,
// declared with the go.mod tool directive so that
//
//	go tool ws test | isolate | release | watch | bench
//
// works from anywhere in the workspace. The comparison benchmarks live in
// the separate module github.com/serverdev/stdweb/tools/bench.
package tools
