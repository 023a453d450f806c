// Package apisurface loads the exported API of a module (its importable
// packages: not main, not internal, not tests) with
// golang.org/x/tools/go/packages, in the form golang.org/x/exp/apidiff
// compares.
package apisurface
