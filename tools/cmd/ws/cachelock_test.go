//go:build unix

package main

import "testing"

func TestLockDir(t *testing.T) {
	dir := t.TempDir()
	unlock, ok := lockDir(dir)
	if !ok {
		t.Fatal("first lock failed")
	}
	if _, ok := lockDir(dir); ok {
		t.Error("second lock succeeded while the first is held")
	}
	unlock()
	unlock2, ok := lockDir(dir)
	if !ok {
		t.Fatal("lock after unlock failed")
	}
	unlock2()
}
