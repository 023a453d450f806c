// Package workspace finds the go.work file of a Go workspace and describes
// the modules it uses: their folder relative to the workspace root, their
// module path, their directory and their parsed go.mod.
//
// It reads files only; it never runs the go command, so it works while the
// module trees change underneath it.
package workspace
