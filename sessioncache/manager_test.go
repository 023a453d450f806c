package sessioncache_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"iter"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/serverdev/stdweb/sessioncache"
)

// countingStore wraps a MemoryStore, counts the calls and can fail them.
type countingStore struct {
	*sessioncache.MemoryStore
	finds, commits, applies, deletes atomic.Int64
	fail                             atomic.Pointer[error]
	lastDelta                        atomic.Pointer[sessioncache.Delta]
}

func newCountingStore(t *testing.T) *countingStore {
	m := sessioncache.NewMemoryStore(sessioncache.MemoryOptions{})
	t.Cleanup(func() { m.Close() })
	return &countingStore{MemoryStore: m}
}

func (c *countingStore) err() error {
	if p := c.fail.Load(); p != nil {
		return *p
	}
	return nil
}

func (c *countingStore) failWith(err error) { c.fail.Store(&err) }

func (c *countingStore) writes() int64 { return c.commits.Load() + c.applies.Load() + c.deletes.Load() }

func (c *countingStore) Find(ctx context.Context, id string) (sessioncache.Record, bool, error) {
	c.finds.Add(1)
	if err := c.err(); err != nil {
		return sessioncache.Record{}, false, err
	}
	return c.MemoryStore.Find(ctx, id)
}

func (c *countingStore) Commit(ctx context.Context, id string, r sessioncache.Record) error {
	c.commits.Add(1)
	if err := c.err(); err != nil {
		return err
	}
	return c.MemoryStore.Commit(ctx, id, r)
}

func (c *countingStore) Apply(ctx context.Context, id string, d sessioncache.Delta) error {
	c.applies.Add(1)
	c.lastDelta.Store(&d)
	if err := c.err(); err != nil {
		return err
	}
	return c.MemoryStore.Apply(ctx, id, d)
}

func (c *countingStore) Delete(ctx context.Context, id string) error {
	c.deletes.Add(1)
	if err := c.err(); err != nil {
		return err
	}
	return c.MemoryStore.Delete(ctx, id)
}

// plainStore hides every optional interface of a store.
type plainStore struct{ s sessioncache.Store }

func (p plainStore) Find(ctx context.Context, id string) (sessioncache.Record, bool, error) {
	return p.s.Find(ctx, id)
}
func (p plainStore) Commit(ctx context.Context, id string, r sessioncache.Record) error {
	return p.s.Commit(ctx, id, r)
}
func (p plainStore) Delete(ctx context.Context, id string) error { return p.s.Delete(ctx, id) }

// iterStore is a plain store with an Iterator but no UserIndex.
type iterStore struct {
	plainStore
	it sessioncache.Iterator
}

func (i iterStore) All(ctx context.Context) iter.Seq2[sessioncache.Entry, error] {
	return i.it.All(ctx)
}

// client sends requests to a handler, keeping the session cookie like a
// browser.
type client struct {
	t      *testing.T
	h      http.Handler
	cookie *http.Cookie
}

func (c *client) do(method, target string) *http.Response {
	c.t.Helper()
	r := httptest.NewRequest(method, target, nil)
	if c.cookie != nil {
		// Sent raw, so that tests can send malformed values.
		r.Header.Add("Cookie", c.cookie.Name+"="+c.cookie.Value)
	}
	w := httptest.NewRecorder()
	c.h.ServeHTTP(w, r)
	res := w.Result()
	for _, ck := range res.Cookies() {
		if ck.Name != "session" {
			continue
		}
		if ck.MaxAge < 0 {
			c.cookie = nil
		} else {
			c.cookie = ck
		}
	}
	return res
}

