package social

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func newTestStore(t *testing.T, users ...string) *Store {
	t.Helper()
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := New(Options{Now: func() time.Time { clock = clock.Add(time.Second); return clock }})
	for _, u := range users {
		if _, err := s.CreateUser(u, "hash-of-"+u); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func TestValidUsername(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"ann", true},
		{"user_42", true},
		{"abcdefghijklmnopqrst", true},
		{"ab", false},
		{"abcdefghijklmnopqrstu", false},
		{"Ann", false},
		{"an n", false},
		{"ann!", false},
		{"änn", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := ValidUsername(tt.name); got != tt.ok {
			t.Errorf("ValidUsername(%q) = %v, want %v", tt.name, got, tt.ok)
		}
	}
}

func TestCreateUser(t *testing.T) {
	s := newTestStore(t, "ann")
	if _, err := s.CreateUser("ann", "x"); !errors.Is(err, ErrUserExists) {
		t.Errorf("duplicate: %v, want ErrUserExists", err)
	}
	if _, err := s.CreateUser("A!", "x"); !errors.Is(err, ErrInvalidUsername) {
		t.Errorf("bad name: %v, want ErrInvalidUsername", err)
	}
	u, err := s.User("ann")
	if err != nil || u.PasswordHash != "hash-of-ann" {
		t.Errorf("User(ann) = %+v, %v", u, err)
	}
	if _, err := s.User("bob"); !errors.Is(err, ErrNoUser) {
		t.Errorf("User(bob): %v, want ErrNoUser", err)
	}
	if err := s.SetPasswordHash("ann", "new"); err != nil {
		t.Fatal(err)
	}
	if u, _ := s.User("ann"); u.PasswordHash != "new" {
		t.Errorf("after SetPasswordHash: %q", u.PasswordHash)
	}
}

func TestAddPost(t *testing.T) {
	s := newTestStore(t, "ann")
	tests := []struct {
		body string
		want error
	}{
		{"hello", nil},
		{"  padded  ", nil},
		{"", ErrInvalidPost},
		{"   ", ErrInvalidPost},
		{strings.Repeat("é", MaxPostRunes), nil},
		{strings.Repeat("é", MaxPostRunes+1), ErrInvalidPost},
		{"bad \xff utf-8", ErrInvalidPost},
	}
	for _, tt := range tests {
		if _, err := s.AddPost("ann", tt.body); !errors.Is(err, tt.want) {
			t.Errorf("AddPost(%q) = %v, want %v", tt.body, err, tt.want)
		}
	}
	if _, err := s.AddPost("nobody", "hi"); !errors.Is(err, ErrNoUser) {
		t.Errorf("AddPost by unknown user: %v", err)
	}
	posts, _ := s.PostsBy("ann", 10)
	if len(posts) != 3 || posts[1].Body != "padded" {
		t.Errorf("PostsBy = %+v", posts)
	}
}

func TestFollowAndTimeline(t *testing.T) {
	s := newTestStore(t, "ann", "bob", "cat")
	for i := range 3 {
		for _, u := range []string{"ann", "bob", "cat"} {
			if _, err := s.AddPost(u, fmt.Sprintf("%s %d", u, i)); err != nil {
				t.Fatal(err)
			}
		}
	}
	bodies := func(ps []Post) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Body)
		}
		return out
	}
	tl, _ := s.Timeline("ann", 10)
	if got, want := bodies(tl), []string{"ann 2", "ann 1", "ann 0"}; !slices.Equal(got, want) {
		t.Errorf("timeline before follow = %q, want %q", got, want)
	}
	if err := s.Follow("ann", "bob"); err != nil {
		t.Fatal(err)
	}
	if err := s.Follow("ann", "bob"); err != nil {
		t.Fatalf("second Follow: %v", err)
	}
	tl, _ = s.Timeline("ann", 4)
	if got, want := bodies(tl), []string{"bob 2", "ann 2", "bob 1", "ann 1"}; !slices.Equal(got, want) {
		t.Errorf("timeline after follow = %q, want %q", got, want)
	}
	if !s.IsFollowing("ann", "bob") || s.IsFollowing("bob", "ann") {
		t.Error("IsFollowing wrong")
	}
	if got := s.Followers("bob"); !slices.Equal(got, []string{"ann"}) {
		t.Errorf("Followers(bob) = %q", got)
	}
	if got := s.Following("ann"); !slices.Equal(got, []string{"bob"}) {
		t.Errorf("Following(ann) = %q", got)
	}
	if err := s.Follow("ann", "ann"); !errors.Is(err, ErrSelfFollow) {
		t.Errorf("self follow: %v", err)
	}
	if err := s.Follow("ann", "zed"); !errors.Is(err, ErrNoUser) {
		t.Errorf("follow unknown: %v", err)
	}
	if err := s.Unfollow("ann", "bob"); err != nil {
		t.Fatal(err)
	}
	tl, _ = s.Timeline("ann", 10)
	if len(tl) != 3 {
		t.Errorf("timeline after unfollow has %d posts, want 3", len(tl))
	}
	if _, err := s.Timeline("zed", 10); !errors.Is(err, ErrNoUser) {
		t.Errorf("Timeline(unknown): %v", err)
	}
}

