package redisstorebench

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	scsredis "github.com/alexedwards/scs/redisstore"
	"github.com/alexedwards/scs/v2"
	"github.com/gomodule/redigo/redis"
	"github.com/redis/rueidis"
	"github.com/serverdev/stdweb/sessioncache"
	"github.com/serverdev/stdweb/sessioncache/redisstore"
)

// sessionAPI is what the benchmark's handlers need from a session manager.
type sessionAPI struct {
	handler func(http.Handler) http.Handler
	getInt  func(r *http.Request, key string) int
	put     func(r *http.Request, key string, v any)
}

// app is the benchmark's application: POST /login starts a session with a
// user id and a cart, GET /page reads the user id, POST /cart changes the
// cart.
func app(api sessionAPI) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		for k, v := range sessionValues {
			api.put(r, k, v)
		}
	})
	mux.HandleFunc("GET /page", func(w http.ResponseWriter, r *http.Request) {
		if api.getInt(r, "user_id") != 1234567 {
			http.Error(w, "no user", http.StatusUnauthorized)
		}
	})
	mux.HandleFunc("POST /cart", func(w http.ResponseWriter, r *http.Request) {
		api.getInt(r, "user_id")
		api.put(r, "cart", r.URL.Query().Get("v"))
	})
	return api.handler(mux)
}

func oursAPI(b *testing.B, addr string, idle time.Duration) sessionAPI {
	client, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{addr}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(client.Close)
	m := &sessioncache.Manager{
		Store:       redisstore.New(client, redisstore.Options{Prefix: "mw-ours:"}),
		IdleTimeout: idle,
		Cookie:      sessioncache.CookieOptions{Insecure: true},
	}
	return sessionAPI{
		handler: m.Handler,
		getInt:  func(r *http.Request, key string) int { return m.GetInt(r.Context(), key) },
		put:     func(r *http.Request, key string, v any) { m.Put(r.Context(), key, v) },
	}
}

func scsAPI(b *testing.B, addr string, idle time.Duration) sessionAPI {
	pool := &redis.Pool{
		MaxIdle:     4 * parallelism,
		IdleTimeout: time.Minute,
		Dial:        func() (redis.Conn, error) { return redis.Dial("tcp", addr) },
	}
	b.Cleanup(func() { pool.Close() })
	sm := scs.New()
	sm.Store = scsredis.NewWithPrefix(pool, "mw-scs:")
	sm.IdleTimeout = idle
	sm.Cookie.Secure = false
	return sessionAPI{
		handler: sm.LoadAndSave,
		getInt:  func(r *http.Request, key string) int { return sm.GetInt(r.Context(), key) },
		put:     func(r *http.Request, key string, v any) { sm.Put(r.Context(), key, v) },
	}
}

// login starts n sessions through h and returns their cookies.
func login(b *testing.B, h http.Handler, n int) []string {
	cookies := make([]string, n)
	for i := range cookies {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("POST", "/login", nil))
		c := w.Result().Cookies()
		if w.Code != http.StatusOK || len(c) == 0 {
			b.Fatalf("login: %d, cookies %v", w.Code, c)
		}
		cookies[i] = c[0].Name + "=" + c[0].Value
	}
	return cookies
}

// BenchmarkMiddlewareReadMostly serves the read-mostly workload through each
// session manager's middleware, with its Redis store, from many goroutines:
// 19 of 20 requests read the user id, one in 20 also changes the cart. With
// an idle timeout, scs writes every session back on every request; ours
// saves a later deadline at most once per tenth of the idle timeout.
func BenchmarkMiddlewareReadMostly(b *testing.B) {
	srv := startRedis(b)
	for _, mode := range []struct {
		name string
		idle time.Duration
	}{
		{"lifetime", 0},
		{"idle", 30 * time.Minute},
	} {
		for _, impl := range []struct {
			name string
			api  func(*testing.B, string, time.Duration) sessionAPI
		}{
			{"ours", oursAPI},
			{"scs", scsAPI},
		} {
			h := app(impl.api(b, srv.Addr(), mode.idle))
			cookies := login(b, h, sessions/10)
			b.Run(mode.name+"/"+impl.name, func(b *testing.B) {
				var next atomic.Int64
				before := commandCount(b, srv)
				b.ReportAllocs()
				b.SetParallelism(parallelism)
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						n := int(next.Add(1))
						var r *http.Request
						if n%writeEvery == 0 {
							r = httptest.NewRequest("POST", fmt.Sprint("/cart?v=c", n), nil)
						} else {
							r = httptest.NewRequest("GET", "/page", nil)
						}
						r.Header.Set("Cookie", cookies[(n*7919)%len(cookies)])
						w := httptest.NewRecorder()
						h.ServeHTTP(w, r)
						if w.Code != http.StatusOK {
							b.Errorf("%s %s: %d %s", r.Method, r.URL, w.Code, strings.TrimSpace(w.Body.String()))
							return
						}
					}
				})
				b.StopTimer()
				b.ReportMetric(float64(commandCount(b, srv)-before)/float64(b.N), "redis-cmds/op")
			})
		}
	}
}
