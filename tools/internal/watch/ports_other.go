//go:build unix && !linux

package watch

// listeningPorts finds nothing where there is no /proc; set Config.Ports.
func listeningPorts(pid int) []int { return nil }
