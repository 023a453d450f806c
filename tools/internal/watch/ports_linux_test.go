package watch

import (
	"net"
	"os"
	"slices"
	"testing"
)

func TestListeningPorts(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	if got := listeningPorts(os.Getpid()); !slices.Contains(got, port) {
		t.Errorf("listeningPorts(self) = %v, want it to contain %d", got, port)
	}
}
