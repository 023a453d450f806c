package sessioncache

import (
	"context"
	"fmt"
	"time"
)

// This file holds the methods that read and change the session of a
// request. Each takes the request's context (r.Context() inside a handler
// wrapped by Handler). Called with a context without a session they do
// nothing, return zero values, and log the misuse.

// Get returns the value of key, or nil if the session has none. A value put
// in this request is returned as it was put; one stored by an earlier
// request is decoded without a type (see JSONCodec): use Get[T] or the
// typed getters for a typed result.
func (m *Manager) Get(ctx context.Context, key string) any {
	s := m.session(ctx, "Get")
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	if v, ok := s.decoded[key]; ok {
		return v
	}
	raw, ok := s.raw(key)
	if !ok {
		return nil
	}
	var v any
	if err := m.codec().Unmarshal(raw, &v); err != nil {
		s.fail(fmt.Errorf("sessioncache: decode value %q: %w: %w", key, ErrCorrupt, err))
		return nil
	}
	if s.decoded == nil {
		s.decoded = make(map[string]any)
	}
	s.decoded[key] = v
	return v
}

// Get returns the value of key decoded as a T, and whether the session has
// a value of that type under key. A stored value that does not decode as a
// T is reported as missing and logged; stored bytes that do not decode at
// all are corrupt, and the response goes to the ErrorHandler.
func Get[T any](ctx context.Context, m *Manager, key string) (T, bool) {
	var zero T
	s := m.session(ctx, "Get")
	if s == nil {
		return zero, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	if v, ok := s.decoded[key].(T); ok {
		return v, true
	}
	raw, ok := s.raw(key)
	if !ok {
		return zero, false
	}
	if v, ok := decodeFast[T](m, raw); ok {
		return v, true
	}
	v := new(T)
	if err := m.codec().Unmarshal(raw, v); err != nil {
		var anything any
		if m.codec().Unmarshal(raw, &anything) != nil {
			s.fail(fmt.Errorf("sessioncache: decode value %q: %w: %w", key, ErrCorrupt, err))
		} else {
			m.logger().WarnContext(ctx, "sessioncache: session value has another type", "key", key, "want", fmt.Sprintf("%T", zero), "err", err)
		}
		return zero, false
	}
	return *v, true
}

// GetString returns the string value of key, or "".
func (m *Manager) GetString(ctx context.Context, key string) string {
	v, _ := Get[string](ctx, m, key)
	return v
}

// GetInt returns the int value of key, or 0.
func (m *Manager) GetInt(ctx context.Context, key string) int {
	v, _ := Get[int](ctx, m, key)
	return v
}

// GetBool returns the bool value of key, or false.
func (m *Manager) GetBool(ctx context.Context, key string) bool {
	v, _ := Get[bool](ctx, m, key)
	return v
}

// GetTime returns the time value of key, or the zero time.
func (m *Manager) GetTime(ctx context.Context, key string) time.Time {
	v, _ := Get[time.Time](ctx, m, key)
	return v
}

// Exists reports whether the session has a value under key.
func (m *Manager) Exists(ctx context.Context, key string) bool {
	s := m.session(ctx, "Exists")
	if s == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	_, ok := s.raw(key)
	return ok
}

// Put sets the value of key. The value is encoded by the Manager's codec
// now; a value the codec cannot encode makes the response go to the
// ErrorHandler. A session without a cookie yet gets one with this
// response. Keys starting with a NUL byte are reserved and ignored.
func (m *Manager) Put(ctx context.Context, key string, value any) {
	s := m.session(ctx, "Put")
	if s == nil || reserved(ctx, m, key) {
		return
	}
	b, err := m.codec().Marshal(value)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	if err != nil {
		s.fail(fmt.Errorf("sessioncache: encode value %q: %w", key, err))
		return
	}
	s.put(key, b, value)
}

// reserved reports, and logs, a key the Manager keeps for itself.
func reserved(ctx context.Context, m *Manager, key string) bool {
	if len(key) > 0 && key[0] == reservedPrefix[0] {
		m.logger().ErrorContext(ctx, "sessioncache: session keys starting with a NUL byte are reserved", "key", key)
		return true
	}
	return false
}

// Pop returns the value of key like Get and removes it: a flash value,
// shown once.
func (m *Manager) Pop(ctx context.Context, key string) any {
	v := m.Get(ctx, key)
	if v != nil || m.Exists(ctx, key) { // a stored null reads as nil
		m.Remove(ctx, key)
	}
	return v
}

// Pop returns the value of key like Get[T] and removes it.
func Pop[T any](ctx context.Context, m *Manager, key string) (T, bool) {
	v, ok := Get[T](ctx, m, key)
	if ok {
		m.Remove(ctx, key)
	}
	return v, ok
}

// PopString returns the string value of key, or "", and removes it.
func (m *Manager) PopString(ctx context.Context, key string) string {
	v, _ := Pop[string](ctx, m, key)
	return v
}

// Remove deletes key from the session.
func (m *Manager) Remove(ctx context.Context, key string) {
	s := m.session(ctx, "Remove")
	if s == nil || reserved(ctx, m, key) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	s.remove(key)
}

// Clear deletes every value of the session. The session, its token and its
// user stay.
func (m *Manager) Clear(ctx context.Context) {
	s := m.session(ctx, "Clear")
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	s.clearValues()
}

// Keys returns the keys of the session's values, sorted.
func (m *Manager) Keys(ctx context.Context) []string {
	s := m.session(ctx, "Keys")
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	return s.keys()
}

// Renew gives the session a new token and ends the old one, keeping the
// data. Call it on login, logout and every change of privilege: a token an
// attacker planted or saw before (session fixation) then stops working.
// When the request also changes the user (SetUser), the session's
// Lifetime starts again.
func (m *Manager) Renew(ctx context.Context) {
	s := m.session(ctx, "Renew")
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	s.renew = true
}

// Destroy ends the session: the store forgets it and the cookie is
// deleted. Values put afterwards in the same request start a new session.
func (m *Manager) Destroy(ctx context.Context) {
	if s := m.session(ctx, "Destroy"); s != nil {
		s.destroy()
	}
}

// RememberMe chooses, for this session only, between a persistent cookie
// (true: it outlives the browser, until the session's Lifetime ends) and a
// browser-session cookie (false), overriding Cookie.Persist. Call it at
// login, with the user's choice.
func (m *Manager) RememberMe(ctx context.Context, remember bool) {
	s := m.session(ctx, "RememberMe")
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	v := []byte("0")
	if remember {
		v = []byte("1")
	}
	if old, ok := s.raw(rememberField); ok && string(old) == string(v) {
		return
	}
	s.put(rememberField, v, nil)
	s.cookieDue = true
}

// SetUser records user as the owner of the session, for UserSessions and
// DestroyUser; "" removes the owner. Call Renew with it on login.
func (m *Manager) SetUser(ctx context.Context, user string) {
	s := m.session(ctx, "SetUser")
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	if s.currentUser() == user {
		return
	}
	s.user = &user
}

// User returns the owner of the session set by SetUser, or "".
func (m *Manager) User(ctx context.Context) string {
	s := m.session(ctx, "User")
	if s == nil {
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	return s.currentUser()
}

// decodeFast decodes the common types of the default codec without
// allocating more than the value itself.
func decodeFast[T any](m *Manager, raw []byte) (T, bool) {
	var v T
	if m.Codec != nil {
		if _, ok := m.Codec.(JSONCodec); !ok {
			return v, false
		}
	}
	switch p := any(&v).(type) {
	case *string:
		s, ok := quotedPlain(raw)
		*p = s
		return v, ok
	case *int:
		n, ok := plainInt(raw)
		*p = n
		return v, ok
	}
	return v, false
}
