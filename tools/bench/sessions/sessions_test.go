package sessions

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

// bare is the handler of the read scenario without any session.
var bare = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Write([]byte("hello"))
})

func BenchmarkBareRequest(b *testing.B) {
	b.ReportAllocs()
	w, r := newWriter(), request("")
	for b.Loop() {
		w.reset()
		bare.ServeHTTP(w, r)
	}
}

// scenario is one kind of request, run the same way by the benchmarks and
// by the CPU-time test.
type scenario struct {
	name  string
	idle  time.Duration
	setup func(in impl) *run
}

// run serves the requests of a scenario.
type run struct {
	h       http.Handler
	next    func() *http.Request             // the request of the next iteration
	after   func(w *writer, r *http.Request) // after each request, or nil
	prepare func(n int)                      // untimed work for n more iterations, or nil
}

// serve runs one iteration.
func (r *run) serve(w *writer) {
	req := r.next()
	w.reset()
	r.h.ServeHTTP(w, req)
	if r.after != nil {
		r.after(w, req)
	}
}

// scenarios:
//
//	read       a request reads one value of a 5-value session
//	read-idle  the same with a 30-minute idle timeout
//	new        a request without a cookie puts one value: a new session
//	write      a request changes one value of a 5-value session
//	renew      a request renews the token (login)
//	destroy    a request destroys its session (logout)
var scenarios = []scenario{
	{"read", 0, readRun},
	{"read-idle", 30 * time.Minute, readRun},
	{"new", 0, func(in impl) *run {
		r := request("")
		return &run{
			h:    in.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { in.put(r.Context(), "user_id", "u-1234567") })),
			next: func() *http.Request { return r },
		}
	}},
	{"write", 0, func(in impl) *run {
		i := 0
		r := request(newSession(in))
		return &run{
			h: in.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				i++
				in.put(r.Context(), "theme", fmt.Sprint("theme-", i%8))
			})),
			next: func() *http.Request { return r },
		}
	}},
	{"renew", 0, func(in impl) *run {
		r := request(newSession(in))
		return &run{
			h:     in.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { in.renew(r.Context()) })),
			next:  func() *http.Request { return r },
			after: func(w *writer, r *http.Request) { setCookie(r, w.token()) },
		}
	}},
	{"destroy", 0, func(in impl) *run {
		var reqs []*http.Request
		return &run{
			h: in.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { in.destroy(r.Context()) })),
			next: func() *http.Request {
				r := reqs[len(reqs)-1]
				reqs = reqs[:len(reqs)-1]
				return r
			},
			prepare: func(n int) {
				for range n {
					reqs = append(reqs, request(newSession(in)))
				}
			},
		}
	}},
}

func readRun(in impl) *run {
	r := request(newSession(in))
	return &run{
		h: in.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if in.getString(r.Context(), "name") != "Gopher" {
				panic("session lost")
			}
			w.Write([]byte("hello"))
		})),
		next: func() *http.Request { return r },
	}
}

// BenchmarkSession times one request of each scenario through each
// middleware: BenchmarkSession/<scenario>/<ours|scs>.
func BenchmarkSession(b *testing.B) {
	for _, sc := range scenarios {
		b.Run(sc.name, func(b *testing.B) {
			for _, peer := range impls {
				b.Run(peer.name, func(b *testing.B) {
					in := peer.new(options{idle: sc.idle})
					defer in.close()
					r := sc.setup(in)
					w := newWriter()
					const batch = 1024
					left := 0
					b.ReportAllocs()
					for b.Loop() {
						if r.prepare != nil && left == 0 {
							b.StopTimer()
							r.prepare(batch)
							left = batch
							b.StartTimer()
						}
						left--
						r.serve(w)
					}
				})
			}
		})
	}
}
