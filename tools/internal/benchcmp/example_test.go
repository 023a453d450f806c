package benchcmp_test

import (
	"fmt"
	"strings"

	"github.com/serverdev/stdweb/tools/internal/benchcmp"
)

func ExampleParse() {
	const output = `BenchmarkSign/ours-2           1000000    50 ns/op
BenchmarkSign/securecookie-2   1000000   200 ns/op
BenchmarkSign/ours-2           1000000    50 ns/op
BenchmarkSign/securecookie-2   1000000   200 ns/op
PASS
`
	rep, err := benchcmp.Parse(strings.NewReader(output))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range rep.Ratios() {
		fmt.Println(r)
	}
	// Output:
	// ratio ours/securecookie Sign = 0.250
}
