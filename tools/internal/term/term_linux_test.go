package term

import (
	"os"
	"testing"
)

func TestIsTerminalPseudoTerminal(t *testing.T) {
	t.Setenv("TERM", "xterm")
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer ptmx.Close()
	if !IsTerminal(ptmx) {
		t.Error("IsTerminal(/dev/ptmx) = false, want true")
	}
}
