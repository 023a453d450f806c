// Package term tells whether a file is an interactive terminal, using only
// the standard library (an ioctl through package syscall where the system
// has one), and holds the few ANSI sequences a progress display needs.
package term
