//go:build !linux && !darwin && !freebsd && !netbsd && !openbsd && !dragonfly

package term

import "os"

// isTerminal falls back to the file mode: a character device that is not
// the null device is taken for a terminal.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	return f.Name() != os.DevNull
}
