package sessioncache_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/serverdev/stdweb/sessioncache"
)

// send makes a request to h with the cookies of a previous response, and
// returns the new response.
func send(h http.Handler, target string, prev *http.Response) *http.Response {
	r := httptest.NewRequest("GET", target, nil)
	if prev != nil {
		for _, c := range prev.Cookies() {
			r.AddCookie(c)
		}
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Result()
}

func body(res *http.Response) string {
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

func Example() {
	m := &sessioncache.Manager{IdleTimeout: 30 * time.Minute}
	defer m.Close()

	mux := http.NewServeMux()
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		// After checking the password: a new token against session
		// fixation, and the owner for "log out everywhere".
		m.Renew(r.Context())
		m.SetUser(r.Context(), "alice")
		m.Put(r.Context(), "theme", "dark")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s, theme %s", m.User(r.Context()), m.GetString(r.Context(), "theme"))
	})
	h := m.Handler(mux)

	login := send(h, "/login", nil)
	c := login.Cookies()[0]
	fmt.Println(c.Name, c.HttpOnly, c.Secure, c.SameSite == http.SameSiteLaxMode)
	fmt.Println(body(send(h, "/", login)))
	// Output:
	// session true true true
	// hello alice, theme dark
}

func ExampleManager_Pop() {
	m := &sessioncache.Manager{}
	defer m.Close()
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/save" {
			m.Put(r.Context(), "flash", "Saved!")
			return
		}
		fmt.Fprintf(w, "flash: %q", m.PopString(r.Context(), "flash"))
	}))
	saved := send(h, "/save", nil)
	fmt.Println(body(send(h, "/", saved)))
	fmt.Println(body(send(h, "/", saved)))
	// Output:
	// flash: "Saved!"
	// flash: ""
}

func ExampleGet() {
	type cart struct {
		Items []string
		Total int
	}
	m := &sessioncache.Manager{}
	defer m.Close()
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := sessioncache.Get[cart](r.Context(), m, "cart")
		c.Items = append(c.Items, r.URL.Query().Get("item"))
		c.Total += 5
		m.Put(r.Context(), "cart", c)
		fmt.Fprintf(w, "%v %d", c.Items, c.Total)
	}))
	first := send(h, "/?item=book", nil)
	fmt.Println(body(first))
	fmt.Println(body(send(h, "/?item=pen", first)))
	// Output:
	// [book] 5
	// [book pen] 10
}

func ExampleManager_DestroyUser() {
	m := &sessioncache.Manager{}
	defer m.Close()
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/login":
			m.Renew(r.Context())
			m.SetUser(r.Context(), "alice")
		case "/logout-everywhere":
			n, err := m.DestroyUser(r.Context(), m.User(r.Context()))
			fmt.Fprint(w, n, err)
		default:
			fmt.Fprintf(w, "user %q", m.User(r.Context()))
		}
	}))
	laptop := send(h, "/login", nil)
	phone := send(h, "/login", nil)
	fmt.Println(body(send(h, "/logout-everywhere", phone)))
	fmt.Println(body(send(h, "/", laptop)))
	// Output:
	// 2 <nil>
	// user ""
}

func ExampleNewMemoryStore() {
	store := sessioncache.NewMemoryStore(sessioncache.MemoryOptions{
		MaxBytes: 512 << 20, // then the earliest deadlines are evicted first
	})
	defer store.Close()
	m := &sessioncache.Manager{Store: store, IdleTimeout: time.Hour}
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.Put(r.Context(), "visits", m.GetInt(r.Context(), "visits")+1)
	}))
	send(h, "/", nil)
	fmt.Println(store.Stats().Sessions)
	// Output: 1
}