func (c *client) get(target string) string {
	c.t.Helper()
	res := c.do("GET", target)
	var b strings.Builder
	buf := make([]byte, 512)
	for {
		n, err := res.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return b.String()
}

// hashToken returns the store id of a session cookie's value: the hash of
// its token, without the write stamp that may follow it.
func hashToken(value string) string {
	token, _, _ := strings.Cut(value, ".")
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// app is a small handler set on a Manager.
func app(m *sessioncache.Manager) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/nothing", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
	mux.HandleFunc("/put", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		m.Put(r.Context(), q.Get("k"), q.Get("v"))
	})
	mux.HandleFunc("/get", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(m.GetString(r.Context(), r.URL.Query().Get("k"))))
	})
	mux.HandleFunc("/keys", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Join(m.Keys(r.Context()), ",")))
	})
	mux.HandleFunc("/pop", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(m.PopString(r.Context(), r.URL.Query().Get("k"))))
	})
	mux.HandleFunc("/remove", func(w http.ResponseWriter, r *http.Request) { m.Remove(r.Context(), r.URL.Query().Get("k")) })
	mux.HandleFunc("/clear", func(w http.ResponseWriter, r *http.Request) { m.Clear(r.Context()) })
	mux.HandleFunc("/renew", func(w http.ResponseWriter, r *http.Request) { m.Renew(r.Context()) })
	mux.HandleFunc("/destroy", func(w http.ResponseWriter, r *http.Request) { m.Destroy(r.Context()) })
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		m.Renew(r.Context())
		m.SetUser(r.Context(), r.URL.Query().Get("u"))
		if r.URL.Query().Has("remember") {
			m.RememberMe(r.Context(), true)
		}
	})
	mux.HandleFunc("/user", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(m.User(r.Context()))) })
	return m.Handler(mux)
}

func TestUntouchedSessionCostsNothing(t *testing.T) {
	st := newCountingStore(t)
	m := &sessioncache.Manager{Store: st}
	c := &client{t: t, h: app(m)}
	res := c.do("GET", "/nothing")
	if got := res.Header.Values("Set-Cookie"); len(got) != 0 {
		t.Errorf("Set-Cookie = %q, want none", got)
	}
	if res.Header.Get("Vary") != "" {
		t.Errorf("Vary = %q on a request that did not use its session", res.Header.Get("Vary"))
	}
	// With a cookie, too: no store access at all.
	c.get("/put?k=a&v=1")
	finds, writes := st.finds.Load(), st.writes()
	c.do("GET", "/nothing")
	if st.finds.Load() != finds || st.writes() != writes {
		t.Errorf("untouched request: %d finds, %d writes; want 0, 0", st.finds.Load()-finds, st.writes()-writes)
	}
	// Reading a missing session writes nothing and sets no cookie.
	c2 := &client{t: t, h: app(m)}
	res = c2.do("GET", "/get?k=a")
	if len(res.Cookies()) != 0 {
		t.Errorf("reading an empty session set a cookie")
	}
}

func TestNewSessionCookie(t *testing.T) {
	st := newCountingStore(t)
	m := &sessioncache.Manager{Store: st}
	c := &client{t: t, h: app(m)}
	res := c.do("GET", "/put?k=name&v=gopher")
	cookies := res.Cookies()
	if len(cookies) != 1 {
		t.Fatalf("cookies = %v, want one", cookies)
	}
	ck := cookies[0]
	if !ck.HttpOnly || !ck.Secure || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.MaxAge != 0 || !ck.Expires.IsZero() {
		t.Errorf("cookie = %+v, want HttpOnly Secure SameSite=Lax Path=/ browser-session", ck)
	}
	// The store is no FreshFinder: the value is the token alone, without
	// a write stamp (see TestWriteStampCookie).
	token := ck.Value
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) != 32 {
		t.Errorf("token %q is not 32 bytes of base64url", token)
	}
	// The store holds the hash of the token, never the token.
	ctx := context.Background()
	if _, found, _ := st.MemoryStore.Find(ctx, token); found {
		t.Error("the store holds a session under the raw token")
	}
	rec, found, err := st.MemoryStore.Find(ctx, hashToken(ck.Value))
	if err != nil || !found {
		t.Fatalf("no session under the token's hash: %v", err)
	}
	if string(rec.Values["name"]) != `"gopher"` {
		t.Errorf("stored value = %q", rec.Values["name"])
	}
	if got := res.Header.Get("Vary"); got != "Cookie" {
		t.Errorf("Vary = %q, want Cookie", got)
	}
	if got := c.get("/get?k=name"); got != "gopher" {
		t.Errorf("next request reads %q, want gopher", got)
	}
}

func TestReadOnlyRequestWritesNothing(t *testing.T) {
	st := newCountingStore(t)
	m := &sessioncache.Manager{Store: st, IdleTimeout: time.Hour}
	c := &client{t: t, h: app(m)}
	c.get("/put?k=a&v=1")
	before := st.writes()
	for range 5 {
		res := c.do("GET", "/get?k=a")
		if len(res.Cookies()) != 0 {
			t.Errorf("read-only request sets a cookie")
		}
	}
	if n := st.writes() - before; n != 0 {
		t.Errorf("5 read-only requests made %d store writes, want 0", n)
	}
}

