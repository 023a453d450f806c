package sessioncache_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/serverdev/stdweb/sessioncache"
)

// The tests here run in synctest bubbles: time.Now in the Manager and the
// MemoryStore follows the fake clock, so hours pass instantly.

func TestIdleTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := newCountingStore(t)
		m := &sessioncache.Manager{Store: st, IdleTimeout: 30 * time.Minute}
		c := &client{t: t, h: app(m)}
		c.get("/put?k=a&v=1")

		// Requests closer than a tenth of the idle timeout do not touch.
		writes := st.writes()
		time.Sleep(2 * time.Minute)
		c.get("/get?k=a")
		if n := st.writes() - writes; n != 0 {
			t.Errorf("read 2 minutes later made %d writes, want 0 (throttled)", n)
		}
		// Later ones move the deadline, once.
		time.Sleep(5 * time.Minute)
		c.get("/get?k=a")
		c.get("/get?k=a")
		if n := st.writes() - writes; n != 1 {
			t.Errorf("reads 7 minutes later made %d writes, want 1 touch", n)
		}
		// Active sessions live past the first idle deadline.
		for range 5 {
			time.Sleep(20 * time.Minute)
			if got := c.get("/get?k=a"); got != "1" {
				t.Fatalf("active session lost its value: %q", got)
			}
		}
		// An idle one ends.
		time.Sleep(31 * time.Minute)
		if got := c.get("/get?k=a"); got != "" {
			t.Errorf("session idle for 31 minutes still reads %q", got)
		}
	})
}

func TestLifetime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := newCountingStore(t)
		m := &sessioncache.Manager{Store: st, IdleTimeout: time.Hour, Lifetime: 3 * time.Hour}
		c := &client{t: t, h: app(m)}
		c.get("/put?k=a&v=1")
		// Active every 50 minutes: alive at 50, 100 and 150 minutes.
		for i := 1; i <= 3; i++ {
			time.Sleep(50 * time.Minute)
			if got := c.get("/get?k=a"); got != "1" {
				t.Fatalf("after %d minutes the session reads %q, want 1", 50*i, got)
			}
		}
		// At 200 minutes the absolute lifetime has ended, activity or not.
		time.Sleep(50 * time.Minute)
		if got := c.get("/get?k=a"); got != "" {
			t.Errorf("after 200 minutes the session still reads %q", got)
		}
	})
}

func TestPersistentCookie(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tests := []struct {
			name       string
			persist    bool
			target     string
			persistent bool
		}{
			{"default", false, "/login?u=a", false},
			{"remember me", false, "/login?u=a&remember", true},
			{"persist", true, "/login?u=a", true},
		}
		for _, tt := range tests {
			m := &sessioncache.Manager{Store: newCountingStore(t), Lifetime: 2 * time.Hour, Cookie: sessioncache.CookieOptions{Persist: tt.persist}}
			c := &client{t: t, h: app(m)}
			res := c.do("GET", tt.target)
			ck := res.Cookies()
			if len(ck) != 1 {
				t.Fatalf("%s: cookies %v", tt.name, ck)
			}
			if got := ck[0].MaxAge > 0; got != tt.persistent {
				t.Errorf("%s: Max-Age %d, persistent = %v, want %v", tt.name, ck[0].MaxAge, got, tt.persistent)
			}
			if tt.persistent && ck[0].MaxAge != int((2*time.Hour).Seconds()) {
				t.Errorf("%s: Max-Age = %d, want the lifetime", tt.name, ck[0].MaxAge)
			}
		}
	})
}
