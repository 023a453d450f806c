package social_test

import (
	"fmt"

	"github.com/serverdev/stdweb/modules-demo/internal/social"
)

func Example() {
	s := social.New(social.Options{})
	// A cache of timelines listens for the users whose timelines change.
	s.Subscribe(func(users []string) { fmt.Println("timelines changed:", users) })

	s.CreateUser("ann", "hash")
	s.CreateUser("bob", "hash")
	s.Follow("ann", "bob")
	s.AddPost("bob", "hello")
	s.AddPost("ann", "hi bob")

	timeline, _ := s.Timeline("ann", 10)
	for _, p := range timeline {
		fmt.Printf("@%s: %s\n", p.Author, p.Body)
	}
	// Output:
	// timelines changed: [ann]
	// timelines changed: [bob ann]
	// timelines changed: [ann]
	// @ann: hi bob
	// @bob: hello
}