func TestSavesOnlyChangedFields(t *testing.T) {
	st := newCountingStore(t)
	m := &sessioncache.Manager{Store: st}
	c := &client{t: t, h: app(m)}
	c.get("/put?k=a&v=1")
	c.get("/put?k=b&v=2")
	d := st.lastDelta.Load()
	if d == nil {
		t.Fatal("no Apply for a change to an existing session")
	}
	if len(d.Set) != 1 || string(d.Set["b"]) != `"2"` || d.Clear || len(d.Remove) != 0 || d.User != nil {
		t.Errorf("delta = %+v, want only b set", d)
	}
	if got := c.get("/keys"); got != "a,b" {
		t.Errorf("keys = %q", got)
	}
	c.get("/remove?k=a")
	if d := st.lastDelta.Load(); len(d.Remove) != 1 || d.Remove[0] != "a" || len(d.Set) != 0 {
		t.Errorf("delta = %+v, want only a removed", d)
	}
	if got := c.get("/keys"); got != "b" {
		t.Errorf("keys after Remove = %q", got)
	}
}

func TestPlainStoreCommitsWholeRecord(t *testing.T) {
	mem := sessioncache.NewMemoryStore(sessioncache.MemoryOptions{})
	t.Cleanup(func() { mem.Close() })
	m := &sessioncache.Manager{Store: plainStore{mem}}
	c := &client{t: t, h: app(m)}
	c.get("/put?k=a&v=1")
	c.get("/put?k=b&v=2")
	c.get("/remove?k=a")
	if got := c.get("/keys"); got != "b" {
		t.Errorf("keys = %q, want b", got)
	}
	if got := c.get("/get?k=b"); got != "2" {
		t.Errorf("b = %q", got)
	}
}

func TestFlashClearKeys(t *testing.T) {
	m := &sessioncache.Manager{}
	t.Cleanup(func() { m.Close() })
	c := &client{t: t, h: app(m)}
	c.get("/put?k=flash&v=saved")
	c.get("/put?k=x&v=1")
	if got := c.get("/pop?k=flash"); got != "saved" {
		t.Errorf("Pop = %q, want saved", got)
	}
	if got := c.get("/pop?k=flash"); got != "" {
		t.Errorf("second Pop = %q, want empty", got)
	}
	c.get("/login?u=alice&remember")
	c.get("/clear")
	if got := c.get("/keys"); got != "" {
		t.Errorf("keys after Clear = %q, want none", got)
	}
	if got := c.get("/user"); got != "alice" {
		t.Errorf("user after Clear = %q, want alice", got)
	}
	// Clear keeps the remember-me choice: a later Renew still sends a
	// persistent cookie.
	res := c.do("GET", "/renew")
	if ck := res.Cookies(); len(ck) != 1 || ck[0].MaxAge <= 0 {
		t.Errorf("cookie after Clear and Renew = %v, want persistent", ck)
	}
}

func TestRenew(t *testing.T) {
	st := newCountingStore(t)
	m := &sessioncache.Manager{Store: st}
	c := &client{t: t, h: app(m)}
	c.get("/put?k=a&v=1")
	old := c.cookie
	beforeLogin := time.Now()
	c.get("/login?u=alice")
	if c.cookie == nil || c.cookie.Value == old.Value {
		t.Fatalf("Renew kept the token")
	}
	if got := c.get("/get?k=a"); got != "1" {
		t.Errorf("value after Renew = %q, want 1", got)
	}
	if got := c.get("/user"); got != "alice" {
		t.Errorf("user after login = %q", got)
	}
	if _, found, _ := st.MemoryStore.Find(context.Background(), hashToken(old.Value)); found {
		t.Error("the old token's session still exists")
	}
	// A login starts the Lifetime; a renewal that keeps the user does not.
	rec, found, _ := st.MemoryStore.Find(context.Background(), hashToken(c.cookie.Value))
	if !found || rec.Created.Before(beforeLogin) {
		t.Errorf("after login: found %v, Created %v, want at or after %v", found, rec.Created, beforeLogin)
	}
	loggedIn := rec.Created
	c.get("/renew")
	rec, found, _ = st.MemoryStore.Find(context.Background(), hashToken(c.cookie.Value))
	if !found || !rec.Created.Equal(loggedIn) {
		t.Errorf("after a renewal: found %v, Created %v, want %v", found, rec.Created, loggedIn)
	}
	// The old token starts a fresh session.
	attacker := &client{t: t, h: app(m), cookie: old}
	if got := attacker.get("/get?k=a"); got != "" {
		t.Errorf("old token reads %q", got)
	}
	// Renew of a session with no data creates nothing.
	fresh := &client{t: t, h: app(m)}
	if res := fresh.do("GET", "/renew"); len(res.Cookies()) != 0 {
		t.Errorf("Renew of an empty session set a cookie")
	}
}

