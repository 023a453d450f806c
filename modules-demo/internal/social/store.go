package social

import (
	"container/heap"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Limits of user input.
const (
	MinUsernameLen = 3
	MaxUsernameLen = 20
	MaxPostRunes   = 280
)

var (
	// ErrInvalidUsername reports a username outside the allowed form:
	// 3 to 20 lowercase ASCII letters, digits or underscores.
	ErrInvalidUsername = errors.New("social: invalid username")
	// ErrUserExists reports a sign-up with a taken username.
	ErrUserExists = errors.New("social: username taken")
	// ErrNoUser reports an unknown username.
	ErrNoUser = errors.New("social: no such user")
	// ErrInvalidPost reports an empty post or one over MaxPostRunes.
	ErrInvalidPost = errors.New("social: invalid post")
	// ErrSelfFollow reports a user trying to follow themselves.
	ErrSelfFollow = errors.New("social: cannot follow yourself")
)

// A User is an account.
type User struct {
	Name         string
	PasswordHash string // as made by package password; never shown
	Created      time.Time
}

// A Post is one message. IDs grow with time, so ordering by ID is ordering
// by creation.
type Post struct {
	ID      int64     `json:"id"`
	Author  string    `json:"author"`
	Body    string    `json:"body"`
	Created time.Time `json:"created"`
}

// Store holds users, posts and follows. The zero value is not ready: use
// New. A Store is safe for concurrent use.
type Store struct {
	now func() time.Time

	mu        sync.RWMutex
	users     map[string]*account
	lastID    int64
	listeners map[int]func(users []string)
	nextSub   int
}

type account struct {
	user      User
	posts     []Post              // oldest first
	following map[string]struct{} // names this user follows
	followers map[string]struct{} // names that follow this user
}

// Options configure a Store.
type Options struct {
	// Now tells the time; nil means time.Now.
	Now func() time.Time
}

// New returns an empty Store.
func New(opts Options) *Store {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &Store{now: now, users: make(map[string]*account), listeners: make(map[int]func([]string))}
}

// ValidUsername reports whether name is 3 to 20 characters of a-z, 0-9
// and '_'.
func ValidUsername(name string) bool {
	if len(name) < MinUsernameLen || len(name) > MaxUsernameLen {
		return false
	}
	for _, c := range []byte(name) {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// Subscribe registers f to be called, after each change, with the names of
// the users whose timelines the change affects, and returns a function
// that cancels the subscription. f runs on the goroutine that made the
// change, after the Store's lock is released; it must be fast and must not
// block.
func (s *Store) Subscribe(f func(users []string)) (cancel func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.nextSub
	s.nextSub++
	s.listeners[id] = f
	return func() {
		s.mu.Lock()
		delete(s.listeners, id)
		s.mu.Unlock()
	}
}

// notify returns a function that tells the subscribers about users. The
// caller holds s.mu and calls the function once it has released it.
func (s *Store) notify(users []string) func() {
	fs := make([]func([]string), 0, len(s.listeners))
	for _, f := range s.listeners {
		fs = append(fs, f)
	}
	return func() {
		for _, f := range fs {
			f(users)
		}
	}
}

// CreateUser adds a user. The name must pass ValidUsername.
func (s *Store) CreateUser(name, passwordHash string) (User, error) {
	if !ValidUsername(name) {
		return User{}, fmt.Errorf("%w: %q", ErrInvalidUsername, name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[name]; ok {
		return User{}, fmt.Errorf("%w: %q", ErrUserExists, name)
	}
	u := User{Name: name, PasswordHash: passwordHash, Created: s.now()}
	s.users[name] = &account{user: u, following: map[string]struct{}{}, followers: map[string]struct{}{}}
	return u, nil
}

// SetPasswordHash replaces the stored hash of name's password (after a
// rehash with stronger parameters, or a password change).
func (s *Store) SetPasswordHash(name, passwordHash string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.users[name]
	if !ok {
		return fmt.Errorf("%w: %q", ErrNoUser, name)
	}
	a.user.PasswordHash = passwordHash
	return nil
}

// User returns the user called name.
func (s *Store) User(name string) (User, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.users[name]
	if !ok {
		return User{}, fmt.Errorf("%w: %q", ErrNoUser, name)
	}
	return a.user, nil
}

// Users returns every username, sorted.
func (s *Store) Users() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	names := make([]string, 0, len(s.users))
	for n := range s.users {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// AddPost publishes body as a post by author. Surrounding space is trimmed;
// the rest must be 1 to MaxPostRunes characters of valid UTF-8.
func (s *Store) AddPost(author, body string) (Post, error) {
	body = strings.TrimSpace(body)
	if body == "" || !utf8.ValidString(body) || utf8.RuneCountInString(body) > MaxPostRunes {
		return Post{}, fmt.Errorf("%w: a post has 1 to %d characters", ErrInvalidPost, MaxPostRunes)
	}
	s.mu.Lock()
	a, ok := s.users[author]
	if !ok {
		s.mu.Unlock()
		return Post{}, fmt.Errorf("%w: %q", ErrNoUser, author)
	}
	s.lastID++
	p := Post{ID: s.lastID, Author: author, Body: body, Created: s.now()}
	a.posts = append(a.posts, p)
	notify := s.notify(append([]string{author}, keys(a.followers)...))
	s.mu.Unlock()
	notify()
	return p, nil
}

// Follow makes follower follow followee. Following twice is not an error.
func (s *Store) Follow(follower, followee string) error {
	return s.setFollow(follower, followee, true)
}

// Unfollow makes follower stop following followee. Unfollowing someone not
// followed is not an error.
func (s *Store) Unfollow(follower, followee string) error {
	return s.setFollow(follower, followee, false)
}

func (s *Store) setFollow(follower, followee string, on bool) error {
	if follower == followee {
		return ErrSelfFollow
	}
	s.mu.Lock()
	a, ok := s.users[follower]
	b, ok2 := s.users[followee]
	if !ok || !ok2 {
		s.mu.Unlock()
		return fmt.Errorf("%w: %q or %q", ErrNoUser, follower, followee)
	}
	if on {
		a.following[followee] = struct{}{}
		b.followers[follower] = struct{}{}
	} else {
		delete(a.following, followee)
		delete(b.followers, follower)
	}
	notify := s.notify([]string{follower})
	s.mu.Unlock()
	notify()
	return nil
}

// IsFollowing reports whether follower follows followee.
func (s *Store) IsFollowing(follower, followee string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.users[follower]
	if !ok {
		return false
	}
	_, ok = a.following[followee]
	return ok
}

// Following returns the names name follows, sorted.
func (s *Store) Following(name string) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if a, ok := s.users[name]; ok {
		return keys(a.following)
	}
	return nil
}

// Followers returns the names that follow name, sorted.
func (s *Store) Followers(name string) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if a, ok := s.users[name]; ok {
		return keys(a.followers)
	}
	return nil
}

// PostsBy returns the newest posts of name, at most limit, newest first.
func (s *Store) PostsBy(name string, limit int) ([]Post, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.users[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrNoUser, name)
	}
	return newest(a.posts, limit), nil
}

// Timeline returns the newest posts of name and of everyone name follows,
// at most limit, newest first.
func (s *Store) Timeline(name string, limit int) ([]Post, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.users[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrNoUser, name)
	}
	// Each author's posts are in ID order: merge their tails, newest
	// first, taking only what the timeline shows.
	h := make(tails, 0, len(a.following)+1)
	h = h.push(a.posts)
	for f := range a.following {
		h = h.push(s.users[f].posts)
	}
	heap.Init(&h)
	out := make([]Post, 0, min(limit, 64))
	for len(out) < limit && len(h) > 0 {
		t := &h[0]
		out = append(out, (*t)[len(*t)-1])
		if *t = (*t)[:len(*t)-1]; len(*t) == 0 {
			heap.Pop(&h)
		} else {
			heap.Fix(&h, 0)
		}
	}
	return out, nil
}

// tails is a max-heap of authors' unread posts, ordered by their newest
// (last) post.
type tails [][]Post

func (h tails) push(posts []Post) tails {
	if len(posts) == 0 {
		return h
	}
	return append(h, posts)
}

func (h tails) Len() int           { return len(h) }
func (h tails) Less(i, j int) bool { return h[i][len(h[i])-1].ID > h[j][len(h[j])-1].ID }
func (h tails) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *tails) Push(x any)        { *h = append(*h, x.([]Post)) }
func (h *tails) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// newest returns the last limit posts of posts (oldest first), newest
// first.
func newest(posts []Post, limit int) []Post {
	out := make([]Post, 0, min(limit, len(posts)))
	for i := len(posts) - 1; i >= 0 && len(out) < limit; i-- {
		out = append(out, posts[i])
	}
	return out
}

func keys(m map[string]struct{}) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
