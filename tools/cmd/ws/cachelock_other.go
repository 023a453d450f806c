//go:build !unix

package main

// lockDir cannot lock without flock; it never claims the directory, so
// each run uses a cache of its own.
func lockDir(dir string) (unlock func(), ok bool) { return nil, false }
