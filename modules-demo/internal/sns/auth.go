package sns

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/serverdev/stdweb/httpserver"
	"github.com/serverdev/stdweb/modules-demo/internal/social"
	"github.com/serverdev/stdweb/sessioncache"
)

// Password length bounds. The upper one keeps a request from making the
// server hash megabytes.
const (
	minPasswordLen = 8
	maxPasswordLen = 256
)

// Session keys.
const (
	keyDevice = "device" // a short description of the browser, for the devices page
	keyFlash  = "flash"
)

type authForm struct {
	Username string
	Error    string
}

func (a *App) signupForm(w http.ResponseWriter, r *http.Request) error {
	return a.render(w, r, http.StatusOK, "signup", "Sign up", authForm{})
}

func (a *App) signup(w http.ResponseWriter, r *http.Request) error {
	name := strings.TrimSpace(r.PostFormValue("username"))
	pw := r.PostFormValue("password")
	form := authForm{Username: name}
	switch {
	case !social.ValidUsername(name):
		form.Error = "A username has 3 to 20 characters: a–z, 0–9 and _."
	case len(pw) < minPasswordLen || len(pw) > maxPasswordLen:
		form.Error = fmt.Sprintf("A password has %d to %d characters.", minPasswordLen, maxPasswordLen)
	}
	if form.Error == "" {
		_, err := a.social.CreateUser(name, a.hasher.Hash(pw))
		switch {
		case errors.Is(err, social.ErrUserExists):
			form.Error = "That username is taken."
		case err != nil:
			return err
		}
	}
	if form.Error != "" {
		return a.render(w, r, http.StatusUnprocessableEntity, "signup", "Sign up", form)
	}
	// Sessions can outlive accounts (this demo forgets its users at a
	// restart; sessions in Redis stay): a new account must not inherit
	// the sessions of an earlier one with the same name.
	if _, err := a.sessions.DestroyUser(r.Context(), name); err != nil {
		return err
	}
	a.startSession(w, r, name, false)
	return a.redirect(w, r, "/", "ok", "Welcome, @"+name+"! Follow some people to fill your timeline.")
}

func (a *App) loginForm(w http.ResponseWriter, r *http.Request) error {
	return a.render(w, r, http.StatusOK, "login", "Log in", authForm{Username: a.lastUsername(r)})
}

func (a *App) login(w http.ResponseWriter, r *http.Request) error {
	name := strings.TrimSpace(r.PostFormValue("username"))
	pw := r.PostFormValue("password")
	if len(pw) > maxPasswordLen {
		pw = pw[:maxPasswordLen] // cannot match: signup refuses longer ones
	}
	u, userErr := a.social.User(name)
	hash := u.PasswordHash
	if userErr != nil {
		// Hash anyway, so that an unknown name takes as long as a wrong
		// password and response times do not reveal who has an account.
		hash = a.dummyHash
	}
	if err := a.hasher.Verify(hash, pw); err != nil || userErr != nil {
		a.log.Info("login failed", "user", name, "request_id", httpserver.RequestIDFrom(r.Context()))
		return a.render(w, r, http.StatusUnauthorized, "login", "Log in",
			authForm{Username: name, Error: "Wrong username or password."})
	}
	if a.hasher.NeedsRehash(hash) {
		if err := a.social.SetPasswordHash(name, a.hasher.Hash(pw)); err != nil {
			a.log.Warn("rehash password", "user", name, "err", err)
		}
	}
	a.startSession(w, r, name, r.PostFormValue("remember") == "1")
	return a.redirect(w, r, "/", "ok", "Welcome back, @"+name+".")
}

// startSession logs name in on this request's session.
func (a *App) startSession(w http.ResponseWriter, r *http.Request, name string, remember bool) {
	ctx := r.Context()
	// A new token at every change of privilege: a token that someone
	// planted in this browser before the login (session fixation) or saw
	// on the way is worthless from now on.
	a.sessions.Renew(ctx)
	// Record the owner, for the devices page and "log out everywhere".
	a.sessions.SetUser(ctx, name)
	a.sessions.RememberMe(ctx, remember)
	a.sessions.Put(ctx, keyDevice, device(r))
	a.rememberUsername(w, name)
}

