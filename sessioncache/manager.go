package sessioncache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// Defaults of a Manager's zero fields.
const (
	DefaultLifetime   = 24 * time.Hour
	DefaultCookieName = "session"
)

// touchDivisor throttles idle-deadline touches: a read-only request saves a
// later deadline only when at least IdleTimeout/touchDivisor has passed
// since the last save. A session therefore expires between 90% and 100% of
// IdleTimeout after its last request.
const touchDivisor = 10

// Manager manages HTTP sessions. Its fields configure it; the zero value
// keeps sessions in a MemoryStore for a day in a cookie named "session".
// Set the fields before the first use and do not change them afterwards.
//
// Wrap the handlers that use sessions with Handler, then read and change
// the session of a request through its context:
//
//	m := &sessioncache.Manager{IdleTimeout: 30 * time.Minute}
//	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
//		// ... check the password ...
//		m.Renew(r.Context())
//		m.SetUser(r.Context(), userID)
//	})
//	http.ListenAndServe(":8080", m.Handler(mux))
//
// A session is read from the store on the first call that needs it, not
// before; a request that never touches its session costs no store access.
// Changes are saved once, just before the response's header is written,
// and only the changed fields are sent when the store is a DeltaStore.
//
// Concurrent requests of one session that change different keys all keep
// their change (with a DeltaStore). When they change the same key, the
// request that saves last wins. With a store that is only a Store, each
// save writes the whole session and the last save wins for every key.
type Manager struct {
	// Store keeps the sessions. Nil means a MemoryStore with default
	// options, created on first use and stopped by Close.
	Store Store

	// IdleTimeout ends a session that has seen no request for this long.
	// Zero means no idle timeout.
	IdleTimeout time.Duration

	// Lifetime ends every session this long after it started, or after
	// the last Renew that changed its user (a login or logout), active or
	// not. Zero means DefaultLifetime.
	Lifetime time.Duration

	// Cookie configures the session cookie.
	Cookie CookieOptions

	// Codec encodes session values. Nil means JSONCodec.
	Codec Codec

	// ErrorHandler answers a request whose session failed: the store was
	// unavailable (the error wraps ErrUnavailable), stored data was
	// corrupt (ErrCorrupt), or saving failed. It is called instead of the
	// response the handler began. Nil means a plain-text answer, 503
	// Service Unavailable for ErrUnavailable and 500 otherwise, after
	// logging the error.
	ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)

	// Logger receives errors that cannot reach a response. Nil means
	// slog.Default().
	Logger *slog.Logger

	initOnce sync.Once
	store    Store
	own      *MemoryStore // the default store, closed by Close
	delta    DeltaStore
	users    UserIndex
	iter     Iterator
	fresh    FreshFinder
}

// CookieOptions configures the session cookie. The zero value sends a
// cookie named "session" for path "/", HttpOnly, Secure and SameSite=Lax,
// that the browser forgets when it closes.
type CookieOptions struct {
	// Name is the cookie's name. Empty means DefaultCookieName.
	Name string

	// Domain is the cookie's Domain attribute; empty means the host only.
	Domain string

	// Path is the cookie's Path attribute; empty means "/".
	Path string

	// Insecure leaves the Secure attribute off, so that the cookie works
	// over plain HTTP during development. Never set it in production.
	Insecure bool

	// ScriptReadable leaves the HttpOnly attribute off, so that scripts in
	// the page can read the session token. Almost never wanted.
	ScriptReadable bool

	// SameSite is the cookie's SameSite attribute; zero means
	// http.SameSiteLaxMode.
	SameSite http.SameSite

	// Persist sends a cookie that outlives the browser, expiring with the
	// session's Lifetime. Without it the cookie is a browser-session
	// cookie, except for sessions where RememberMe(ctx, true) was called.
	Persist bool
}

// init resolves the defaults once.
func (m *Manager) init() {
	m.initOnce.Do(func() {
		m.store = m.Store
		if m.store == nil {
			m.own = NewMemoryStore(MemoryOptions{})
			m.store = m.own
		}
		m.delta, _ = m.store.(DeltaStore)
		m.users, _ = m.store.(UserIndex)
		m.iter, _ = m.store.(Iterator)
		m.fresh, _ = m.store.(FreshFinder)
	})
}

// Close stops the default MemoryStore if the Manager created one. A store
// set in the Store field belongs to the caller, who closes it.
func (m *Manager) Close() error {
	m.init()
	if m.own != nil {
		return m.own.Close()
	}
	return nil
}

func (m *Manager) lifetime() time.Duration {
	if m.Lifetime > 0 {
		return m.Lifetime
	}
	return DefaultLifetime
}

func (m *Manager) codec() Codec {
	if m.Codec != nil {
		return m.Codec
	}
	return JSONCodec{}
}

func (m *Manager) logger() *slog.Logger {
	if m.Logger != nil {
		return m.Logger
	}
	return slog.Default()
}

func (m *Manager) cookieName() string {
	if m.Cookie.Name != "" {
		return m.Cookie.Name
	}
	return DefaultCookieName
}

// deadline returns the deadline of a session created at created, seen now.
// A store that lost the creation time (zero) gets a lifetime counted from
// now rather than a deadline in the past, which would delete the session.
func (m *Manager) deadline(created, now time.Time) time.Time {
	if created.IsZero() {
		created = now
	}
	end := created.Add(m.lifetime())
	if m.IdleTimeout > 0 {
		if idle := now.Add(m.IdleTimeout); idle.Before(end) {
			return idle
		}
	}
	return end
}

