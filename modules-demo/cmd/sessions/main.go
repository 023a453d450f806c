// Command sessions is step 3b of the learning path: server-side sessions
// with the sessioncache module, as a visit counter.
//
//	go run ./modules-demo/cmd/sessions     # then open http://localhost:8080 and reload
//
// The browser holds only a random token in a cookie; the data (the count,
// when the visits began) stays on the server, in a MemoryStore, under the
// hash of the token. Open the page in a private window: a second session,
// counting on its own.
//
// What it shows:
//   - Manager.Handler: middleware that loads the session on first use and
//     saves only what changed, just before the response is written.
//   - Put, GetInt and friends, reading and writing through the request's
//     context.
//   - Renew: a new token for the same data (do it at every login).
//   - Destroy: the session is gone from the store and the cookie deleted.
package main

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/serverdev/stdweb/httpserver"
	"github.com/serverdev/stdweb/modules-demo/internal/setup"
	"github.com/serverdev/stdweb/sessioncache"
)

func main() {
	// setup.Serve runs the handler like cmd/server does: flags, logs,
	// graceful shutdown on Ctrl-C.
	setup.Serve(func(*slog.Logger) (http.Handler, func(), error) {
		sessions := newManager()
		// Close stops the MemoryStore the Manager made for itself.
		return newHandler(sessions), func() { sessions.Close() }, nil
	})
}

// newManager configures the sessions. The zero Manager already works (a
// MemoryStore, a day's lifetime, a cookie named "session").
func newManager() *sessioncache.Manager {
	return &sessioncache.Manager{
		IdleTimeout: 20 * time.Minute, // unused this long: gone
		Lifetime:    12 * time.Hour,   // gone this long after it began, used or not
		// The cookie is Secure by default: browsers would not send it
		// back over plain http://. Insecure is for local development only.
		Cookie: sessioncache.CookieOptions{Insecure: true},
	}
}

func newHandler(sessions *sessioncache.Manager) http.Handler {
	rt := httpserver.NewRouter(httpserver.RouterOptions{})
	rt.Use(httpserver.CSRF(nil), sessions.Handler)

	rt.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		visits := sessions.GetInt(ctx, "visits") + 1
		sessions.Put(ctx, "visits", visits)
		if visits == 1 {
			sessions.Put(ctx, "since", time.Now())
		}
		since := sessions.GetTime(ctx, "since")
		// This page differs for every session: no shared cache may keep it.
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, err := fmt.Fprintf(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>sessions</title></head><body>
<h1>Visit number %d</h1><p>This session began %s ago. Reload to count.</p>
<form method="post" action="/renew"><button>new token, same count (Renew)</button></form>
<form method="post" action="/reset"><button>forget me (Destroy)</button></form>
</body></html>`, visits, time.Since(since).Round(time.Second))
		return err
	})
	rt.HandleFunc("POST /renew", func(w http.ResponseWriter, r *http.Request) error {
		// The old token stops working; the data moves to the new one.
		sessions.Renew(r.Context())
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	})
	rt.HandleFunc("POST /reset", func(w http.ResponseWriter, r *http.Request) error {
		sessions.Destroy(r.Context())
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	})
	return rt
}
