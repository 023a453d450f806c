package httpserver

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Middleware wraps a handler; the first middleware given is the outermost.
type Middleware = func(http.Handler) http.Handler

// RouterOptions configures a Router. The zero value is ready to use.
type RouterOptions struct {
	// Logger receives the Router's error, panic and rule-violation logs.
	// Nil means slog.Default().
	Logger *slog.Logger

	// RenderError writes error responses. Nil means RenderError.
	RenderError ErrorRenderer

	// NotFound serves requests that match no route. Nil renders a 404
	// through RenderError.
	NotFound http.Handler

	// MethodNotAllowed serves requests whose path matches a route but not
	// for their method. The Allow header is set before it is called. Nil
	// renders a 405 through RenderError.
	MethodNotAllowed http.Handler
}

// A Router dispatches requests on http.ServeMux patterns ("GET /posts/{id}",
// "/files/{path...}") and enforces, for every request it serves, that the
// client gets exactly one response:
//
//   - a handler that returns without writing gets a 500 and a log line
//     naming its route;
//   - a second WriteHeader is ignored and logged once, with the route;
//   - a handler error or panic after the body started aborts the
//     connection, so the client sees a broken response, not a short one;
//   - a panic before anything was written becomes a 500, logged with its
//     stack, and the server keeps running (http.ErrAbortHandler still
//     aborts).
//
// Registration problems (invalid or conflicting patterns) do not panic: they
// are collected and reported by Err, and Server.Run refuses to start with a
// Router whose Err is not nil.
//
// Register routes and middleware before serving, from one goroutine. A
// Router made by Group shares the routes of its parent and adds a prefix and
// middleware.
type Router struct {
	core     *routerCore
	parent   *Router
	prefix   string
	mw       []Middleware // this Router's own; see middleware
	hasRoute bool         // a route was registered here or in a group below
}

type routerCore struct {
	mux    *http.ServeMux
	opts   RouterOptions
	mu     sync.Mutex
	errs   []error
	extra  []string     // methods beyond the standard ones seen in patterns
	root   http.Handler // a handler registered for "/" by the user
	rootMW []Middleware
	// fallback serves "/" (unmatched requests): the root middleware around
	// the user's "/" handler or the 404/405 logic.
	fallback atomic.Pointer[http.Handler]
}

// NewRouter returns a Router with the given options.
func NewRouter(opts RouterOptions) *Router {
	c := &routerCore{mux: http.NewServeMux(), opts: opts}
	c.mux.Handle("/", http.HandlerFunc(c.serveFallback))
	c.rebuildFallback()
	return &Router{core: c}
}

func (c *routerCore) log() *slog.Logger {
	if c == nil || c.opts.Logger == nil {
		return slog.Default()
	}
	return c.opts.Logger
}

func (c *routerCore) renderer() ErrorRenderer {
	if c == nil || c.opts.RenderError == nil {
		return RenderError
	}
	return c.opts.RenderError
}

// ServeHTTP dispatches the request to the handler whose pattern matches it.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	t := getTracker(w, r, rt.core)
	defer rt.core.finish(t)
	rt.core.mux.ServeHTTP(t, r)
	t.returned = true
}

func (c *routerCore) finish(t *tracker) {
	if t.returned && t.wrote && !t.hijacked && !t.abort && t.access == nil && len(t.hdr) == t.headerLen {
		putTracker(t) // the common case: one response, nothing to log, no panic to recover
		return
	}
	p := recover()
	if p == http.ErrAbortHandler {
		putTracker(t)
		panic(p)
	}
	abort := t.finish(p)
	putTracker(t)
	if abort {
		panic(http.ErrAbortHandler)
	}
}

// Err returns the registration errors of the Router and of every Router
// sharing its routes, joined, or nil. Each wraps ErrInvalidRoute.
func (rt *Router) Err() error {
	rt.core.mu.Lock()
	defer rt.core.mu.Unlock()
	return errors.Join(rt.core.errs...)
}

func (c *routerCore) addErr(err error) {
	c.mu.Lock()
	c.errs = append(c.errs, err)
	c.mu.Unlock()
}

