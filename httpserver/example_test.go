package httpserver_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing/fstest"
	"time"

	"github.com/serverdev/stdweb/httpserver"
)

// A complete service: safe server defaults, the default middleware, an API
// group with error-returning handlers, health endpoints and a graceful
// drain on SIGINT or SIGTERM.
func Example() {
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	srv := &httpserver.Server{Addr: ":8080", Logger: logger, DrainDelay: 5 * time.Second}

	rt := httpserver.NewRouter(httpserver.RouterOptions{Logger: logger})
	rt.Use(httpserver.DefaultMiddleware(logger)...)
	rt.Handle("GET /healthz", srv.Healthz())
	rt.Handle("GET /readyz", srv.Readyz())
	api := rt.Group("/api", httpserver.BodyLimit(1<<20), httpserver.Timeout(10*time.Second))
	api.HandleFunc("GET /posts/{id}", func(w http.ResponseWriter, r *http.Request) error {
		if r.PathValue("id") != "1" {
			return httpserver.Errorf(http.StatusNotFound, "no post %s", r.PathValue("id"))
		}
		return httpserver.WriteJSON(w, http.StatusOK, map[string]string{"title": "hello"})
	})
	srv.Handler = rt

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := srv.Run(ctx); err != nil {
		logger.Error("server stopped", "error", err)
		os.Exit(1)
	}
}

func show(h http.Handler, method, target string) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	fmt.Printf("%s %s -> %d %s", method, target, rec.Code, rec.Body)
	if allow := rec.Header().Get("Allow"); allow != "" {
		fmt.Printf("   Allow: %s\n", allow)
	}
}

func ExampleRouter() {
	rt := httpserver.NewRouter(httpserver.RouterOptions{})
	rt.HandleFunc("GET /posts/{id}", func(w http.ResponseWriter, r *http.Request) error {
		_, err := fmt.Fprintf(w, "post %s\n", r.PathValue("id"))
		return err
	})
	rt.HandleFunc("POST /posts", func(w http.ResponseWriter, r *http.Request) error {
		return httpserver.Errorf(http.StatusForbidden, "log in to post")
	})
	if err := rt.Err(); err != nil {
		fmt.Println(err)
		return
	}
	show(rt, "GET", "/posts/7")
	show(rt, "POST", "/posts")
	show(rt, "DELETE", "/posts/7")
	show(rt, "GET", "/nowhere")
	// Output:
	// GET /posts/7 -> 200 post 7
	// POST /posts -> 403 {"error":{"status":403,"message":"log in to post"}}
	// DELETE /posts/7 -> 405 {"error":{"status":405,"message":"Method Not Allowed"}}
	//    Allow: GET, HEAD
	// GET /nowhere -> 404 {"error":{"status":404,"message":"Not Found"}}
}

func ExampleRouter_Err() {
	rt := httpserver.NewRouter(httpserver.RouterOptions{})
	rt.Handle("GET /posts/{id}", http.NotFoundHandler())
	rt.Handle("GET /posts/{slug}", http.NotFoundHandler())
	fmt.Println(rt.Err() != nil)
	// Output:
	// true
}

func ExampleRouter_Mount() {
	admin := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "admin sees %s\n", r.URL.Path)
	})
	rt := httpserver.NewRouter(httpserver.RouterOptions{})
	rt.Mount("/admin", admin)
	show(rt, "GET", "/admin")
	show(rt, "GET", "/admin/users/1")
	// Output:
	// GET /admin -> 200 admin sees /
	// GET /admin/users/1 -> 200 admin sees /users/1
}

// A handler that forgets to answer still gets exactly one response.
func ExampleRouter_noResponse() {
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	rt := httpserver.NewRouter(httpserver.RouterOptions{Logger: logger})
	rt.Handle("GET /forgetful", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	show(rt, "GET", "/forgetful")
	// Output:
	// level=ERROR msg="httpserver: handler returned without writing a response" method=GET route="GET /forgetful" path=/forgetful
	// GET /forgetful -> 500 {"error":{"status":500,"message":"the server sent no response"}}
}

func ExampleReadJSON() {
	rt := httpserver.NewRouter(httpserver.RouterOptions{})
	rt.HandleFunc("POST /users", func(w http.ResponseWriter, r *http.Request) error {
		var u struct {
			Name string `json:"name"`
			Age  int    `json:"age"`
		}
		if err := httpserver.ReadJSON(w, r, &u); err != nil {
			return err
		}
		return httpserver.WriteJSON(w, http.StatusCreated, u)
	})
	for _, body := range []string{`{"name":"ann","age":30}`, `{"name":"bob","age":"old"}`, `{"name":"cy","mail":"x"}`} {
		req := httptest.NewRequest("POST", "/users", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		rt.ServeHTTP(rec, req)
		fmt.Print(rec.Code, " ", rec.Body)
	}
	// Output:
	// 201 {"name":"ann","age":30}
	// 400 {"error":{"status":400,"message":"field \"age\" must be an integer that fits int, not JSON string","field":"age"}}
	// 400 {"error":{"status":400,"message":"unknown field \"mail\"","field":"mail"}}
}

func ExampleStatic() {
	assets := fstest.MapFS{
		"app.3f2a9c1e.css": {Data: []byte("body{margin:0}")},
		"index.html":       {Data: []byte("<h1>hi</h1>")},
	}
	rt := httpserver.NewRouter(httpserver.RouterOptions{})
	rt.Mount("/assets", httpserver.Static(assets, httpserver.StaticOptions{}))
	for _, p := range []string{"/assets/app.3f2a9c1e.css", "/assets/"} {
		rec := httptest.NewRecorder()
		rt.ServeHTTP(rec, httptest.NewRequest("GET", p, nil))
		fmt.Println(rec.Code, rec.Header().Get("Cache-Control"), rec.Body)
	}
	// Output:
	// 200 public, max-age=31536000, immutable body{margin:0}
	// 200 no-cache <h1>hi</h1>
}

func ExampleConditionalGET() {
	rt := httpserver.NewRouter(httpserver.RouterOptions{})
	rt.Use(httpserver.ConditionalGET(httpserver.ConditionalGETOptions{}))
	rt.HandleFunc("GET /report", func(w http.ResponseWriter, r *http.Request) error {
		_, err := io.WriteString(w, "the same report every time")
		return err
	})
	first := httptest.NewRecorder()
	rt.ServeHTTP(first, httptest.NewRequest("GET", "/report", nil))
	again := httptest.NewRequest("GET", "/report", nil)
	again.Header.Set("If-None-Match", first.Header().Get("ETag"))
	second := httptest.NewRecorder()
	rt.ServeHTTP(second, again)
	fmt.Println(first.Code, second.Code, second.Body.Len())
	// Output:
	// 200 304 0
}
