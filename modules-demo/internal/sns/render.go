package sns

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"

	"github.com/serverdev/stdweb/modules-demo/internal/assets"
	"github.com/serverdev/stdweb/sessioncache"
)

//go:embed templates
var templateFiles embed.FS

// pages maps a page name ("home") to its template: the layout plus the
// page's own file.
type pages map[string]*template.Template

func parsePages(static *assets.FS) (pages, error) {
	funcs := template.FuncMap{"asset": static.Path}
	pg := pages{}
	for _, name := range []string{"home", "signup", "login", "users", "profile", "sessions"} {
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFiles,
			"templates/layout.html", "templates/users.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("sns: parse %s page: %w", name, err)
		}
		pg[name] = t
	}
	return pg, nil
}

// flash is a message shown once, on the next page the user sees.
type flash struct {
	Kind string `json:"kind"` // "ok" or "error"
	Msg  string `json:"msg"`
}

// view is what every page template gets.
type view struct {
	Title string
	User  string // logged-in user, or ""
	Theme string // "light" or "dark"
	Node  string
	Flash *flash
	Data  any // the page's own data
}

// render writes the page name with status. The page is rendered into a
// buffer first, so a template error becomes a clean 500 instead of half a
// page.
func (a *App) render(w http.ResponseWriter, r *http.Request, status int, name, title string, data any) error {
	v := view{Title: title, User: a.currentUser(r.Context()), Theme: a.themeOf(r), Node: a.node, Data: data}
	if f, ok := sessioncache.Pop[flash](r.Context(), a.sessions, keyFlash); ok {
		v.Flash = &f
	}
	var buf bytes.Buffer
	if err := a.pages[name].ExecuteTemplate(&buf, "layout", v); err != nil {
		return fmt.Errorf("sns: render %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := buf.WriteTo(w)
	return err
}

// redirect sends the browser to url after a form post, with a flash
// message for the next page ("post/redirect/get").
func (a *App) redirect(w http.ResponseWriter, r *http.Request, url, kind, msg string) error {
	if msg != "" {
		a.sessions.Put(r.Context(), keyFlash, flash{Kind: kind, Msg: msg})
	}
	http.Redirect(w, r, url, http.StatusSeeOther)
	return nil
}
