//go:build !race

package sessions

// raceEnabled reports a build with the race detector, which makes timing
// meaningless.
const raceEnabled = false
