package sessioncache

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// reservedPrefix starts the names of the fields the Manager keeps for
// itself; Keys hides them and Clear keeps them.
const reservedPrefix = "\x00"

// rememberField holds a session's remember-me choice: "1" or "0".
const rememberField = reservedPrefix + "remember"

// session is the state of one request's session. It is also the request's
// context (its Value method answers the Manager's key) and holds the
// response writer, so that a request costs one allocation for all three.
type session struct {
	context.Context // the request's original context

	m *Manager
	r *http.Request
	w responseWriter

	mu     sync.Mutex
	loaded bool
	err    error // the first load or decode error; the response reports it

	// The stored session, as loaded or last saved.
	exists bool
	token  string
	id     string
	rec    Record

	// Changes not yet saved.
	set     map[string][]byte
	removed map[string]bool
	cleared bool
	user    *string
	renew   bool
	dead    []string // store ids to delete: destroyed or renewed sessions

	// destroyed asks for the cookie to be deleted when no new session
	// replaces it.
	destroyed bool
	// cookieDue asks for the cookie to be sent again with the same token,
	// after a remember-me change.
	cookieDue bool

	decoded map[string]any // values put or decoded in this request
}

// Value implements context.Context.
func (s *session) Value(key any) any {
	if k, ok := key.(contextKey); ok && k.m == s.m {
		return s
	}
	return s.Context.Value(key)
}

// cookieToken returns the first session token of the request's cookies
// that has the shape of a token, and the write stamp that follows it (0
// when none). It reads the header in place: parsing every cookie with
// http.Request.Cookie would allocate for each.
func cookieToken(r *http.Request, name string) (token string, stamp uint64, ok bool) {
	for _, line := range r.Header["Cookie"] {
		for part := range strings.SplitSeq(line, ";") {
			n, v, ok := strings.Cut(strings.Trim(part, " \t"), "=")
			if !ok || n != name {
				continue
			}
			if len(v) > 1 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			if token, stamp, ok := parseCookieValue(v); ok {
				return token, stamp, true
			}
		}
	}
	return "", 0, false
}

// load reads the session from the store once. The caller holds s.mu.
func (s *session) load() {
	if s.loaded {
		return
	}
	s.loaded = true
	token, stamp, ok := cookieToken(s.r, s.m.cookieName())
	if !ok {
		return // no or malformed token: a fresh session
	}
	id := storeID(token)
	var rec Record
	var found bool
	var err error
	if stamp != 0 && s.m.fresh != nil {
		rec, found, err = s.m.fresh.FindFresh(s, id, stamp)
	} else {
		rec, found, err = s.m.store.Find(s, id)
	}
	switch {
	case err != nil:
		s.fail(fmt.Errorf("sessioncache: load session: %w", err))
		return
	case !found:
		return // unknown or expired: a fresh session, never the client's token
	}
	if !s.m.liveAt(rec, time.Now()) {
		return // past its deadline or its Lifetime, whatever the store says
	}
	s.exists, s.token, s.id, s.rec = true, token, id, rec
	// A client whose stamp is not the stored one missed the cookie of the
	// last write (a concurrent request, or a save after the response
	// began): send it the current stamp, so that its next requests find
	// nearby copies fresh enough again.
	s.cookieDue = s.m.fresh != nil && stamp != 0 && rec.Stamp != stamp
}

// fail records the first error of the session. The caller holds s.mu.
func (s *session) fail(err error) {
	if s.err == nil {
		s.err = err
	}
}

// raw returns the encoded value of key as the request sees it. The caller
// holds s.mu and has loaded the session.
func (s *session) raw(key string) ([]byte, bool) {
	if v, ok := s.set[key]; ok {
		return v, true
	}
	if s.cleared || s.removed[key] {
		return nil, false
	}
	v, ok := s.rec.Values[key]
	return v, ok
}

// put records a new value. The caller holds s.mu and has loaded the session.
func (s *session) put(key string, encoded []byte, value any) {
	if s.set == nil {
		s.set = make(map[string][]byte)
	}
	s.set[key] = encoded
	delete(s.removed, key)
	if value != nil {
		if s.decoded == nil {
			s.decoded = make(map[string]any)
		}
		s.decoded[key] = value
	}
}