func TestDestroy(t *testing.T) {
	st := newCountingStore(t)
	m := &sessioncache.Manager{Store: st}
	c := &client{t: t, h: app(m)}
	c.get("/put?k=a&v=1")
	token := c.cookie.Value
	res := c.do("GET", "/destroy")
	ck := res.Cookies()
	if len(ck) != 1 || ck[0].MaxAge >= 0 {
		t.Fatalf("cookies after Destroy = %v, want a deletion", ck)
	}
	if _, found, _ := st.MemoryStore.Find(context.Background(), hashToken(token)); found {
		t.Error("destroyed session still stored")
	}
	// Put after Destroy in one request starts a new session.
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.Destroy(r.Context())
		m.Put(r.Context(), "k", "new")
	}))
	c2 := &client{t: t, h: app(m)}
	c2.get("/put?k=a&v=1")
	old := c2.cookie.Value
	c2.h = h
	c2.do("GET", "/")
	if c2.cookie == nil || c2.cookie.Value == old {
		t.Fatalf("Put after Destroy: cookie %v", c2.cookie)
	}
	c2.h = app(m)
	if got, keys := c2.get("/get?k=k"), c2.get("/keys"); got != "new" || keys != "k" {
		t.Errorf("new session has k=%q keys=%q", got, keys)
	}
}

func TestBadTokensStartFresh(t *testing.T) {
	m := &sessioncache.Manager{}
	t.Cleanup(func() { m.Close() })
	h := app(m)
	valid := &client{t: t, h: h}
	valid.get("/put?k=a&v=1")
	unknown := base64.RawURLEncoding.EncodeToString(make([]byte, 32))
	for _, token := range []string{"", "short", strings.Repeat("A", 43), unknown, valid.cookie.Value + "x", strings.Repeat("é", 22), "\x00\x01"} {
		c := &client{t: t, h: h, cookie: &http.Cookie{Name: "session", Value: token}}
		res := c.do("GET", "/put?k=b&v=2")
		if res.StatusCode != http.StatusOK {
			t.Errorf("token %q: status %d", token, res.StatusCode)
		}
		if c.cookie == nil || c.cookie.Value == token {
			t.Errorf("token %q: cookie %v, want a fresh token", token, c.cookie)
		}
		if got := c.get("/keys"); got != "b" {
			t.Errorf("token %q: keys %q, want b", token, got)
		}
	}
}

func TestStoreErrors(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
	}{
		{"unavailable", sessioncache.ErrUnavailable, http.StatusServiceUnavailable},
		{"corrupt", sessioncache.ErrCorrupt, http.StatusInternalServerError},
		{"other", errors.New("disk on fire"), http.StatusInternalServerError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newCountingStore(t)
			m := &sessioncache.Manager{Store: st, Logger: discardLogger()}
			c := &client{t: t, h: app(m)}
			c.get("/put?k=a&v=1")
			st.failWith(tt.err)
			for _, target := range []string{"/get?k=a", "/put?k=a&v=2"} {
				res := c.do("GET", target)
				if res.StatusCode != tt.status {
					t.Errorf("%s: status %d, want %d", target, res.StatusCode, tt.status)
				}
			}
			// A new session fails when saved.
			fresh := &client{t: t, h: app(m)}
			if res := fresh.do("GET", "/put?k=a&v=1"); res.StatusCode != tt.status {
				t.Errorf("new session: status %d, want %d", res.StatusCode, tt.status)
			}
			// Untouched sessions do not notice.
			if res := c.do("GET", "/nothing"); res.StatusCode != http.StatusOK {
				t.Errorf("untouched: status %d", res.StatusCode)
			}
		})
	}
}

