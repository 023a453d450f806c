package httpserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRouterRoutes(t *testing.T) {
	log, _ := newLogger()
	rt := NewRouter(RouterOptions{Logger: log})
	rt.HandleFunc("GET /posts/{id}", func(w http.ResponseWriter, r *http.Request) error {
		fmt.Fprintf(w, "post %s", r.PathValue("id"))
		return nil
	})
	rt.Handle("POST /posts", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
	}))
	rt.HandleFunc("GET /files/{path...}", func(w http.ResponseWriter, r *http.Request) error {
		io.WriteString(w, r.PathValue("path"))
		return nil
	})
	rt.HandleFunc("PROPFIND /dav", func(w http.ResponseWriter, r *http.Request) error {
		io.WriteString(w, "dav")
		return nil
	})
	mustNoErr(t, rt)
	tests := []struct {
		method, path string
		status       int
		body, allow  string
	}{
		{"GET", "/posts/7", 200, "post 7", ""},
		{"HEAD", "/posts/7", 200, "", ""},
		{"POST", "/posts", 201, "", ""},
		{"GET", "/files/a/b.txt", 200, "a/b.txt", ""},
		{"DELETE", "/posts/7", 405, "", "GET, HEAD"},
		{"GET", "/posts", 405, "", "POST"},
		{"GET", "/dav", 405, "", "PROPFIND"},
		{"GET", "/nope", 404, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			rt.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d (body %q)", rec.Code, tc.status, rec.Body)
			}
			if tc.body != "" && rec.Body.String() != tc.body {
				t.Errorf("body %q, want %q", rec.Body, tc.body)
			}
			if got := rec.Header().Get("Allow"); got != tc.allow {
				t.Errorf("Allow %q, want %q", got, tc.allow)
			}
		})
	}
}

func TestRouterErrorBodies(t *testing.T) {
	rt := NewRouter(RouterOptions{})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/missing", nil)
	rt.ServeHTTP(rec, req)
	var body struct {
		Error struct {
			Status  int
			Message string
		}
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("404 body is not JSON: %v: %q", err, rec.Body)
	}
	if body.Error.Status != 404 || body.Error.Message != "Not Found" {
		t.Errorf("body = %+v", body)
	}
	rec = httptest.NewRecorder()
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/json;q=0.9")
	rt.ServeHTTP(rec, req)
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("browser got Content-Type %q", ct)
	}
	if !strings.Contains(rec.Body.String(), "404 Not Found") {
		t.Errorf("html body %q", rec.Body)
	}
}

func TestRouterCustomNotFoundAndMethodNotAllowed(t *testing.T) {
	rt := NewRouter(RouterOptions{
		NotFound: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(404)
			io.WriteString(w, "custom 404")
		}),
		MethodNotAllowed: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(405)
			io.WriteString(w, "custom 405 allow="+w.Header().Get("Allow"))
		}),
	})
	rt.Handle("GET /x", http.NotFoundHandler())
	for path, want := range map[string]string{"/y": "custom 404", "/x": "custom 405 allow=GET, HEAD"} {
		rec := httptest.NewRecorder()
		rt.ServeHTTP(rec, httptest.NewRequest("PUT", path, nil))
		if rec.Body.String() != want {
			t.Errorf("PUT %s: %q, want %q", path, rec.Body, want)
		}
	}
}