// remove records the removal of key. The caller holds s.mu and has loaded
// the session. The removal is saved even when the key is not in the loaded
// record, since a concurrent request may have stored it meanwhile (the
// request that saves last wins); a session not stored yet has nothing to
// remove.
func (s *session) remove(key string) {
	delete(s.set, key)
	delete(s.decoded, key)
	if s.exists && !s.cleared {
		if s.removed == nil {
			s.removed = make(map[string]bool)
		}
		s.removed[key] = true
	}
}

// keys returns the visible keys, sorted. The caller holds s.mu and has
// loaded the session.
func (s *session) keys() []string {
	var keys []string
	if !s.cleared {
		for k := range s.rec.Values {
			if _, changed := s.set[k]; !changed && !s.removed[k] {
				keys = append(keys, k)
			}
		}
	}
	for k := range s.set {
		keys = append(keys, k)
	}
	keys = slices.DeleteFunc(keys, func(k string) bool { return strings.HasPrefix(k, reservedPrefix) })
	slices.Sort(keys)
	return keys
}

// clearValues removes every value but the reserved ones. The caller holds
// s.mu and has loaded the session.
func (s *session) clearValues() {
	keep := make(map[string][]byte)
	for k := range s.rec.Values {
		if strings.HasPrefix(k, reservedPrefix) {
			if v, ok := s.raw(k); ok {
				keep[k] = v
			}
		}
	}
	for k, v := range s.set {
		if strings.HasPrefix(k, reservedPrefix) {
			keep[k] = v
		}
	}
	s.cleared = s.exists // clearing a session not yet stored must not store it
	s.set, s.removed, s.decoded = nil, nil, nil
	for k, v := range keep {
		s.put(k, v, nil)
	}
}

// destroy ends the stored session; the request continues with a fresh,
// empty one.
func (s *session) destroy() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	s.destroyLocked()
}

func (s *session) destroyLocked() {
	if s.exists {
		s.dead = append(s.dead, s.id)
		s.destroyed = true
	}
	s.exists, s.token, s.id, s.rec = false, "", "", Record{}
	s.set, s.removed, s.decoded, s.cleared, s.user, s.renew = nil, nil, nil, false, nil, false
	s.cookieDue = false
}

// currentID returns the store id of the request's session, or "".
func (s *session) currentID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	return s.id
}

// userIs reports whether the session belongs to user.
func (s *session) userIs(user string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	return s.currentUser() == user && (s.exists || s.user != nil)
}

// currentUser returns the user as the request sees it. The caller holds
// s.mu and has loaded the session.
func (s *session) currentUser() string {
	if s.user != nil {
		return *s.user
	}
	return s.rec.User
}

// dirty reports unsaved changes of values or user. The caller holds s.mu.
func (s *session) dirty() bool {
	return len(s.set) > 0 || len(s.removed) > 0 || s.cleared || s.user != nil
}

// cookieChange says what save did to the cookie.
type cookieChange int

const (
	cookieKeep   cookieChange = iota
	cookieSet                 // send the (new) token
	cookieDelete              // delete the cookie
)

