package dotenv_test

import (
	"fmt"
	"sort"
	"strings"

	"github.com/serverdev/stdweb/httpserver/dotenv"
)

func ExampleParse() {
	vars, err := dotenv.Parse(strings.NewReader(`
# database
export DB_URL=postgres://localhost/app   # local only
GREETING="hello\nworld"
RAW='no $expansion here'
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Printf("%s=%q\n", k, vars[k])
	}
	// Output:
	// DB_URL="postgres://localhost/app"
	// GREETING="hello\nworld"
	// RAW="no $expansion here"
}

func ExampleSyntaxError() {
	_, err := dotenv.Parse(strings.NewReader("A=1\nB=\"open\n"))
	fmt.Println(err)
	// Output:
	// dotenv: line 2: unterminated "-quoted value
}
