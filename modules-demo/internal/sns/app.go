package sns

import (
	"context"
	"embed"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/serverdev/stdweb/cookies"
	"github.com/serverdev/stdweb/httpserver"
	"github.com/serverdev/stdweb/modules-demo/internal/assets"
	"github.com/serverdev/stdweb/modules-demo/internal/password"
	"github.com/serverdev/stdweb/modules-demo/internal/social"
	"github.com/serverdev/stdweb/sessioncache"
	"github.com/serverdev/stdweb/sessioncache/cache"
)

//go:embed static
var staticFiles embed.FS

// Limits and lifetimes of the app.
const (
	timelineLen      = 50                 // posts on a timeline
	timelineTTL      = time.Minute        // a cached timeline's longest life
	timelineCacheMax = 10_000             // cached timelines
	maxFormBytes     = 64 << 10           // request bodies
	requestTimeout   = 15 * time.Second   // the longest a request may take
	sessionIdle      = 2 * time.Hour      // a session unused this long ends
	sessionLifetime  = 7 * 24 * time.Hour // every session ends this long after login
)

// Config configures an App.
type Config struct {
	// Social holds the users, posts and follows. Required.
	Social *social.Store

	// SessionStore keeps the sessions: a sessioncache.MemoryStore for one
	// process, a redisstore.Store for a cluster. Required; the App does not
	// close it.
	SessionStore sessioncache.Store

	// Keys sign and seal the app's own cookies. Every node of a cluster
	// must use the same keys. Required.
	Keys *cookies.KeyRing

	// Hasher hashes passwords; the zero value is the production setting.
	Hasher password.Hasher

	// InsecureCookies leaves the Secure attribute off every cookie, so that
	// browsers send them over plain http:// (local development only).
	InsecureCookies bool

	// Node names this app instance in the X-Node response header and the
	// page footer ("" sends no header).
	Node string

	// Logger receives the app's logs; nil means slog.Default().
	Logger *slog.Logger
}

// App is the SNS web app. Create one with New, register its routes with
// Routes, and Close it when the server has stopped.
type App struct {
	social    *social.Store
	sessions  *sessioncache.Manager
	timelines *cache.Cache[string, []social.Post]
	static    *assets.FS
	pages     pages
	hasher    password.Hasher
	dummyHash string // verified against when a username is unknown, so timing does not tell
	theme     *cookies.Signer
	lastUser  *cookies.Sealer
	cookieOpt cookies.Options
	node      string
	log       *slog.Logger
	stopSub   func() // ends the subscription to the social store's changes
}