// save writes the changes to the store and reports the cookie to send. The
// caller holds s.mu.
func (s *session) save() (cookieChange, error) {
	if !s.loaded {
		return cookieKeep, nil // never touched: no store access at all
	}
	if s.err != nil {
		return cookieKeep, s.err
	}
	ctx := s.r.Context()
	m := s.m
	for len(s.dead) > 0 {
		if err := m.store.Delete(ctx, s.dead[0]); err != nil {
			return cookieKeep, fmt.Errorf("sessioncache: delete session: %w", err)
		}
		s.dead = s.dead[1:]
	}
	now := time.Now()
	change := cookieKeep
	switch {
	case !s.exists && !s.dirty():
		if s.destroyed {
			change = cookieDelete
		}
	case !s.exists || s.renew:
		// A new session, or a renewed one: a new token and the whole record.
		rec := s.merged()
		if !s.exists || rec.User != s.rec.User {
			// A new session, or a login or logout: the Lifetime starts.
			// A renewal that keeps the user keeps it, so that rotating
			// tokens never outlives it.
			rec.Created = now
		}
		rec.Deadline = m.deadline(rec.Created, now)
		rec.Stamp = m.newStamp()
		token := newToken()
		id := storeID(token)
		if err := m.store.Commit(ctx, id, rec); err != nil {
			return cookieKeep, fmt.Errorf("sessioncache: save session: %w", err)
		}
		if s.exists {
			// Checked after the commit, so that a DestroyUser that misses
			// the successor in its index still ends the predecessor first.
			// A predecessor that merely reached its deadline during this
			// request (a slow login) is renewed all the same.
			ended, err := m.ended(ctx, s.id)
			if err != nil {
				m.store.Delete(ctx, id) // best effort: no orphan successor
				return cookieKeep, fmt.Errorf("sessioncache: renew session: %w", err)
			}
			if ended && m.liveAt(s.rec, now) {
				// Destroyed by another request meanwhile (a logout, or
				// DestroyUser): never revive it under the new token.
				if err := m.store.Delete(ctx, id); err != nil {
					return cookieKeep, fmt.Errorf("sessioncache: renew session: %w", err)
				}
				return s.dropEnded("renewal"), nil
			}
			if err := m.store.Delete(ctx, s.id); err != nil {
				return cookieKeep, fmt.Errorf("sessioncache: delete renewed session: %w", err)
			}
		}
		s.exists, s.token, s.id, s.rec = true, token, id, rec
		s.resetChanges()
		change = cookieSet
	case s.dirty():
		// With a FreshFinder, every write gets a new stamp, sent back in
		// the cookie, so that the client's next request sees this write
		// on any node.
		deadline := m.deadline(s.rec.Created, now)
		stamp := m.newStamp()
		var err error
		if m.delta != nil {
			d := s.delta(deadline)
			d.Stamp = stamp
			err = m.delta.Apply(ctx, s.id, d)
		} else {
			rec := s.merged()
			rec.Deadline = deadline
			rec.Stamp = stamp
			err = m.commitExisting(ctx, s.id, rec)
		}
		if errors.Is(err, ErrNotFound) {
			// Destroyed or renewed by another request meanwhile: never
			// revive it. The cookie is left alone, since a concurrent
			// Renew may just have sent its successor; the next request
			// with the old token simply starts afresh.
			return s.dropEnded("changes"), nil
		}
		if err != nil {
			return cookieKeep, fmt.Errorf("sessioncache: save session: %w", err)
		}
		s.rec = s.merged()
		s.rec.Deadline = deadline
		s.rec.Stamp = stamp
		s.resetChanges()
		if stamp != 0 {
			change = cookieSet
		}
	default:
		if err := s.touch(now); err != nil {
			return cookieKeep, err
		}
	}
	if s.cookieDue && change == cookieKeep && s.exists {
		change = cookieSet
	}
	s.cookieDue = false
	return change, nil
}

// liveAt reports whether a session stored as rec is within its deadline
// and its Lifetime at now.
func (m *Manager) liveAt(rec Record, now time.Time) bool {
	if !rec.Deadline.IsZero() && !now.Before(rec.Deadline) {
		return false
	}
	return rec.Created.IsZero() || now.Before(rec.Created.Add(m.lifetime()))
}

// dropEnded forgets the request's session and its unsaved changes (what
// names them in the log) because another request ended the session, and
// leaves the cookie alone. The caller holds s.mu.
func (s *session) dropEnded(what string) cookieChange {
	s.m.logger().DebugContext(s, "sessioncache: "+what+" dropped, the session ended meanwhile")
	s.exists, s.token, s.id, s.rec = false, "", "", Record{}
	s.resetChanges()
	return cookieKeep
}

// ended reports whether the session stored under id is gone. A DeltaStore
// answers with the store's own copy: an Apply that changes nothing fails
// with ErrNotFound for a missing session, where a Find could read a node's
// cached copy.
func (m *Manager) ended(ctx context.Context, id string) (bool, error) {
	if m.delta != nil {
		err := m.delta.Apply(ctx, id, Delta{})
		if errors.Is(err, ErrNotFound) {
			return true, nil
		}
		return false, err
	}
	_, found, err := m.store.Find(ctx, id)
	return !found && err == nil, err
}

