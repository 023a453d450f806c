//go:build !race

package cache

import (
	"strconv"
	"testing"
)

// TestAllocations holds the cache to its allocation budget: none on Get,
// none on updating an existing key, at most one (the node) on insert.
// (The race detector changes allocation counts, hence the build tag.)
func TestAllocations(t *testing.T) {
	c := MustNew(Options[string, int]{MaximumSize: 1 << 20})
	defer c.Close()
	keys := make([]string, 4096)
	for i := range keys {
		keys[i] = "key-" + strconv.Itoa(i)
		c.Set(keys[i], i)
	}
	c.CleanUp()
	i := 0
	if a := testing.AllocsPerRun(1000, func() { c.Get(keys[i%len(keys)]); i++ }); a != 0 {
		t.Errorf("Get allocates %v per call", a)
	}
	if a := testing.AllocsPerRun(1000, func() { c.Set(keys[i%len(keys)], i); i++ }); a != 0 {
		t.Errorf("updating an existing key allocates %v per call", a)
	}
	fresh := make([]string, 2000)
	for j := range fresh {
		fresh[j] = "fresh-" + strconv.Itoa(j)
	}
	j := 0
	if a := testing.AllocsPerRun(1000, func() { c.Set(fresh[j], j); j++ }); a > 1 {
		t.Errorf("insert allocates %v per call", a)
	}
}
