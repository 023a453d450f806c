package redistest_test

import (
	"fmt"
	"log"

	"github.com/serverdev/stdweb/sessioncache/redisstore/redistest"
)

// In a test, prefer redistest.Start(t, ...), which skips the test when
// redis-server is missing and stops the server when the test ends.
// NewServer is for a TestMain or a program.
func ExampleNewServer() {
	srv, err := redistest.NewServer(redistest.Options{AppendOnly: true})
	if err != nil {
		log.Fatal(err) // redis-server is not installed
	}
	defer srv.Close()

	out, err := srv.CLI("SET", "greeting", "hello")
	fmt.Println(out, err)
	srv.Kill() // as a crash would
	if err := srv.Restart(); err != nil {
		log.Fatal(err)
	}
	out, err = srv.CLI("GET", "greeting") // replayed from the append-only file
	fmt.Println(out, err)
}
