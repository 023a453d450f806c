//go:build unix

package main

import (
	"os"
	"path/filepath"
	"syscall"
)

// lockDir takes an exclusive lock on dir for this process, without
// waiting. It reports false when another process holds it.
func lockDir(dir string) (unlock func(), ok bool) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, false
	}
	f, err := os.OpenFile(filepath.Join(dir, ".ws-lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, false
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, false
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, true
}
