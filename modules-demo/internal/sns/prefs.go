package sns

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/serverdev/stdweb/cookies"
)

// Cookies of the app besides the session's.
const (
	themeCookie    = "theme"    // signed: the client may read it, not change it
	lastUserCookie = "lastuser" // sealed: the client can neither read nor change it
)

// themeOf returns the theme remembered in the signed theme cookie, or
// "light". A cookie that was tampered with, signed for another name or
// expired is ignored.
func (a *App) themeOf(r *http.Request) string {
	v, err := cookies.Get(r, themeCookie)
	if err != nil {
		return "light"
	}
	var theme string
	if err := a.theme.Decode(themeCookie, v, &theme); err != nil {
		if !errors.Is(err, cookies.ErrExpired) {
			a.log.Debug("theme cookie rejected", "err", err)
		}
		return "light"
	}
	if theme != "dark" {
		return "light"
	}
	return theme
}

func (a *App) toggleTheme(w http.ResponseWriter, r *http.Request) error {
	next := "dark"
	if a.themeOf(r) == "dark" {
		next = "light"
	}
	v, err := a.theme.Encode(themeCookie, next)
	if err != nil {
		return err
	}
	opts := a.cookieOpt
	opts.MaxAge = 365 * 24 * time.Hour
	if err := cookies.Set(w, opts.New(themeCookie, v)); err != nil {
		return err
	}
	back := sameOriginPath(r, r.Referer())
	if back == "" {
		back = "/"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}

// rememberUsername seals name into a cookie so the login form can offer it
// next time, without anyone who borrows the browser reading it.
func (a *App) rememberUsername(w http.ResponseWriter, name string) {
	v, err := a.lastUser.Encode(lastUserCookie, name)
	if err == nil {
		opts := a.cookieOpt
		opts.MaxAge = 30 * 24 * time.Hour
		err = cookies.Set(w, opts.New(lastUserCookie, v))
	}
	if err != nil {
		a.log.Warn("set lastuser cookie", "err", err)
	}
}

// lastUsername returns the username sealed in the lastuser cookie, or "".
func (a *App) lastUsername(r *http.Request) string {
	v, err := cookies.Get(r, lastUserCookie)
	if err != nil {
		return ""
	}
	var name string
	if a.lastUser.Decode(lastUserCookie, v, &name) != nil {
		return ""
	}
	return name
}

// sameOriginPath returns the path and query of ref when ref is a URL on
// r's own host, or "" (so a redirect never leaves the site).
func sameOriginPath(r *http.Request, ref string) string {
	u, err := url.Parse(ref)
	if err != nil || u.Host != r.Host || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return ""
	}
	return u.RequestURI()
}