func TestSubscribe(t *testing.T) {
	s := newTestStore(t, "ann", "bob", "cat")
	var got, other [][]string
	cancel := s.Subscribe(func(users []string) { got = append(got, users) })
	s.Subscribe(func(users []string) { other = append(other, users) })
	s.Follow("bob", "ann")
	s.Follow("cat", "ann")
	s.AddPost("ann", "hi")
	s.Unfollow("cat", "ann")
	want := [][]string{{"bob"}, {"cat"}, {"ann", "bob", "cat"}, {"cat"}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("notifications = %q, want %q", got, want)
	}
	cancel()
	s.AddPost("bob", "after cancel")
	if len(got) != len(want) {
		t.Errorf("notified after cancel: %q", got[len(want):])
	}
	if len(other) != len(want)+1 {
		t.Errorf("the other subscriber got %d notifications, want %d", len(other), len(want)+1)
	}
}

func TestConcurrentUse(t *testing.T) {
	s := newTestStore(t, "ann", "bob")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 50 {
				name := []string{"ann", "bob"}[i%2]
				other := []string{"bob", "ann"}[i%2]
				s.AddPost(name, fmt.Sprint(j))
				if j%2 == 0 {
					s.Follow(name, other)
				} else {
					s.Unfollow(name, other)
				}
				s.Timeline(name, 20)
				s.Users()
			}
		})
	}
	wg.Wait()
	ann, _ := s.PostsBy("ann", 1000)
	bob, _ := s.PostsBy("bob", 1000)
	if len(ann)+len(bob) != 400 {
		t.Errorf("%d posts, want 400", len(ann)+len(bob))
	}
}

// TestTimelineMerge checks the merged timeline against sorting every
// relevant post, for random posting orders and limits.
func TestTimelineMerge(t *testing.T) {
	users := []string{"ann", "bob", "cat", "dan", "eve"}
	s := newTestStore(t, users...)
	for _, f := range users[1:4] {
		s.Follow("ann", f)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		s.AddPost(users[rng.IntN(len(users))], fmt.Sprint(i))
	}
	var all []Post
	for _, u := range users[:4] { // ann and whom she follows, not eve
		p, _ := s.PostsBy(u, 1000)
		all = append(all, p...)
	}
	slices.SortFunc(all, func(x, y Post) int { return int(y.ID - x.ID) })
	for _, limit := range []int{0, 1, 7, 50, len(all), len(all) + 10} {
		got, err := s.Timeline("ann", limit)
		want := all[:min(limit, len(all))]
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("Timeline(ann, %d): %d posts, want %d (equal: %v)", limit, len(got), len(want), slices.Equal(got, want))
		}
	}
}
