// Command cookies is step 3a of the learning path: cookies you can trust,
// with the cookies module.
//
//	go run ./modules-demo/cmd/cookies      # then open http://localhost:8080
//
// A cookie is whatever the client sends back, so the server must not
// believe it. The page sets two cookies from a form and shows what the
// server reads back:
//
//   - "greeting" is signed (HMAC-SHA-256): the browser can read it but any
//     change to it, or moving it under another cookie name, is detected.
//   - "note" is sealed (AES-256-GCM): the browser can neither read nor
//     change it.
//
// Edit either cookie in the browser's developer tools and reload: the page
// tells you it was rejected, and why. Both carry an expiry inside the
// value, so an old copy stops working even if a client keeps it.
//
// The keys come from one secret (SECRET, at least 32 bytes) through HKDF.
// Without SECRET the program makes a random one, so cookies from an
// earlier run are rejected: try it.
package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/serverdev/stdweb/cookies"
	"github.com/serverdev/stdweb/httpserver"
	"github.com/serverdev/stdweb/modules-demo/internal/setup"
)

func main() {
	// setup.Serve runs the handler like cmd/server does: flags, logs,
	// graceful shutdown on Ctrl-C.
	setup.Serve(func(log *slog.Logger) (http.Handler, func(), error) {
		secret := os.Getenv("SECRET")
		if secret == "" {
			log.Warn("SECRET not set: using a random one, so cookies of earlier runs will be rejected")
			secret = rand.Text() + rand.Text()
		}
		// One secret, many keys: NewKeyRing derives the signing and the
		// encryption key with HKDF. To rotate, pass the new secret first
		// and the old one after it until the old cookies expired.
		keys, err := cookies.NewKeyRing([]byte(secret))
		if err != nil {
			return nil, nil, fmt.Errorf("bad SECRET: %w", err)
		}
		return newHandler(keys), nil, nil
	})
}

// status is what the page reports about one cookie.
type status struct {
	Name, Raw, Value, Err string
}

var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cookies</title></head><body>
<h1>Signed and sealed cookies</h1>
{{range .}}<h2>{{.Name}}</h2>
<p>raw cookie: <code>{{or .Raw "(none)"}}</code></p>
{{if .Err}}<p>rejected: <b>{{.Err}}</b></p>{{else if .Value}}<p>the server reads: <b>{{.Value}}</b></p>{{end}}
{{end}}
<form method="post" action="/greeting"><label>greeting (signed) <input name="value"></label> <button>set</button></form>
<form method="post" action="/note"><label>note (sealed) <input name="value"></label> <button>set</button></form>
<form method="post" action="/forget"><button>delete both</button></form>
</body></html>
`))

func newHandler(keys *cookies.KeyRing) http.Handler {
	// A Signer and a Sealer are configured once and safe for concurrent
	// use. MaxAge is the lifetime written inside each value.
	signer := &cookies.Signer{Keys: keys, MaxAge: time.Hour}
	sealer := &cookies.Sealer{Keys: keys, MaxAge: time.Hour}
	// Cookie attributes: HttpOnly, SameSite=Lax, Path=/ by default.
	// Insecure leaves out Secure so that the browser sends the cookie over
	// plain http://localhost; drop it behind HTTPS.
	opts := cookies.Options{MaxAge: time.Hour, Insecure: true}

	rt := httpserver.NewRouter(httpserver.RouterOptions{})
	// Forms may only be posted from this site (http.CrossOriginProtection).
	rt.Use(httpserver.CSRF(nil))

	rt.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		return page.Execute(w, []status{
			read(r, "greeting", signer.Verify),
			read(r, "note", sealer.Open),
		})
	})
	rt.HandleFunc("POST /greeting", func(w http.ResponseWriter, r *http.Request) error {
		// The cookie's name goes into the signature: this value is
		// worthless under any other name.
		v, err := signer.Sign("greeting", []byte(r.FormValue("value")))
		if err != nil {
			return httpserver.Errorf(http.StatusBadRequest, "%v", err)
		}
		return setAndReturn(w, r, opts.New("greeting", v))
	})
	rt.HandleFunc("POST /note", func(w http.ResponseWriter, r *http.Request) error {
		v, err := sealer.Seal("note", []byte(r.FormValue("value")))
		if err != nil {
			return httpserver.Errorf(http.StatusBadRequest, "%v", err)
		}
		return setAndReturn(w, r, opts.New("note", v))
	})
	rt.HandleFunc("POST /forget", func(w http.ResponseWriter, r *http.Request) error {
		// Delete matches the name, Path and Domain of the cookie to remove.
		for _, name := range []string{"greeting", "note"} {
			if err := cookies.Delete(w, opts.New(name, "")); err != nil {
				return err
			}
		}
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	})
	return rt
}

// read reports the cookie called name of r, checked by open (Verify or Open).
func read(r *http.Request, name string, open func(name, text string) ([]byte, error)) status {
	s := status{Name: name}
	raw, err := cookies.Get(r, name)
	if errors.Is(err, http.ErrNoCookie) {
		return s
	}
	s.Raw = raw
	v, err := open(name, raw)
	switch {
	case errors.Is(err, cookies.ErrExpired):
		s.Err = "expired"
	case errors.Is(err, cookies.ErrBadSignature), errors.Is(err, cookies.ErrDecrypt):
		s.Err = "changed, moved from another cookie, or made with another key"
	case err != nil:
		s.Err = err.Error()
	default:
		s.Value = string(v)
	}
	return s
}

// setAndReturn validates and sets c, then sends the browser back to the page.
func setAndReturn(w http.ResponseWriter, r *http.Request, c *http.Cookie) error {
	// Set refuses a cookie that breaks a rule of RFC 6265bis, with an
	// error that says which, instead of dropping bytes like net/http.
	if err := cookies.Set(w, c); err != nil {
		return err
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}