func TestErrorHandler(t *testing.T) {
	st := newCountingStore(t)
	var got error
	m := &sessioncache.Manager{Store: st, ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
		got = err
		w.WriteHeader(http.StatusTeapot)
	}}
	c := &client{t: t, h: app(m)}
	c.get("/put?k=a&v=1")
	st.failWith(sessioncache.ErrCorrupt)
	res := c.do("GET", "/get?k=a")
	if res.StatusCode != http.StatusTeapot || !errors.Is(got, sessioncache.ErrCorrupt) {
		t.Errorf("status %d err %v; want 418 and ErrCorrupt", res.StatusCode, got)
	}
}

func TestCorruptValue(t *testing.T) {
	st := newCountingStore(t)
	var got error
	m := &sessioncache.Manager{Store: st, ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
		got = err
		http.Error(w, "bad", http.StatusInternalServerError)
	}}
	c := &client{t: t, h: app(m)}
	c.get("/put?k=a&v=1")
	// Overwrite the stored value with bytes that are not JSON.
	err := st.MemoryStore.Apply(context.Background(), hashToken(c.cookie.Value), sessioncache.Delta{Set: map[string][]byte{"a": []byte("{not json")}})
	if err != nil {
		t.Fatal(err)
	}
	res := c.do("GET", "/get?k=a")
	if res.StatusCode != http.StatusInternalServerError || !errors.Is(got, sessioncache.ErrCorrupt) {
		t.Errorf("status %d err %v; want 500 and ErrCorrupt", res.StatusCode, got)
	}
}

func TestConcurrentRequestsKeepAllKeys(t *testing.T) {
	m := &sessioncache.Manager{}
	t.Cleanup(func() { m.Close() })
	h := app(m)
	c := &client{t: t, h: h}
	c.get("/put?k=start&v=1")
	const n = 64
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			r := httptest.NewRequest("GET", "/put?k=key"+strings.Repeat("x", i)+"&v=v", nil)
			r.AddCookie(c.cookie)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				t.Errorf("status %d", w.Code)
			}
		})
	}
	wg.Wait()
	keys := strings.Split(c.get("/keys"), ",")
	if len(keys) != n+1 {
		t.Errorf("%d keys after %d concurrent requests, want %d: %d lost", len(keys), n, n+1, n+1-len(keys))
	}
}

// forgetfulStore loses the creation time, like a careless store might.
type forgetfulStore struct{ plainStore }

func (f forgetfulStore) Find(ctx context.Context, id string) (sessioncache.Record, bool, error) {
	rec, found, err := f.plainStore.Find(ctx, id)
	rec.Created = time.Time{}
	return rec, found, err
}

func TestStoreWithoutCreated(t *testing.T) {
	mem := sessioncache.NewMemoryStore(sessioncache.MemoryOptions{})
	t.Cleanup(func() { mem.Close() })
	m := &sessioncache.Manager{Store: forgetfulStore{plainStore{mem}}}
	c := &client{t: t, h: app(m)}
	c.get("/put?k=a&v=1")
	c.get("/put?k=b&v=2")
	if got := c.get("/keys"); got != "a,b" {
		t.Errorf("keys = %q, want a,b: a save must not delete the session", got)
	}
}

// TestRemoveOfKeyPutMeanwhile has a request remove a key that a concurrent
// request of the same session put after the first one loaded: the remover
// saves last, so it wins (last writer wins per key), and the key is gone.
// Removing a key from a session that has none creates no session.
func TestRemoveOfKeyPutMeanwhile(t *testing.T) {
	st := newCountingStore(t)
	m := &sessioncache.Manager{Store: st}
	c := &client{t: t, h: app(m)}
	c.get("/put?k=start&v=1")
	other := &client{t: t, h: app(m), cookie: c.cookie}
	c.h = m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.GetString(r.Context(), "start") // loaded before the other request
		other.get("/put?k=k&v=2")
		m.Remove(r.Context(), "k")
	}))
	c.get("/")
	c.h = app(m)
	if got := c.get("/get?k=k"); got != "" {
		t.Errorf("key removed by the request that saved last = %q, want it gone", got)
	}
	if got := c.get("/get?k=start"); got != "1" {
		t.Errorf("other key = %q, want 1", got)
	}

	anon := &client{t: t, h: app(m)}
	before := st.writes()
	anon.get("/remove?k=k")
	if anon.cookie != nil || st.writes() != before {
		t.Errorf("Remove on a client without a session: cookie %v, %d store writes; want none", anon.cookie, st.writes()-before)
	}
}

