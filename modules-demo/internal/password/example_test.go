package password_test

import (
	"fmt"

	"github.com/serverdev/stdweb/modules-demo/internal/password"
)

func Example() {
	var h password.Hasher // the zero Hasher uses the OWASP parameters
	stored := h.Hash("correct horse battery staple")
	fmt.Println(h.Verify(stored, "correct horse battery staple"))
	fmt.Println(h.Verify(stored, "Tr0ub4dor&3"))
	// Output:
	// <nil>
	// password: mismatch
}