func TestRouterRegistrationErrors(t *testing.T) {
	ok := http.NotFoundHandler()
	tests := []struct {
		name     string
		register func(rt *Router)
		want     string
	}{
		{"conflict", func(rt *Router) {
			rt.Handle("GET /a/{x}", ok)
			rt.Handle("GET /a/{y}", ok)
		}, "conflicts"},
		{"invalid", func(rt *Router) { rt.Handle("GET /a/{x", ok) }, "bad wildcard"},
		{"no path", func(rt *Router) { rt.Handle("GET", ok) }, "must start with /"},
		{"nil handler", func(rt *Router) { rt.Handle("/a", nil) }, "nil handler"},
		{"use after", func(rt *Router) {
			rt.Handle("/a", ok)
			rt.Use(RequestID)
		}, "Use called after"},
		{"use after group routes", func(rt *Router) {
			rt.Group("/api").Handle("/a", ok)
			rt.Use(RequestID)
		}, "Use called after"},
		{"root twice", func(rt *Router) {
			rt.Handle("/", ok)
			rt.Mount("/", ok)
		}, "twice"},
		{"mount wildcard", func(rt *Router) { rt.Mount("/u/{id}", ok) }, "wildcards"},
		{"group prefix", func(rt *Router) { rt.Group("api") }, "must start with /"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rt := NewRouter(RouterOptions{})
			tc.register(rt)
			err := rt.Err()
			if !errors.Is(err, ErrInvalidRoute) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Err() = %v, want ErrInvalidRoute containing %q", err, tc.want)
			}
		})
	}
}

func header(name, value string) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Add(name, value)
			next.ServeHTTP(w, r)
		})
	}
}

func TestRouterGroupsAndMiddleware(t *testing.T) {
	rt := NewRouter(RouterOptions{})
	api := rt.Group("/api/", header("X-Order", "api"))
	v1 := api.Group("/v1")
	v1.Use(header("X-Order", "v1"))
	rt.Use(header("X-Order", "root")) // applies to groups made before it too
	v1.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, r *http.Request) error {
		fmt.Fprintf(w, "%s %s", r.Pattern, r.PathValue("id"))
		return nil
	})
	api.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) error {
		io.WriteString(w, "api index")
		return nil
	})
	rt.HandleFunc("GET /plain", func(w http.ResponseWriter, r *http.Request) error {
		io.WriteString(w, "plain")
		return nil
	})
	mustNoErr(t, rt)
	tests := []struct{ path, body, order string }{
		{"/api/v1/users/9", "GET /api/v1/users/{id} 9", "root,api,v1"},
		{"/api/", "api index", "root,api"},
		{"/plain", "plain", "root"},
		{"/nowhere", "", "root"}, // root middleware wraps 404 too
	}
	for _, tc := range tests {
		rec := httptest.NewRecorder()
		rt.ServeHTTP(rec, httptest.NewRequest("GET", tc.path, nil))
		if tc.body != "" && rec.Body.String() != tc.body {
			t.Errorf("%s: body %q, want %q", tc.path, rec.Body, tc.body)
		}
		if got := strings.Join(rec.Header().Values("X-Order"), ","); got != tc.order {
			t.Errorf("%s: middleware order %q, want %q", tc.path, got, tc.order)
		}
	}
}

func TestRouterMount(t *testing.T) {
	rt := NewRouter(RouterOptions{})
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s|%s", r.URL.Path, r.URL.RawPath)
	})
	rt.Mount("/admin/", echo)
	rt.Group("/api").Mount("/files", echo)
	rt.Group("/v2").Mount("/", echo) // the group's whole subtree
	mustNoErr(t, rt)
	tests := []struct{ path, want string }{
		{"/admin", "/|"},
		{"/admin/", "/|"},
		{"/admin/users/1", "/users/1|"},
		{"/api/files/a%2Fb", "/a/b|/a%2Fb"},
		{"/api/files", "/|"},
		{"/v2", "/|"},
		{"/v2/", "/|"},
		{"/v2/a/b", "/a/b|"},
	}
	for _, tc := range tests {
		rec := httptest.NewRecorder()
		rt.ServeHTTP(rec, httptest.NewRequest("POST", tc.path, nil))
		if rec.Code != 200 || rec.Body.String() != tc.want {
			t.Errorf("%s: %d %q, want %q", tc.path, rec.Code, rec.Body, tc.want)
		}
	}
	// Mounting at the root takes every unmatched request.
	rt = NewRouter(RouterOptions{})
	rt.Handle("GET /known", echo)
	rt.Mount("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "fallback") }))
	rec := httptest.NewRecorder()
	rt.ServeHTTP(rec, httptest.NewRequest("DELETE", "/known", nil))
	if rec.Body.String() != "fallback" {
		t.Errorf("root mount: %q", rec.Body)
	}
}