// commitExisting replaces the record of a session that a plain Store
// holds, unless it has ended: then it returns ErrNotFound, as a
// DeltaStore's Apply does. A plain Store offers no conditional write, so
// a Destroy that lands between the check and the commit is still undone;
// use a DeltaStore where that matters.
func (m *Manager) commitExisting(ctx context.Context, id string, rec Record) error {
	ended, err := m.ended(ctx, id)
	switch {
	case err != nil:
		return err
	case ended:
		return ErrNotFound
	}
	return m.store.Commit(ctx, id, rec)
}

// touch moves the idle deadline of an unchanged session, at most once per
// IdleTimeout/touchDivisor. The caller holds s.mu.
func (s *session) touch(now time.Time) error {
	m := s.m
	if m.IdleTimeout <= 0 {
		return nil
	}
	deadline := m.deadline(s.rec.Created, now)
	if deadline.Sub(s.rec.Deadline) < m.IdleTimeout/touchDivisor {
		return nil
	}
	var err error
	if m.delta != nil {
		err = m.delta.Apply(s.r.Context(), s.id, Delta{Deadline: deadline})
	} else {
		rec := s.rec
		rec.Deadline = deadline
		err = m.commitExisting(s.r.Context(), s.id, rec)
	}
	switch {
	case errors.Is(err, ErrNotFound):
		return nil // gone meanwhile; the next request starts afresh
	case err != nil:
		return fmt.Errorf("sessioncache: extend session: %w", err)
	}
	s.rec.Deadline = deadline
	return nil
}

// merged returns the stored record with the changes applied. The caller
// holds s.mu.
func (s *session) merged() Record {
	rec := s.rec
	rec.Values = make(map[string][]byte, len(s.rec.Values)+len(s.set))
	if !s.cleared {
		for k, v := range s.rec.Values {
			if !s.removed[k] {
				rec.Values[k] = v
			}
		}
	}
	maps.Copy(rec.Values, s.set)
	if s.user != nil {
		rec.User = *s.user
	}
	return rec
}

// delta returns the changes as a Delta. The caller holds s.mu.
func (s *session) delta(deadline time.Time) Delta {
	d := Delta{Clear: s.cleared, Set: s.set, User: s.user, Deadline: deadline}
	if !s.cleared {
		for k := range s.removed {
			d.Remove = append(d.Remove, k)
		}
	}
	return d
}

// resetChanges forgets the saved changes. The caller holds s.mu.
func (s *session) resetChanges() {
	s.set, s.removed, s.cleared, s.user, s.renew = nil, nil, false, nil, false
}

// persistent reports whether the cookie outlives the browser. The caller
// holds s.mu.
func (s *session) persistent() bool {
	if v, ok := s.raw(rememberField); ok {
		return string(v) == "1"
	}
	return s.m.Cookie.Persist
}

// cookie returns the Set-Cookie value for change.
func (s *session) cookie(change cookieChange) *http.Cookie {
	m := s.m
	c := &http.Cookie{
		Name:     m.cookieName(),
		Path:     m.Cookie.Path,
		Domain:   m.Cookie.Domain,
		Secure:   !m.Cookie.Insecure,
		HttpOnly: !m.Cookie.ScriptReadable,
		SameSite: m.Cookie.SameSite,
	}
	if c.Path == "" {
		c.Path = "/"
	}
	if c.SameSite == 0 {
		c.SameSite = http.SameSiteLaxMode
	}
	switch {
	case change == cookieDelete:
		c.MaxAge = -1
	case s.persistent():
		c.Value = cookieValue(s.token, s.rec.Stamp)
		end := s.rec.Created.Add(m.lifetime())
		c.MaxAge = max(int(time.Until(end)/time.Second), 1)
		c.Expires = end.UTC()
	default:
		c.Value = cookieValue(s.token, s.rec.Stamp)
	}
	return c
}
