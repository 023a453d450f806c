package sessioncache_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/serverdev/stdweb/sessioncache"
)

// laggingStore is a FreshFinder over a MemoryStore whose Find answers from
// a copy taken before the last write, like a node-local cache that has not
// received the invalidation of a write made on another node yet.
type laggingStore struct {
	*sessioncache.MemoryStore
	mu     sync.Mutex
	copies map[string]sessioncache.Record // id → copy before the last write
	fresh  []uint64                       // stamps FindFresh was called with
	bypass int                            // FindFresh calls that skipped the copy
}

func newLaggingStore(t *testing.T) *laggingStore {
	m := sessioncache.NewMemoryStore(sessioncache.MemoryOptions{})
	t.Cleanup(func() { m.Close() })
	return &laggingStore{MemoryStore: m, copies: make(map[string]sessioncache.Record)}
}

// keepCopy keeps the record stored under id as the lagging copy.
func (l *laggingStore) keepCopy(ctx context.Context, id string) {
	if rec, found, _ := l.MemoryStore.Find(ctx, id); found {
		l.mu.Lock()
		l.copies[id] = rec
		l.mu.Unlock()
	}
}

func (l *laggingStore) Find(ctx context.Context, id string) (sessioncache.Record, bool, error) {
	l.mu.Lock()
	rec, ok := l.copies[id]
	l.mu.Unlock()
	if ok {
		return rec, true, nil
	}
	return l.MemoryStore.Find(ctx, id)
}

func (l *laggingStore) FindFresh(ctx context.Context, id string, stamp uint64) (sessioncache.Record, bool, error) {
	l.mu.Lock()
	l.fresh = append(l.fresh, stamp)
	rec, ok := l.copies[id]
	if ok && rec.Stamp == stamp {
		l.mu.Unlock()
		return rec, true, nil
	}
	l.bypass++
	l.mu.Unlock()
	return l.MemoryStore.Find(ctx, id)
}

func (l *laggingStore) Commit(ctx context.Context, id string, rec sessioncache.Record) error {
	l.keepCopy(ctx, id)
	return l.MemoryStore.Commit(ctx, id, rec)
}

func (l *laggingStore) Apply(ctx context.Context, id string, d sessioncache.Delta) error {
	l.keepCopy(ctx, id)
	return l.MemoryStore.Apply(ctx, id, d)
}

// cookieStamp returns the stamp part of a session cookie value.
func cookieStamp(t *testing.T, c *http.Cookie) string {
	t.Helper()
	_, stamp, ok := strings.Cut(c.Value, ".")
	if !ok || len(stamp) != 11 {
		t.Fatalf("cookie value %q has no write stamp", c.Value)
	}
	return stamp
}

// TestWriteStampCookie: with a FreshFinder, every write sends the cookie
// again with a new stamp, a read sends none, and the stamp is stored with
// the session. With another store, cookies carry no stamp and writes of an
// existing session send no cookie.
func TestWriteStampCookie(t *testing.T) {
	st := newLaggingStore(t)
	m := &sessioncache.Manager{Store: st}
	t.Cleanup(func() { m.Close() })
	c := &client{t: t, h: app(m)}
	c.get("/put?k=a&v=1")
	seen := map[string]bool{cookieStamp(t, c.cookie): true}
	for i := range 5 {
		res := c.do("GET", "/put?k=a&v="+string(rune('2'+i)))
		if len(res.Cookies()) != 1 {
			t.Fatalf("write %d: cookies %v, want the session cookie again", i, res.Cookies())
		}
		stamp := cookieStamp(t, c.cookie)
		if seen[stamp] {
			t.Fatalf("write %d: stamp %q used before", i, stamp)
		}
		seen[stamp] = true
		rec, found, err := st.MemoryStore.Find(t.Context(), hashToken(c.cookie.Value))
		if err != nil || !found || rec.Stamp == 0 {
			t.Fatalf("stored stamp %d found %v err %v", rec.Stamp, found, err)
		}
	}
	if res := c.do("GET", "/get?k=a"); len(res.Cookies()) != 0 {
		t.Errorf("a read sent cookies %v", res.Cookies())
	}
	// A cookie without a stamp, as sent before stamps existed, still works,
	// reading through Find: here the lagging copy from before the last write.
	token, _, _ := strings.Cut(c.cookie.Value, ".")
	old := &client{t: t, h: app(m), cookie: &http.Cookie{Name: "session", Value: token}}
	if got := old.get("/get?k=a"); got != "5" {
		t.Errorf("a cookie without a stamp reads %q, want the lagging copy's 5", got)
	}

	plain := &client{t: t, h: app(&sessioncache.Manager{Store: newCountingStore(t)})}
	plain.get("/put?k=a&v=1")
	if strings.Contains(plain.cookie.Value, ".") {
		t.Errorf("cookie %q has a stamp without a FreshFinder", plain.cookie.Value)
	}
	if res := plain.do("GET", "/put?k=a&v=2"); len(res.Cookies()) != 0 {
		t.Errorf("a write without a FreshFinder sent cookies %v", res.Cookies())
	}
}

