package term

import "os"

// Escape sequences understood by every terminal emulator in use today.
const (
	// ClearLine erases the line the cursor is on.
	ClearLine = "\x1b[2K\r"
	// Up is the format of the sequence that moves the cursor up n lines.
	Up = "\x1b[%dA"
)

// IsTerminal reports whether f is an interactive terminal. It is false for
// files, pipes and /dev/null, and false when TERM is "dumb".
func IsTerminal(f *os.File) bool {
	if f == nil || os.Getenv("TERM") == "dumb" {
		return false
	}
	return isTerminal(f)
}