// New returns an App configured by cfg.
func New(cfg Config) (*App, error) {
	if cfg.Social == nil || cfg.SessionStore == nil || cfg.Keys == nil {
		return nil, errors.New("sns: Config needs Social, SessionStore and Keys")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil {
		return nil, err
	}
	static, err := assets.New(sub)
	if err != nil {
		return nil, err
	}
	pg, err := parsePages(static)
	if err != nil {
		return nil, err
	}
	a := &App{
		social: cfg.Social,
		sessions: &sessioncache.Manager{
			Store:       cfg.SessionStore,
			IdleTimeout: sessionIdle,
			Lifetime:    sessionLifetime,
			Cookie:      sessioncache.CookieOptions{Insecure: cfg.InsecureCookies},
			Logger:      log,
		},
		timelines: cache.MustNew(cache.Options[string, []social.Post]{
			MaximumSize:      timelineCacheMax,
			ExpireAfterWrite: timelineTTL,
		}),
		static:    static,
		pages:     pg,
		hasher:    cfg.Hasher,
		dummyHash: cfg.Hasher.Hash("not a password of anyone"),
		theme:     &cookies.Signer{Keys: cfg.Keys, MaxAge: 365 * 24 * time.Hour},
		lastUser:  &cookies.Sealer{Keys: cfg.Keys, MaxAge: 30 * 24 * time.Hour},
		cookieOpt: cookies.Options{Insecure: cfg.InsecureCookies},
		node:      cfg.Node,
		log:       log,
	}
	// A post or a follow changes some timelines: drop them from this app's
	// cache. Every App (every node of a cluster) subscribes on its own.
	a.stopSub = cfg.Social.Subscribe(func(users []string) {
		for _, u := range users {
			a.timelines.Delete(u)
		}
	})
	return a, nil
}

// Close stops the timeline cache and its invalidations. Call it after the
// server stopped.
func (a *App) Close() error {
	a.stopSub()
	a.timelines.Close()
	return nil
}

// Sessions returns the session Manager of the app.
func (a *App) Sessions() *sessioncache.Manager { return a.sessions }

// TimelineStats returns the counters of the timeline cache.
func (a *App) TimelineStats() cache.Stats { return a.timelines.Stats() }

// Routes registers the app's routes and middleware on rt, which should
// already carry the server-wide middleware (see Middleware).
func (a *App) Routes(rt *httpserver.Router) {
	rt.Mount("/static", httpserver.Static(a.static, httpserver.StaticOptions{}))

	// Pages are personal: never cached, and every one has a session.
	web := rt.Group("", a.sessions.Handler, httpserver.CacheControl(httpserver.CacheNoStore))
	web.HandleFunc("GET /{$}", a.home)
	web.HandleFunc("GET /signup", a.signupForm)
	web.HandleFunc("POST /signup", a.signup)
	web.HandleFunc("GET /login", a.loginForm)
	web.HandleFunc("POST /login", a.login)
	web.HandleFunc("POST /logout", a.logout)
	web.HandleFunc("POST /logout-everywhere", a.logoutEverywhere)
	web.HandleFunc("GET /sessions", a.sessionList)
	web.HandleFunc("POST /sessions/revoke", a.revokeSession)
	web.HandleFunc("POST /posts", a.addPost)
	web.HandleFunc("GET /users", a.userList)
	web.HandleFunc("GET /u/{name}", a.profile)
	web.HandleFunc("POST /u/{name}/follow", a.follow)
	web.HandleFunc("POST /u/{name}/unfollow", a.unfollow)
	web.HandleFunc("POST /theme", a.toggleTheme)

	// The JSON API: revalidated with ETags (304 when unchanged), private
	// to the browser.
	api := rt.Group("/api", a.sessions.Handler,
		httpserver.CacheControl("private, no-cache"),
		httpserver.ConditionalGET(httpserver.ConditionalGETOptions{}))
	api.HandleFunc("GET /timeline", a.apiTimeline)
	api.HandleFunc("GET /users/{name}/posts", a.apiPosts)
	api.HandleFunc("GET /stats", a.apiStats)
}

// Middleware returns the server-wide middleware the app expects, outermost
// first: request IDs, access logs, a deadline, a body limit, gzip, security
// headers, and CSRF protection for every state-changing request.
func Middleware(log *slog.Logger) []httpserver.Middleware {
	return []httpserver.Middleware{
		httpserver.RequestID,
		httpserver.AccessLog(log),
		// A request's context ends after this long; a handler that wrote
		// nothing by then answers 503.
		httpserver.Timeout(requestTimeout),
		httpserver.BodyLimit(maxFormBytes),
		httpserver.Gzip(httpserver.GzipOptions{}),
		httpserver.SecurityHeaders(httpserver.SecurityHeadersOptions{}),
		// Same-origin only, judged from Sec-Fetch-Site and Origin: no
		// tokens in forms needed (http.CrossOriginProtection).
		httpserver.CSRF(nil),
	}
}

// Handler returns a Router with Middleware and the app's routes, plus the
// health endpoints of srv when it is not nil.
func (a *App) Handler(srv *httpserver.Server) *httpserver.Router {
	rt := httpserver.NewRouter(httpserver.RouterOptions{Logger: a.log})
	rt.Use(Middleware(a.log)...)
	if a.node != "" {
		rt.Use(a.nodeHeader)
	}
	if srv != nil {
		rt.Handle("GET /healthz", srv.Healthz())
		rt.Handle("GET /readyz", srv.Readyz())
	}
	a.Routes(rt)
	return rt
}

func (a *App) nodeHeader(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Node", a.node)
		next.ServeHTTP(w, r)
	})
}

// currentUser returns the logged-in user of the request, or "". A session
// can outlive its user's account (sessions in Redis survive a restart of
// this demo, its users do not): such a session counts as logged out.
func (a *App) currentUser(ctx context.Context) string {
	user := a.sessions.User(ctx)
	if user == "" {
		return ""
	}
	if _, err := a.social.User(user); err != nil {
		return ""
	}
	return user
}
