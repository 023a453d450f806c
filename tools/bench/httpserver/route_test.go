package httpserver

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/serverdev/stdweb/httpserver"
)

// routes is a small API; each implementation registers all of it, so the
// routers search a realistic table.
var routes = []string{
	"GET /",
	"GET /about",
	"GET /static/css/site.css",
	"GET /users",
	"POST /users",
	"GET /users/{id}",
	"PUT /users/{id}",
	"DELETE /users/{id}",
	"GET /users/{id}/posts",
	"GET /posts",
	"GET /posts/{id}",
	"POST /posts/{id}/comments",
	"GET /orgs/{org}",
	"GET /orgs/{org}/repos",
	"GET /orgs/{org}/repos/{repo}",
	"GET /orgs/{org}/repos/{repo}/issues",
	"GET /orgs/{org}/repos/{repo}/issues/{n}",
	"GET /search",
}

var cases = []struct{ name, path string }{
	{"static", "/static/css/site.css"},
	{"one-param", "/users/42"},
	{"three-param", "/orgs/serverdev/repos/stdweb/issues/3"},
}

// params lists the wildcard names of a pattern.
func params(pattern string) []string {
	var out []string
	for seg := range strings.SplitSeq(pattern, "/") {
		if strings.HasPrefix(seg, "{") {
			out = append(out, strings.Trim(seg, "{}"))
		}
	}
	return out
}

// handler writes a status and the path values, as a real handler would
// read them.
func handler(names []string, value func(*http.Request, string) string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		for _, n := range names {
			io.WriteString(w, value(r, n))
		}
	})
}

func pathValue(r *http.Request, name string) string { return r.PathValue(name) }

func newOurs() http.Handler {
	rt := httpserver.NewRouter(httpserver.RouterOptions{})
	for _, p := range routes {
		rt.Handle(p, handler(params(p), pathValue))
	}
	if err := rt.Err(); err != nil {
		panic(err)
	}
	return rt
}

func newServeMux() http.Handler {
	mux := http.NewServeMux()
	for _, p := range routes {
		mux.Handle(p, handler(params(p), pathValue))
	}
	return mux
}

func newChi() http.Handler {
	r := chi.NewRouter()
	for _, p := range routes {
		method, path, _ := strings.Cut(p, " ")
		r.Method(method, path, handler(params(p), chi.URLParam))
	}
	return r
}

// discard is a ResponseWriter that keeps nothing, shared by all three. Like
// net/http's, it implements io.StringWriter.
type discard struct {
	h      http.Header
	status int
}

func (d *discard) Header() http.Header               { return d.h }
func (d *discard) WriteHeader(code int)              { d.status = code }
func (d *discard) Write(p []byte) (int, error)       { return len(p), nil }
func (d *discard) WriteString(s string) (int, error) { return len(s), nil }

func BenchmarkRoute(b *testing.B) {
	impls := []struct {
		name string
		h    http.Handler
	}{
		{"ours", newOurs()},
		{"servemux", newServeMux()},
		{"chi", newChi()},
	}
	for _, c := range cases {
		for _, impl := range impls {
			b.Run(c.name+"/"+impl.name, func(b *testing.B) {
				req := httptest.NewRequest("GET", c.path, nil)
				w := &discard{h: http.Header{}}
				impl.h.ServeHTTP(w, req)
				if w.status != http.StatusOK {
					b.Fatalf("%s %s: status %d", impl.name, c.path, w.status)
				}
				b.ReportAllocs()
				done := reportCPU(b)
				for b.Loop() {
					impl.h.ServeHTTP(w, req)
				}
				done()
			})
		}
	}
}
