// Command ws is the developer tool of the stdweb workspace. Run it from
// anywhere inside the workspace as
//
//	go tool ws <command> [flags] [arguments]
//
// The commands are:
//
//	test     vet and race-test every workspace module (or the named ones)
//	isolate  build and test each module alone, as a user importing it by version
//	release  show each module's API change since its last release and the next version
//	watch    rebuild and restart a program whenever the workspace changes
//	bench    run one suite of comparison benchmarks and print benchstat and ratios
//
// Every command accepts -h. Exit status is 0 on success, 1 when a module
// (or build, or benchmark) failed, and 2 for a usage error.
//
// See tools/README.md for examples.
package main
