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

// BenchmarkSession times one request through each middleware:
//
//	new        a request without a cookie puts one value: a new session
//	read       a request reads one value of a 5-value session
//	read-idle  the same with a 30-minute idle timeout
//	write      a request changes one value of a 5-value session
//	renew      a request renews the token (login)
//	destroy    a request destroys its session (logout)
func BenchmarkSession(b *testing.B) {
	for _, idle := range []time.Duration{0, 30 * time.Minute} {
		name := "read"
		if idle > 0 {
			name = "read-idle"
		}
		b.Run(name, func(b *testing.B) {
			for _, peer := range impls {
				b.Run(peer.name, func(b *testing.B) {
					in := peer.new(options{idle: idle})
					defer in.close()
					h := in.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						if in.getString(r.Context(), "name") != "Gopher" {
							b.Fatal("session lost")
						}
						w.Write([]byte("hello"))
					}))
					w, r := newWriter(), request(newSession(in))
					b.ReportAllocs()
					for b.Loop() {
						w.reset()
						h.ServeHTTP(w, r)
					}
				})
			}
		})
	}

	b.Run("new", func(b *testing.B) {
		for _, peer := range impls {
			b.Run(peer.name, func(b *testing.B) {
				in := peer.new(options{})
				defer in.close()
				h := in.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					in.put(r.Context(), "user_id", "u-1234567")
				}))
				w, r := newWriter(), request("")
				b.ReportAllocs()
				for b.Loop() {
					w.reset()
					h.ServeHTTP(w, r)
				}
			})
		}
	})

	b.Run("write", func(b *testing.B) {
		for _, peer := range impls {
			b.Run(peer.name, func(b *testing.B) {
				in := peer.new(options{})
				defer in.close()
				i := 0
				h := in.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					i++
					in.put(r.Context(), "theme", fmt.Sprint("theme-", i%8))
				}))
				w, r := newWriter(), request(newSession(in))
				b.ReportAllocs()
				for b.Loop() {
					w.reset()
					h.ServeHTTP(w, r)
				}
			})
		}
	})

	b.Run("renew", func(b *testing.B) {
		for _, peer := range impls {
			b.Run(peer.name, func(b *testing.B) {
				in := peer.new(options{})
				defer in.close()
				h := in.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					in.renew(r.Context())
				}))
				w, r := newWriter(), request(newSession(in))
				b.ReportAllocs()
				for b.Loop() {
					w.reset()
					h.ServeHTTP(w, r)
					setCookie(r, w.token())
				}
			})
		}
	})

	b.Run("destroy", func(b *testing.B) {
		for _, peer := range impls {
			b.Run(peer.name, func(b *testing.B) {
				in := peer.new(options{})
				defer in.close()
				h := in.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					in.destroy(r.Context())
				}))
				// One fresh session per iteration, created untimed in batches.
				const batch = 1024
				reqs := make([]*http.Request, 0, batch)
				w := newWriter()
				b.ReportAllocs()
				for b.Loop() {
					if len(reqs) == 0 {
						b.StopTimer()
						for range batch {
							reqs = append(reqs, request(newSession(in)))
						}
						b.StartTimer()
					}
					w.reset()
					h.ServeHTTP(w, reqs[len(reqs)-1])
					reqs = reqs[:len(reqs)-1]
				}
			})
		}
	})
}