// TestFreshFinder: a request whose cookie carries the stamp of the last
// write never reads a lagging copy older than that write.
func TestFreshFinder(t *testing.T) {
	st := newLaggingStore(t)
	m := &sessioncache.Manager{Store: st}
	t.Cleanup(func() { m.Close() })
	c := &client{t: t, h: app(m)}
	c.get("/put?k=a&v=1")
	for i := range 5 {
		want := string(rune('2' + i))
		c.get("/put?k=a&v=" + want) // leaves a lagging copy of the previous value
		if got := c.get("/get?k=a"); got != want {
			t.Fatalf("read after write %d = %q, want %q", i, got, want)
		}
	}
	if st.bypass == 0 || len(st.fresh) == 0 {
		t.Errorf("FindFresh calls %d, bypasses %d; want the lagging copy skipped", len(st.fresh), st.bypass)
	}
	// A client that missed the cookie of the last writes (a concurrent
	// request of its own got it) holds an older stamp than the lagging
	// copy's: it reads the store, and gets the current stamp back so that
	// its next reads can use the copy again.
	missed := &client{t: t, h: app(m), cookie: c.cookie}
	c.get("/put?k=a&v=7")
	c.get("/put?k=a&v=8")
	res := missed.do("GET", "/get?k=a")
	if len(res.Cookies()) != 1 || missed.cookie.Value != c.cookie.Value {
		t.Errorf("a stale stamp got cookies %v, want the current one %q", res.Cookies(), c.cookie.Value)
	}
	if got := missed.get("/get?k=a"); got != "8" {
		t.Errorf("read = %q, want 8", got)
	}
}

func TestCacheControl(t *testing.T) {
	tests := []struct {
		name string
		set  []string // Cache-Control lines the handler sets
		want []string
	}{
		{"none", nil, []string{`no-cache="Set-Cookie"`}},
		{"no-store", []string{"no-store"}, []string{"no-store"}},
		{"private", []string{"private, max-age=60"}, []string{"private, max-age=60"}},
		{"no-cache", []string{"No-Cache"}, []string{"No-Cache"}},
		{"no-cache field", []string{`no-cache="set-cookie, x"`}, []string{`no-cache="set-cookie, x"`}},
		{"public", []string{"public, max-age=60"}, []string{`public, max-age=60, no-cache="Set-Cookie"`}},
		{"other field", []string{`no-cache="X-Foo, Y"`}, []string{`no-cache="X-Foo, Y", no-cache="Set-Cookie"`}},
		{"two lines", []string{"public", "max-age=60"}, []string{`public, max-age=60, no-cache="Set-Cookie"`}},
	}
	m := &sessioncache.Manager{}
	t.Cleanup(func() { m.Close() })
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for _, v := range tt.set {
					w.Header().Add("Cache-Control", v)
				}
				m.Put(r.Context(), "k", "v")
				w.Write([]byte("ok"))
			}))
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
			got := w.Result().Header.Values("Cache-Control")
			if len(w.Result().Cookies()) != 1 || strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("Cache-Control = %q with cookies %v, want %q", got, w.Result().Cookies(), tt.want)
			}
		})
	}
	// No cookie, no Cache-Control added.
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	if got := w.Result().Header.Values("Cache-Control"); len(got) != 0 {
		t.Errorf("Cache-Control without a cookie = %q", got)
	}
}
