package httpserver

import (
	"net"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
)

var wrkRPS = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)

// TestWrk loads each server with wrk (a separate process, keep-alive,
// 16 connections) and logs requests per second: the stack, the Router
// alone, bare net/http, and bare net/http doing the stack's work by hand
// ("nethttp-equal", see serveBareEqualWork). It runs only with
// STDWEB_WRK=1 and wrk on the PATH:
//
//	STDWEB_WRK=1 go test -run TestWrk -v ./httpserver/
func TestWrk(t *testing.T) {
	if os.Getenv("STDWEB_WRK") != "1" {
		t.Skip("set STDWEB_WRK=1 to run the wrk comparison")
	}
	wrk, err := exec.LookPath("wrk")
	if err != nil {
		t.Skip("wrk not installed")
	}
	rounds, err := strconv.Atoi(os.Getenv("STDWEB_WRK_ROUNDS"))
	if err != nil || rounds < 1 {
		rounds = 3
	}
	for round := range rounds {
		for _, impl := range []struct {
			name  string
			serve func(testing.TB, net.Listener) func()
		}{
			{"stack/ours", serveStack},
			{"router/ours", serveRouter},
			{"nethttp", serveBare},
			{"nethttp-equal", serveBareEqualWork},
		} {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			stop := impl.serve(t, ln)
			out, err := exec.Command(wrk, "-t1", "-c16", "-d3s", "http://"+ln.Addr().String()+"/users/42").CombinedOutput()
			stop()
			if err != nil {
				t.Fatalf("wrk: %v\n%s", err, out)
			}
			m := wrkRPS.FindSubmatch(out)
			if m == nil {
				t.Fatalf("no Requests/sec in wrk output:\n%s", out)
			}
			t.Logf("round %d %-12s %s req/s", round+1, impl.name, m[1])
		}
	}
}