// TestEndedSessionIsNeverRevived runs a request that has loaded its session
// while another request of the same session logs out, and then renews it
// (a login) or writes to it. Neither may bring the session back, under the
// old token or a new one, with a DeltaStore or with a plain Store.
func TestEndedSessionIsNeverRevived(t *testing.T) {
	for _, store := range []string{"delta", "plain"} {
		for _, action := range []string{"renew", "put"} {
			t.Run(store+"/"+action, func(t *testing.T) {
				mem := sessioncache.NewMemoryStore(sessioncache.MemoryOptions{})
				defer mem.Close()
				m := &sessioncache.Manager{Store: mem, Logger: discardLogger()}
				if store == "plain" {
					m.Store = plainStore{mem}
				}
				loaded, proceed := make(chan struct{}), make(chan struct{})
				mux := http.NewServeMux()
				mux.Handle("/", app(m))
				mux.Handle("/slow", m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					_ = m.GetString(r.Context(), "uid") // loads the session
					close(loaded)
					<-proceed
					if action == "renew" {
						m.Renew(r.Context())
						m.SetUser(r.Context(), "alice")
					} else {
						m.Put(r.Context(), "flash", "saved")
					}
				})))
				c := &client{t: t, h: mux}
				c.get("/put?k=uid&v=alice")
				token := c.cookie
				slow := &client{t: t, h: mux, cookie: token}
				done := make(chan struct{})
				go func() {
					defer close(done)
					slow.do("GET", "/slow")
				}()
				<-loaded
				c.get("/destroy")
				close(proceed)
				<-done
				if slow.cookie != nil && slow.cookie.Value != token.Value {
					if got := slow.get("/get?k=uid"); got != "" {
						t.Errorf("the new token reads uid=%q", got)
					}
				}
				old := &client{t: t, h: mux, cookie: token}
				if got := old.get("/get?k=uid"); got != "" {
					t.Errorf("the logged-out token reads uid=%q", got)
				}
				n := 0
				for _, err := range mem.All(t.Context()) {
					if err != nil {
						t.Fatal(err)
					}
					n++
				}
				if n != 0 {
					t.Errorf("%d sessions stored, want 0", n)
				}
			})
		}
	}
}

// TestClearWithoutSession checks that Clear by a visitor who has no
// session stores nothing and sends no cookie.
func TestClearWithoutSession(t *testing.T) {
	st := newCountingStore(t)
	m := &sessioncache.Manager{Store: st}
	c := &client{t: t, h: app(m)}
	if res := c.do("GET", "/clear"); len(res.Cookies()) != 0 {
		t.Errorf("Clear without a session sent %v", res.Cookies())
	}
	if n := st.writes(); n != 0 {
		t.Errorf("Clear without a session wrote %d times", n)
	}
}

// TestPopNull checks that the untyped Pop removes a value stored as null,
// which reads as nil.
func TestPopNull(t *testing.T) {
	m := &sessioncache.Manager{}
	defer m.Close()
	var exists []bool
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		switch r.URL.Path {
		case "/set":
			m.Put(ctx, "flash", nil)
			m.Put(ctx, "keep", 1)
		case "/pop":
			if v := m.Pop(ctx, "flash"); v != nil {
				t.Errorf("Pop = %v, want nil", v)
			}
		}
		exists = append(exists, m.Exists(ctx, "flash"))
	}))
	c := &client{t: t, h: h}
	c.do("GET", "/set")
	c.do("GET", "/pop")
	c.do("GET", "/check")
	if want := []bool{true, false, false}; !slices.Equal(exists, want) {
		t.Errorf("Exists(flash) after set, pop, next request = %v, want %v", exists, want)
	}
}