// Use appends middleware for the routes of this Router and of its groups.
// Call it before registering routes on them: a call after is reported by
// Err, because the routes already registered would silently miss it.
// Middleware of the Router made by NewRouter also wraps the 404 and 405
// responses.
func (rt *Router) Use(mw ...Middleware) {
	if rt.hasRoute {
		rt.core.addErr(fmt.Errorf("%w: Use called after routes were registered on this router or its groups", ErrInvalidRoute))
		return
	}
	rt.mw = append(rt.mw, mw...)
	if rt.parent == nil {
		rt.core.mu.Lock()
		rt.core.rootMW = slices.Clone(rt.mw)
		rt.core.mu.Unlock()
		rt.core.rebuildFallback()
	}
}

// middleware returns the chain for routes of rt: its ancestors' middleware,
// outermost first, then its own.
func (rt *Router) middleware() []Middleware {
	if rt.parent == nil {
		return rt.mw
	}
	return append(rt.parent.middleware(), rt.mw...)
}

// Handle registers h for pattern, with the Router's prefix and middleware.
func (rt *Router) Handle(pattern string, h http.Handler) {
	rt.handle(pattern, h)
}

// HandleFunc registers an error-returning handler for pattern. See
// HandlerFunc for how a returned error becomes a response.
func (rt *Router) HandleFunc(pattern string, f func(http.ResponseWriter, *http.Request) error) {
	if f == nil {
		rt.handle(pattern, nil)
		return
	}
	rt.handle(pattern, HandlerFunc(f))
}

// Group returns a Router that registers its routes under prefix (a path
// like "/api" or "/users/{id}") with the middleware of rt followed by mw.
// Pattern "GET /" in a group "/api" becomes "GET /api/", which matches the
// whole subtree; use "GET /{$}" for "/api/" alone.
func (rt *Router) Group(prefix string, mw ...Middleware) *Router {
	prefix = strings.TrimSuffix(prefix, "/")
	if prefix != "" && !strings.HasPrefix(prefix, "/") {
		rt.core.addErr(fmt.Errorf("%w: group prefix %q must start with /", ErrInvalidRoute, prefix))
	}
	return &Router{core: rt.core, parent: rt, prefix: rt.prefix + prefix, mw: slices.Clip(mw)}
}

// Mount serves h for every request under prefix, for every method, with the
// prefix stripped from the URL path: a handler mounted at "/admin" sees
// "/admin" and "/admin/" as "/", and "/admin/users" as "/users", without
// redirects. The prefix may not contain wildcards. Mounting at "/" makes h
// the handler for every request no other route matches.
func (rt *Router) Mount(prefix string, h http.Handler) {
	prefix = strings.TrimSuffix(prefix, "/")
	if strings.ContainsAny(prefix, "{} \t") {
		rt.core.addErr(fmt.Errorf("%w: mount prefix %q may not contain wildcards or spaces", ErrInvalidRoute, prefix))
		return
	}
	full := rt.prefix + prefix
	if full == "" {
		rt.handle("/", h)
		return
	}
	if h == nil {
		rt.handle(prefix, nil)
		return
	}
	// Register the full paths: in a group, prefix may be "" (Mount("/")),
	// which handle would reject as a pattern.
	s := stripPrefix(full, h)
	rt.register(full, s)
	rt.register(full+"/", s)
}

// stripPrefix is http.StripPrefix that maps the prefix itself to "/".
func stripPrefix(prefix string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := strings.CutPrefix(r.URL.Path, prefix)
		if !ok {
			h.ServeHTTP(w, r)
			return
		}
		r2 := new(http.Request)
		*r2 = *r
		r2.URL = new(url.URL)
		*r2.URL = *r.URL
		r2.URL.Path = cmpOr(p, "/")
		if r.URL.RawPath != "" {
			rp, _ := strings.CutPrefix(r.URL.RawPath, prefix)
			r2.URL.RawPath = cmpOr(rp, "/")
		}
		h.ServeHTTP(w, r2)
	})
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// splitPattern splits "[METHOD ][HOST]/PATH" into its parts.
func splitPattern(pattern string) (method, host, path string) {
	rest := strings.TrimLeft(pattern, " \t")
	if i := strings.IndexAny(rest, " \t"); i >= 0 {
		method, rest = rest[:i], strings.TrimLeft(rest[i:], " \t")
	}
	i := strings.IndexByte(rest, '/')
	if i < 0 {
		return method, rest, ""
	}
	return method, rest[:i], rest[i:]
}