func (a *App) logout(w http.ResponseWriter, r *http.Request) error {
	a.sessions.Destroy(r.Context())
	// The flash below starts a fresh, anonymous session.
	return a.redirect(w, r, "/", "ok", "You are logged out.")
}

func (a *App) logoutEverywhere(w http.ResponseWriter, r *http.Request) error {
	user, ok := a.requireUser(w, r, "")
	if !ok {
		return nil
	}
	n, err := a.sessions.DestroyUser(r.Context(), user)
	if err != nil {
		return err
	}
	return a.redirect(w, r, "/", "ok", fmt.Sprintf("Logged out of %d sessions.", n))
}

// requireUser returns the logged-in user of r. When there is none it
// sends the browser to the login page, with msg as a flash message if not
// empty, and reports false: the caller returns at once.
func (a *App) requireUser(w http.ResponseWriter, r *http.Request, msg string) (string, bool) {
	if user := a.currentUser(r.Context()); user != "" {
		return user, true
	}
	a.redirect(w, r, "/login", "error", msg)
	return "", false
}

// deviceSession is one row of the devices page.
type deviceSession struct {
	sessioncache.SessionInfo
	Device string
}

func (a *App) sessionList(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	user, ok := a.requireUser(w, r, "Log in to see your devices.")
	if !ok {
		return nil
	}
	infos, err := a.sessions.UserSessions(ctx, user)
	if err != nil {
		return err
	}
	slices.SortFunc(infos, func(x, y sessioncache.SessionInfo) int { return y.Created.Compare(x.Created) })
	rows := make([]deviceSession, len(infos))
	for i, info := range infos {
		rows[i] = deviceSession{SessionInfo: info, Device: a.deviceOf(r, info)}
	}
	return a.render(w, r, http.StatusOK, "sessions", "Your devices", struct{ Sessions []deviceSession }{rows})
}

// deviceOf reads the device recorded in another session straight from the
// session store: the Manager only reads the request's own session.
func (a *App) deviceOf(r *http.Request, info sessioncache.SessionInfo) string {
	if info.Current {
		return a.sessions.GetString(r.Context(), keyDevice)
	}
	rec, found, err := a.sessions.Store.Find(r.Context(), info.ID)
	if err != nil || !found {
		return "unknown device"
	}
	var d string // the Manager uses the default codec, JSON
	if err := (sessioncache.JSONCodec{}).Unmarshal(rec.Values[keyDevice], &d); err != nil || d == "" {
		return "unknown device"
	}
	return d
}

func (a *App) revokeSession(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	user, ok := a.requireUser(w, r, "")
	if !ok {
		return nil
	}
	id := r.PostFormValue("id")
	infos, err := a.sessions.UserSessions(ctx, user)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(infos, func(s sessioncache.SessionInfo) bool { return s.ID == id })
	if i < 0 {
		// Not one of this user's sessions: never end someone else's.
		return httpserver.Errorf(http.StatusNotFound, "no such session")
	}
	if infos[i].Current {
		return a.logout(w, r)
	}
	if err := a.sessions.DestroySession(ctx, id); err != nil {
		return err
	}
	return a.redirect(w, r, "/sessions", "ok", "That device is logged out.")
}

// device describes the browser of r in a few words, from its User-Agent.
func device(r *http.Request) string {
	ua := r.UserAgent()
	browser := "a browser"
	for _, b := range []struct{ token, name string }{
		{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"Firefox/", "Firefox"}, {"Chrome/", "Chrome"},
		{"Safari/", "Safari"}, {"curl/", "curl"}, {"Go-http-client", "a Go program"},
	} {
		if strings.Contains(ua, b.token) {
			browser = b.name
			break
		}
	}
	for _, o := range []struct{ token, name string }{
		{"Android", "Android"}, {"iPhone", "iPhone"}, {"iPad", "iPad"}, {"Windows", "Windows"},
		{"Mac OS X", "macOS"}, {"Linux", "Linux"},
	} {
		if strings.Contains(ua, o.token) {
			return browser + " on " + o.name
		}
	}
	return browser
}