// TestDestroyAfterBodyLogsNoError checks that a Destroy after the response
// began deletes the session without the error meant for a session started
// too late.
func TestDestroyAfterBodyLogsNoError(t *testing.T) {
	mem := sessioncache.NewMemoryStore(sessioncache.MemoryOptions{})
	defer mem.Close()
	var logs strings.Builder
	m := &sessioncache.Manager{Store: mem, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	mux := http.NewServeMux()
	mux.Handle("/", app(m))
	mux.Handle("/late-destroy", m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("bye"))
		m.Destroy(r.Context())
	})))
	c := &client{t: t, h: mux}
	c.get("/put?k=a&v=1")
	token := c.cookie
	c.get("/late-destroy")
	if _, found, _ := mem.Find(t.Context(), hashToken(token.Value)); found {
		t.Error("the session survived a Destroy after the body")
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("logged an error: %s", logs.String())
	}
}

// TestDestroyThenPanic checks that a session ended by a handler that then
// panics is deleted all the same, and that the panic goes on.
func TestDestroyThenPanic(t *testing.T) {
	st := newCountingStore(t)
	m := &sessioncache.Manager{Store: st}
	mux := http.NewServeMux()
	mux.Handle("/", app(m))
	mux.Handle("/logout-and-fail", m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.Destroy(r.Context())
		panic(http.ErrAbortHandler)
	})))
	c := &client{t: t, h: mux}
	c.get("/put?k=a&v=1")
	token := c.cookie.Value
	func() {
		defer func() {
			if v := recover(); v != http.ErrAbortHandler {
				t.Errorf("recovered %v, want the handler's panic", v)
			}
		}()
		c.do("GET", "/logout-and-fail")
	}()
	if _, found, _ := st.MemoryStore.Find(t.Context(), hashToken(token)); found {
		t.Error("the session ended before the panic is still stored")
	}
}

// panickingStore holds nothing and panics on every write.
type panickingStore struct{}

func (panickingStore) Find(context.Context, string) (sessioncache.Record, bool, error) {
	return sessioncache.Record{}, false, nil
}
func (panickingStore) Commit(context.Context, string, sessioncache.Record) error { panic("commit") }
func (panickingStore) Delete(context.Context, string) error                      { panic("delete") }

// TestStorePanicReachesServer checks that a store's panic while the
// session is saved before the header goes out reaches net/http, as the
// handler's own would, instead of hanging the request.
func TestStorePanicReachesServer(t *testing.T) {
	m := &sessioncache.Manager{Store: panickingStore{}}
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.Put(r.Context(), "k", "v")
		w.Write([]byte("ok"))
	}))
	recovered := make(chan any, 1)
	go func() {
		defer func() { recovered <- recover() }()
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	}()
	select {
	case v := <-recovered:
		if v != "commit" {
			t.Errorf("recovered %v, want the store's panic", v)
		}
	case <-time.After(5 * time.Second): // only a failing run waits
		t.Fatal("the request hangs after the store panicked")
	}
}

// TestSlowLoginPastIdleDeadline checks that a login (Renew) whose request
// outlasts the session's idle deadline still logs the user in: the old
// session expired, nobody ended it.
func TestSlowLoginPastIdleDeadline(t *testing.T) {
	for _, store := range []string{"delta", "plain"} {
		t.Run(store, func(t *testing.T) {
			mem := sessioncache.NewMemoryStore(sessioncache.MemoryOptions{})
			defer mem.Close()
			const idle = 200 * time.Millisecond
			m := &sessioncache.Manager{Store: mem, IdleTimeout: idle}
			if store == "plain" {
				m.Store = plainStore{mem}
			}
			mux := http.NewServeMux()
			mux.Handle("/", app(m))
			mux.Handle("/slow-login", m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if m.GetString(r.Context(), "a") != "1" {
					t.Skip("the session expired before the login began; the machine is too slow for this test")
				}
				time.Sleep(idle + 50*time.Millisecond) // checking the password
				m.Renew(r.Context())
				m.SetUser(r.Context(), "alice")
			})))
			c := &client{t: t, h: mux}
			c.get("/put?k=a&v=1")
			old := c.cookie.Value
			c.get("/slow-login")
			if c.cookie == nil || c.cookie.Value == old {
				t.Fatal("the login sent no new cookie")
			}
			if got := c.get("/user"); got != "alice" {
				t.Errorf("user after the slow login = %q, want alice", got)
			}
		})
	}
}
