// Package filetree writes small trees of files from a map, the way tests
// of the ws tool lay out throwaway workspaces and modules.
package filetree
