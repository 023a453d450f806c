package sessioncache_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/serverdev/stdweb/sessioncache"
)

// usersApp adds user pages to app.
func usersApp(t *testing.T, m *sessioncache.Manager) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", app(m))
	mux.HandleFunc("/devices", func(w http.ResponseWriter, r *http.Request) {
		infos, err := m.UserSessions(r.Context(), m.User(r.Context()))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		current := 0
		for _, in := range infos {
			if in.Current {
				current++
			}
			if in.Created.IsZero() || in.Deadline.IsZero() || len(in.ID) != 43 {
				t.Errorf("session info %+v", in)
			}
		}
		fmt.Fprintf(w, "%d/%d", current, len(infos))
	})
	mux.HandleFunc("/logout-everywhere", func(w http.ResponseWriter, r *http.Request) {
		n, err := m.DestroyUser(r.Context(), m.User(r.Context()))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, n)
	})
	mux.HandleFunc("/logout-others", func(w http.ResponseWriter, r *http.Request) {
		infos, err := m.UserSessions(r.Context(), m.User(r.Context()))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		for _, in := range infos {
			if !in.Current {
				if err := m.DestroySession(r.Context(), in.ID); err != nil {
					t.Error(err)
				}
			}
		}
	})
	return m.Handler(mux)
}

// userStores are the two ways a Manager finds a user's sessions.
var userStores = []struct {
	name string
	new  func(mem *sessioncache.MemoryStore) sessioncache.Store
}{
	{"user index", func(mem *sessioncache.MemoryStore) sessioncache.Store { return mem }},
	{"iterator fallback", func(mem *sessioncache.MemoryStore) sessioncache.Store {
		return iterStore{plainStore{mem}, mem}
	}},
}

func TestUsers(t *testing.T) {
	for _, tt := range userStores {
		t.Run(tt.name, func(t *testing.T) {
			mem := sessioncache.NewMemoryStore(sessioncache.MemoryOptions{})
			t.Cleanup(func() { mem.Close() })
			m := &sessioncache.Manager{Store: tt.new(mem)}
			h := usersApp(t, m)
			laptop, phone, tablet, bob := &client{t: t, h: h}, &client{t: t, h: h}, &client{t: t, h: h}, &client{t: t, h: h}
			for _, c := range []*client{laptop, phone, tablet} {
				c.get("/login?u=alice")
			}
			bob.get("/login?u=bob")
			if got := laptop.get("/devices"); got != "1/3" {
				t.Errorf("alice's devices = %q, want 1/3 (current/all)", got)
			}
			laptop.get("/logout-others")
			if got := laptop.get("/devices"); got != "1/1" {
				t.Errorf("after logging out the others: %q, want 1/1", got)
			}
			if got := phone.get("/user"); got != "" {
				t.Errorf("the phone is still logged in as %q", got)
			}
			phone.get("/login?u=alice")
			if got := phone.get("/logout-everywhere"); got != "2" {
				t.Errorf("DestroyUser = %q, want 2", got)
			}
			if laptop.get("/user") != "" || phone.get("/user") != "" {
				t.Error("a session of alice survived DestroyUser")
			}
			if got := bob.get("/user"); got != "bob" {
				t.Errorf("bob's session = %q, want bob", got)
			}
		})
	}
}

func TestDestroyUserDoesNotReviveCurrentSession(t *testing.T) {
	st := newCountingStore(t)
	m := &sessioncache.Manager{Store: st}
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.Put(r.Context(), "before", 1)
		if _, err := m.DestroyUser(r.Context(), "alice"); err != nil {
			t.Error(err)
		}
		m.Put(r.Context(), "after", 2) // a new, anonymous session
	}))
	c := &client{t: t, h: app(m)}
	c.get("/login?u=alice")
	old := c.cookie.Value
	c.h = h
	c.get("/")
	if c.cookie == nil || c.cookie.Value == old {
		t.Fatal("no new session after DestroyUser")
	}
	c.h = app(m)
	if got, u := c.get("/keys"), c.get("/user"); got != "after" || u != "" {
		t.Errorf("keys %q user %q; want only the value put after DestroyUser, no user", got, u)
	}
}

func TestUsersUnsupported(t *testing.T) {
	mem := sessioncache.NewMemoryStore(sessioncache.MemoryOptions{})
	t.Cleanup(func() { mem.Close() })
	m := &sessioncache.Manager{Store: plainStore{mem}}
	if _, err := m.UserSessions(t.Context(), "u"); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("UserSessions = %v, want ErrUnsupported", err)
	}
	if _, err := m.DestroyUser(t.Context(), "u"); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("DestroyUser = %v, want ErrUnsupported", err)
	}
}

// TestEndedMeanwhileIsNotRevived ends a session in the store while a
// request of it runs: its changes are dropped, the session is not brought
// back, and the cookie is left alone (a concurrent Renew may have sent its
// successor).
func TestEndedMeanwhileIsNotRevived(t *testing.T) {
	st := newCountingStore(t)
	m := &sessioncache.Manager{Store: st}
	c := &client{t: t, h: app(m)}
	c.get("/put?k=a&v=1")
	id := hashToken(c.cookie.Value)
	c.h = m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.GetString(r.Context(), "a") // loaded
		st.MemoryStore.Delete(r.Context(), id)
		m.Put(r.Context(), "b", "2")
	}))
	res := c.do("GET", "/")
	if len(res.Cookies()) != 0 {
		t.Errorf("cookies %v, want none", res.Cookies())
	}
	if _, found, _ := st.MemoryStore.Find(t.Context(), id); found {
		t.Error("the ended session was revived")
	}
}

// TestEmptyUserIsNobody checks that "" (no owner, as SetUser("") leaves a
// session) is not a user: DestroyUser("") ends no session, not even the
// anonymous sessions an Iterator lists or the request's own, and
// UserSessions("") lists none.
func TestEmptyUserIsNobody(t *testing.T) {
	for _, tt := range userStores {
		t.Run(tt.name, func(t *testing.T) {
			mem := sessioncache.NewMemoryStore(sessioncache.MemoryOptions{})
			t.Cleanup(func() { mem.Close() })
			m := &sessioncache.Manager{Store: tt.new(mem)}
			h := usersApp(t, m)
			anon, other := &client{t: t, h: h}, &client{t: t, h: h}
			anon.get("/put?k=cart&v=1")
			other.get("/put?k=cart&v=2")
			if got := anon.get("/devices"); got != "0/0" {
				t.Errorf("devices of an anonymous session = %q, want 0/0", got)
			}
			if got := anon.get("/logout-everywhere"); got != "0" {
				t.Errorf("DestroyUser(\"\") = %q, want 0", got)
			}
			if got := anon.get("/get?k=cart"); got != "1" {
				t.Errorf("the request's own anonymous session lost its cart: %q", got)
			}
			if got := other.get("/get?k=cart"); got != "2" {
				t.Errorf("another anonymous session lost its cart: %q", got)
			}
		})
	}
}
