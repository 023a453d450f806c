package sns

import (
	"context"
	"errors"
	"net/http"

	"github.com/serverdev/stdweb/httpserver"
	"github.com/serverdev/stdweb/modules-demo/internal/social"
)

func (a *App) home(w http.ResponseWriter, r *http.Request) error {
	user := a.currentUser(r.Context())
	var data struct{ Posts []social.Post }
	if user != "" {
		var err error
		if data.Posts, err = a.timeline(r.Context(), user); err != nil {
			return err
		}
	}
	return a.render(w, r, http.StatusOK, "home", "Home", data)
}

// timeline returns user's timeline from the cache, loading it from the
// social store on a miss. Concurrent misses for one user share one load;
// a post or follow that lands during the load keeps the (older) loaded
// value out of the cache.
func (a *App) timeline(ctx context.Context, user string) ([]social.Post, error) {
	return a.timelines.GetOrLoad(ctx, user, func(_ context.Context, user string) ([]social.Post, error) {
		return a.social.Timeline(user, timelineLen)
	})
}

func (a *App) addPost(w http.ResponseWriter, r *http.Request) error {
	user, ok := a.requireUser(w, r, "Log in to post.")
	if !ok {
		return nil
	}
	_, err := a.social.AddPost(user, r.PostFormValue("body"))
	switch {
	case errors.Is(err, social.ErrInvalidPost):
		return a.redirect(w, r, "/", "error", "A post has 1 to 280 characters.")
	case err != nil:
		return err
	}
	// No cache work here: the social store tells every app whose
	// timelines changed (see New).
	return a.redirect(w, r, "/", "ok", "Posted.")
}

// person is a user as a list or profile shows them to the viewer.
type person struct {
	Name      string
	CanFollow bool // the viewer is logged in and is not this person
	Following bool // the viewer follows this person
}

func (a *App) personFor(viewer, name string) person {
	return person{Name: name, CanFollow: viewer != "" && viewer != name, Following: a.social.IsFollowing(viewer, name)}
}

func (a *App) userList(w http.ResponseWriter, r *http.Request) error {
	viewer := a.currentUser(r.Context())
	var data struct{ People []person }
	for _, name := range a.social.Users() {
		data.People = append(data.People, a.personFor(viewer, name))
	}
	return a.render(w, r, http.StatusOK, "users", "People", data)
}

func (a *App) profile(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	posts, err := a.postsBy(name)
	if err != nil {
		return err
	}
	data := struct {
		Person               person
		Posts                []social.Post
		Following, Followers []string
	}{a.personFor(a.currentUser(r.Context()), name), posts, a.social.Following(name), a.social.Followers(name)}
	return a.render(w, r, http.StatusOK, "profile", "@"+name, data)
}

// postsBy returns the newest posts of name, or a 404 error for an unknown
// user.
func (a *App) postsBy(name string) ([]social.Post, error) {
	posts, err := a.social.PostsBy(name, timelineLen)
	if errors.Is(err, social.ErrNoUser) {
		return nil, httpserver.Errorf(http.StatusNotFound, "no user @%s", name)
	}
	return posts, err
}

func (a *App) follow(w http.ResponseWriter, r *http.Request) error   { return a.setFollow(w, r, true) }
func (a *App) unfollow(w http.ResponseWriter, r *http.Request) error { return a.setFollow(w, r, false) }

func (a *App) setFollow(w http.ResponseWriter, r *http.Request, on bool) error {
	user, ok := a.requireUser(w, r, "Log in to follow people.")
	if !ok {
		return nil
	}
	name := r.PathValue("name")
	var err error
	if on {
		err = a.social.Follow(user, name)
	} else {
		err = a.social.Unfollow(user, name)
	}
	switch {
	case errors.Is(err, social.ErrNoUser):
		return httpserver.Errorf(http.StatusNotFound, "no user @%s", name)
	case errors.Is(err, social.ErrSelfFollow):
		return httpserver.Errorf(http.StatusBadRequest, "you cannot follow yourself")
	case err != nil:
		return err
	}
	msg := "You follow @" + name + "."
	if !on {
		msg = "You no longer follow @" + name + "."
	}
	return a.redirect(w, r, "/u/"+name, "ok", msg)
}
