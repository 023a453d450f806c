// Package modproxy writes a module proxy to a directory, in the layout the
// go command reads through GOPROXY=file:///that/dir: for each module
// version, <path>/@v/<version>.info, .mod and .zip, plus <path>/@v/list.
//
// It serves a directory's current content under any version, which is how
// ws isolate lets a module be built against its siblings "as released"
// before any tag exists. Write also returns the go.sum lines of what it
// wrote, so that a build can stay in readonly mode and still trust them.
package modproxy