var standardMethods = []string{
	http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
	http.MethodPatch, http.MethodDelete, http.MethodOptions, http.MethodTrace,
}

func (rt *Router) handle(pattern string, h http.Handler) {
	for x := rt; x != nil; x = x.parent {
		x.hasRoute = true
	}
	c := rt.core
	if h == nil {
		c.addErr(fmt.Errorf("%w: %q: nil handler", ErrInvalidRoute, pattern))
		return
	}
	method, host, path := splitPattern(pattern)
	if path == "" {
		c.addErr(fmt.Errorf("%w: %q: the path must start with /", ErrInvalidRoute, pattern))
		return
	}
	full := host + rt.prefix + path
	if method != "" {
		full = method + " " + full
	}
	if rt.register(full, h) && method != "" && method != http.MethodConnect && !slices.Contains(standardMethods, method) {
		c.mu.Lock()
		if !slices.Contains(c.extra, method) {
			c.extra = append(c.extra, method)
		}
		c.mu.Unlock()
	}
}

// register adds full, a complete pattern with the Router's prefix
// already applied, with the Router's middleware around h, and reports
// whether it was accepted.
func (rt *Router) register(full string, h http.Handler) bool {
	for x := rt; x != nil; x = x.parent {
		x.hasRoute = true
	}
	c := rt.core
	h = chain(rt.middleware(), h)
	if full == "/" {
		c.mu.Lock()
		dup := c.root != nil
		if !dup {
			c.root = h
		}
		c.mu.Unlock()
		if dup {
			c.addErr(fmt.Errorf("%w: pattern \"/\" registered twice", ErrInvalidRoute))
			return false
		}
		c.rebuildFallback()
		return true
	}
	if err := c.register(full, h); err != nil {
		c.addErr(err)
		return false
	}
	return true
}

// register adds a pattern to the mux, turning its panic into an error.
func (c *routerCore) register(pattern string, h http.Handler) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %v", ErrInvalidRoute, p)
		}
	}()
	c.mux.Handle(pattern, h)
	return nil
}

func chain(mw []Middleware, h http.Handler) http.Handler {
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	return h
}

func (c *routerCore) rebuildFallback() {
	c.mu.Lock()
	var h http.Handler
	if c.root != nil {
		h = c.root
	} else {
		h = chain(c.rootMW, http.HandlerFunc(c.notFound))
	}
	c.mu.Unlock()
	c.fallback.Store(&h)
}

func (c *routerCore) serveFallback(w http.ResponseWriter, r *http.Request) {
	(*c.fallback.Load()).ServeHTTP(w, r)
}

// notFound answers a request no route matched: 405 with Allow when the path
// matches routes for other methods, 404 otherwise.
func (c *routerCore) notFound(w http.ResponseWriter, r *http.Request) {
	if allow := c.allowed(r); len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		if c.opts.MethodNotAllowed != nil {
			c.opts.MethodNotAllowed.ServeHTTP(w, r)
			return
		}
		c.renderer()(w, r, &Error{Status: http.StatusMethodNotAllowed})
		return
	}
	if c.opts.NotFound != nil {
		c.opts.NotFound.ServeHTTP(w, r)
		return
	}
	c.renderer()(w, r, &Error{Status: http.StatusNotFound})
}

// allowed lists the methods for which some route matches r's path.
func (c *routerCore) allowed(r *http.Request) []string {
	c.mu.Lock()
	methods := append(slices.Clone(standardMethods), c.extra...)
	c.mu.Unlock()
	var allow []string
	probe := *r
	for _, m := range methods {
		if m == r.Method {
			continue
		}
		probe.Method = m
		if _, pat := c.mux.Handler(&probe); pat != "" && pat != "/" {
			allow = append(allow, m)
		}
	}
	slices.Sort(allow)
	return allow
}
