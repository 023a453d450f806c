package sessions

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/alexedwards/scs/v2/memstore"
	"github.com/serverdev/stdweb/sessioncache"
)

// impl is one session library behind a common face.
type impl struct {
	name      string
	wrap      func(http.Handler) http.Handler
	put       func(ctx context.Context, key string, v any)
	getString func(ctx context.Context, key string) string
	renew     func(ctx context.Context)
	destroy   func(ctx context.Context)
	close     func()
	writes    func() int64 // store writes so far
}

// options shared by both implementations.
type options struct {
	idle time.Duration
}

// countingStore counts the writes to our store.
type countingStore struct {
	*sessioncache.MemoryStore
	writes atomic.Int64
}

func (c *countingStore) Commit(ctx context.Context, id string, r sessioncache.Record) error {
	c.writes.Add(1)
	return c.MemoryStore.Commit(ctx, id, r)
}

func (c *countingStore) Apply(ctx context.Context, id string, d sessioncache.Delta) error {
	c.writes.Add(1)
	return c.MemoryStore.Apply(ctx, id, d)
}

func (c *countingStore) Delete(ctx context.Context, id string) error {
	c.writes.Add(1)
	return c.MemoryStore.Delete(ctx, id)
}

func newOurs(o options, mem *sessioncache.MemoryStore) impl {
	if mem == nil {
		mem = sessioncache.NewMemoryStore(sessioncache.MemoryOptions{MaxBytes: -1})
	}
	st := &countingStore{MemoryStore: mem}
	m := &sessioncache.Manager{Store: st, IdleTimeout: o.idle}
	return impl{
		name:      "ours",
		wrap:      m.Handler,
		put:       m.Put,
		getString: m.GetString,
		renew:     m.Renew,
		destroy:   m.Destroy,
		close:     func() { mem.Close() },
		writes:    st.writes.Load,
	}
}

// scsCounting counts the writes to scs's store.
type scsCounting struct {
	*memstore.MemStore
	writes atomic.Int64
}

func (c *scsCounting) Commit(token string, b []byte, expiry time.Time) error {
	c.writes.Add(1)
	return c.MemStore.Commit(token, b, expiry)
}

func (c *scsCounting) Delete(token string) error {
	c.writes.Add(1)
	return c.MemStore.Delete(token)
}

func newSCS(o options, mem *memstore.MemStore) impl {
	if mem == nil {
		// No cleanup goroutine: memstore.StopCleanup races with the
		// goroutine that sets up its channel (the race detector reports
		// it), and nothing expires during a benchmark anyway.
		mem = memstore.NewWithCleanupInterval(0)
	}
	st := &scsCounting{MemStore: mem}
	sm := scs.New()
	sm.Store = st
	sm.IdleTimeout = o.idle
	return impl{
		name:      "scs",
		wrap:      sm.LoadAndSave,
		put:       sm.Put,
		getString: sm.GetString,
		renew:     func(ctx context.Context) { sm.RenewToken(ctx) },
		destroy:   func(ctx context.Context) { sm.Destroy(ctx) },
		close:     func() {},
		writes:    st.writes.Load,
	}
}

// impls lists the implementations; new starts one (with its store's
// goroutines, which close stops).
var impls = []struct {
	name string
	new  func(options) impl
}{
	{"ours", func(o options) impl { return newOurs(o, nil) }},
	{"scs", func(o options) impl { return newSCS(o, nil) }},
}

// writer is a ResponseWriter that keeps only the header, reused across
// requests so that the benchmarks time the middleware, not the recorder.
type writer struct {
	h    http.Header
	code int
}

func newWriter() *writer { return &writer{h: make(http.Header)} }

func (w *writer) Header() http.Header         { return w.h }
func (w *writer) Write(b []byte) (int, error) { return len(b), nil }
func (w *writer) WriteHeader(code int)        { w.code = code }
func (w *writer) reset()                      { clear(w.h); w.code = 0 }

// token returns the session token the last response set, or "".
func (w *writer) token() string {
	for _, c := range w.h["Set-Cookie"] {
		if v, ok := strings.CutPrefix(c, "session="); ok {
			v, _, _ = strings.Cut(v, ";")
			return v
		}
	}
	return ""
}

// request returns a GET request carrying token in the session cookie.
func request(token string) *http.Request {
	r, _ := http.NewRequest("GET", "http://example.com/", nil)
	if token != "" {
		r.Header.Set("Cookie", "session="+token)
	}
	return r
}

// setCookie points r at token.
func setCookie(r *http.Request, token string) { r.Header.Set("Cookie", "session="+token) }

// sessionValues are the values of the benchmark sessions: a typical logged
// in user.
var sessionValues = map[string]any{
	"user_id": "u-1234567",
	"name":    "Gopher",
	"theme":   "dark",
	"locale":  "en-GB",
	"csrf":    "4d1c5b9e0f7a2e3c8b6a1d0e9f8c7b6a",
}

// newSession creates a session through h and returns its token.
func newSession(in impl) string {
	h := in.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range sessionValues {
			in.put(r.Context(), k, v)
		}
	}))
	w := newWriter()
	h.ServeHTTP(w, request(""))
	return w.token()
}