// newStamp returns the write stamp of a new write: a random one when the
// store is a FreshFinder, which the stamps in cookies are for, and 0 (no
// stamp, no cookie to re-send) otherwise.
func (m *Manager) newStamp() uint64 {
	if m.fresh == nil {
		return 0
	}
	return newStamp()
}

// serveError answers a request whose session failed.
func (m *Manager) serveError(w http.ResponseWriter, r *http.Request, err error) {
	if m.ErrorHandler != nil {
		m.ErrorHandler(w, r, err)
		return
	}
	m.logger().ErrorContext(r.Context(), "session failed", "method", r.Method, "path", r.URL.Path, "err", err)
	if errors.Is(err, ErrUnavailable) {
		w.Header().Set("Retry-After", "1")
		http.Error(w, "503 service unavailable: the session store cannot be reached, please retry", http.StatusServiceUnavailable)
		return
	}
	http.Error(w, "500 internal server error: the session could not be loaded or saved", http.StatusInternalServerError)
}

// contextKey finds a Manager's session in a request context; it holds the
// Manager so that several Managers can serve one request.
type contextKey struct{ m *Manager }

// session returns the session of ctx, logging a misuse when there is none.
func (m *Manager) session(ctx context.Context, op string) *session {
	if s, ok := ctx.Value(contextKey{m}).(*session); ok {
		return s
	}
	m.logger().ErrorContext(ctx, "sessioncache: "+op+" called with a context without a session; wrap the handler with Manager.Handler")
	return nil
}

// SessionInfo describes one stored session, as UserSessions lists it.
type SessionInfo struct {
	// ID is the store id of the session: the hash of its token, not the
	// token. Pass it to DestroySession to end that session.
	ID string

	// Created is when the session started, or when a Renew last changed
	// its user.
	Created time.Time

	// Deadline is when the session ends unless it is used again.
	Deadline time.Time

	// Current reports whether this is the session of the request.
	Current bool
}

// errNoUserIndex reports a store that can neither find a user's sessions
// nor list them all.
var errNoUserIndex = fmt.Errorf("sessioncache: the store implements neither UserIndex nor Iterator: %w", errors.ErrUnsupported)

// UserSessions lists the live sessions of user (those on which SetUser was
// called with user), for a "your devices" page. It uses the store's
// UserIndex; a store without one but with an Iterator is scanned whole,
// which is slow with many sessions. The empty user is nobody: it has no
// sessions.
func (m *Manager) UserSessions(ctx context.Context, user string) ([]SessionInfo, error) {
	m.init()
	if user == "" {
		return nil, nil
	}
	current := ""
	if s, ok := ctx.Value(contextKey{m}).(*session); ok {
		current = s.currentID()
	}
	var out []SessionInfo
	add := func(id string, rec Record) {
		out = append(out, SessionInfo{ID: id, Created: rec.Created, Deadline: rec.Deadline, Current: current != "" && sameID(id, current)})
	}
	switch {
	case m.users != nil:
		ids, err := m.users.UserSessions(ctx, user)
		if err != nil {
			return nil, fmt.Errorf("sessioncache: sessions of a user: %w", err)
		}
		for _, id := range ids {
			rec, found, err := m.store.Find(ctx, id)
			if err != nil {
				return nil, fmt.Errorf("sessioncache: sessions of a user: %w", err)
			}
			if found && rec.User == user {
				add(id, rec)
			}
		}
	case m.iter != nil:
		for e, err := range m.iter.All(ctx) {
			if err != nil {
				return nil, fmt.Errorf("sessioncache: sessions of a user: %w", err)
			}
			if e.Record.User == user {
				add(e.ID, e.Record)
			}
		}
	default:
		return nil, errNoUserIndex
	}
	return out, nil
}

// DestroyUser ends every session of user ("log out everywhere") and
// reports how many it ended. It uses the store's UserIndex, or scans an
// Iterator when the store has no index. If the request's own session
// belongs to user, it ends too and its cookie is deleted. The empty user
// is nobody: DestroyUser(ctx, "") ends no session, not even the sessions
// without an owner.
func (m *Manager) DestroyUser(ctx context.Context, user string) (int, error) {
	m.init()
	if user == "" {
		return 0, nil
	}
	if s, ok := ctx.Value(contextKey{m}).(*session); ok && s.userIs(user) {
		s.destroy()
	}
	switch {
	case m.users != nil:
		n, err := m.users.DeleteUser(ctx, user)
		if err != nil {
			return n, fmt.Errorf("sessioncache: destroy the sessions of a user: %w", err)
		}
		return n, nil
	case m.iter != nil:
		var ids []string
		for e, err := range m.iter.All(ctx) {
			if err != nil {
				return 0, fmt.Errorf("sessioncache: destroy the sessions of a user: %w", err)
			}
			if e.Record.User == user {
				ids = append(ids, e.ID)
			}
		}
		for i, id := range ids {
			if err := m.store.Delete(ctx, id); err != nil {
				return i, fmt.Errorf("sessioncache: destroy the sessions of a user: %w", err)
			}
		}
		return len(ids), nil
	default:
		return 0, errNoUserIndex
	}
}

// DestroySession ends the session stored under id, as listed by
// UserSessions ("log out that device").
func (m *Manager) DestroySession(ctx context.Context, id string) error {
	m.init()
	if s, ok := ctx.Value(contextKey{m}).(*session); ok {
		if cur := s.currentID(); cur != "" && sameID(cur, id) {
			s.destroy()
		}
	}
	if err := m.store.Delete(ctx, id); err != nil {
		return fmt.Errorf("sessioncache: destroy a session: %w", err)
	}
	return nil
}
