package releases_test

import (
	"fmt"

	"github.com/serverdev/stdweb/tools/internal/releases"
)

func ExampleNext() {
	for _, c := range []struct {
		last   string
		change releases.Change
	}{
		{"", releases.None},
		{"v0.1.0", releases.Incompatible},
		{"v0.2.0", releases.None},
		{"v1.4.2", releases.Compatible},
		{"v1.4.2", releases.Incompatible},
	} {
		next, err := releases.Next(c.last, c.change)
		if err != nil {
			fmt.Printf("%s + %s change: %v\n", c.last, c.change, err)
			continue
		}
		fmt.Printf("%q + %s change: %s\n", c.last, c.change, next)
	}
	// Output:
	// "" + none change: v0.1.0
	// "v0.1.0" + incompatible change: v0.2.0
	// "v0.2.0" + none change: v0.2.1
	// "v1.4.2" + compatible change: v1.5.0
	// v1.4.2 + incompatible change: v1.4.2: incompatible change needs a new major version (a new module path)
}
