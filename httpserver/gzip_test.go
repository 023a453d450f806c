package httpserver

import (
	"bufio"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func gunzip(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := gzip.NewReader(strings.NewReader(string(b)))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("bad gzip: %v", err)
	}
	return string(out)
}

func TestGzip(t *testing.T) {
	big := strings.Repeat("hello gzip ", 200)
	tests := []struct {
		name, method, accept string
		handler              http.HandlerFunc
		wantGzip             bool
		status               int
	}{
		{"compresses text", "GET", "gzip, deflate", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.Header().Set("Content-Length", "2200")
			w.Header().Set("ETag", `"v1"`)
			io.WriteString(w, big)
		}, true, 200},
		{"sniffs type", "GET", "gzip", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "<html><body>"+big)
		}, true, 200},
		{"client refuses", "GET", "gzip;q=0, *", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, big)
		}, false, 200},
		{"star accepts", "GET", "br;q=1, *;q=0.5", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, big)
		}, true, 200},
		{"small body", "GET", "gzip", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "tiny")
		}, false, 200},
		{"already encoded", "GET", "gzip", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "br")
			io.WriteString(w, big)
		}, false, 200},
		{"image", "GET", "gzip", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "image/png")
			io.WriteString(w, big)
		}, false, 200},
		{"range", "GET", "gzip", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Range", "bytes 0-9/100")
			w.WriteHeader(http.StatusPartialContent)
			io.WriteString(w, big)
		}, false, 206},
		{"no content", "GET", "gzip", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNoContent)
		}, false, 204},
		{"not modified", "GET", "gzip", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNotModified)
		}, false, 304},
		{"head", "HEAD", "gzip", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, big)
		}, true, 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rt := NewRouter(RouterOptions{})
			rt.Use(Gzip(GzipOptions{}))
			rt.Handle("/", tc.handler)
			req := httptest.NewRequest(tc.method, "/", nil)
			req.Header.Set("Accept-Encoding", tc.accept)
			rec := httptest.NewRecorder()
			rt.ServeHTTP(rec, req)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d", rec.Code, tc.status)
			}
			if got := rec.Header().Values("Vary"); len(got) != 1 || got[0] != "Accept-Encoding" {
				t.Errorf("Vary = %q", got)
			}
			gz := rec.Header().Get("Content-Encoding") == "gzip"
			if gz != tc.wantGzip {
				t.Fatalf("compressed = %v, want %v", gz, tc.wantGzip)
			}
			if !gz {
				return
			}
			if rec.Header().Get("Content-Length") != "" {
				t.Error("Content-Length kept on a compressed body")
			}
			if et := rec.Header().Get("Etag"); et != "" && !strings.HasPrefix(et, "W/") {
				t.Errorf("strong ETag %q kept on a compressed body", et)
			}
			if ct := rec.Header().Get("Content-Type"); strings.Contains(ct, "gzip") {
				t.Errorf("Content-Type %q sniffed from compressed bytes", ct)
			}
			if got := gunzip(t, rec.Body.Bytes()); !strings.HasSuffix(got, big) {
				t.Errorf("round trip lost data: %d bytes", len(got))
			}
		})
	}
}

func TestGzipFlushStreams(t *testing.T) {
	next := make(chan struct{})
	rt := NewRouter(RouterOptions{})
	rt.Use(Gzip(GzipOptions{}))
	rt.HandleFunc("GET /events", func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "data: one\n\n")
		if err := http.NewResponseController(w).Flush(); err != nil {
			return err
		}
		<-next
		io.WriteString(w, "data: two\n\n")
		return nil
	})
	srv := httptest.NewServer(rt)
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/events", nil)
	req.Header.Set("Accept-Encoding", "gzip") // we decode ourselves
	resp, err := srv.Client().Transport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("stream not compressed: %v", resp.Header)
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(zr)
	line, err := br.ReadString('\n')
	if err != nil || line != "data: one\n" {
		t.Fatalf("first event %q, %v: flush did not reach the client", line, err)
	}
	close(next)
	rest, _ := io.ReadAll(br)
	if string(rest) != "\ndata: two\n\n" {
		t.Errorf("rest %q", rest)
	}
}

func TestAcceptsGzip(t *testing.T) {
	tests := map[string]bool{
		"": false, "gzip": true, "GZIP;q=0.5": true, "gzip;q=0": false, "deflate, br": false,
		"*": true, "*;q=0": false, "gzip;q=0, *": false, "x-gzip": true, "gzip;q=bogus": false,
	}
	for in, want := range tests {
		if got := acceptsGzip([]string{in}); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", in, got, want)
		}
	}
}

// TestGzipVaryKeptWhenHandlerSetsVary: a handler that replaces Vary (a
// CORS handler setting "Vary: Origin") must not leave a compressed response
// without "Accept-Encoding" in Vary, or a cache would serve it to clients
// that cannot decompress it.
func TestGzipVaryKeptWhenHandlerSetsVary(t *testing.T) {
	h := Gzip(GzipOptions{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Vary", "Origin")
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, strings.Repeat("hello gzip ", 200))
	}))
	rec := serve(h, "GET", "/", "Accept-Encoding", "gzip")
	if rec.Header().Get("Content-Encoding") != "gzip" {
		t.Fatal("not compressed")
	}
	vary := strings.Join(rec.Header().Values("Vary"), ",")
	if !containsToken(vary, "Accept-Encoding") || !containsToken(vary, "Origin") {
		t.Errorf("Vary = %q, want Origin and Accept-Encoding", vary)
	}
}

// TestGzipHeadMatchesGet checks over a real connection, where net/http
// drops HEAD bodies, that a HEAD response carries the headers of its GET.
func TestGzipHeadMatchesGet(t *testing.T) {
	big := strings.Repeat("hello gzip ", 200)
	handlers := map[string]http.HandlerFunc{
		"writes body": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, big)
		},
		"serve content": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			http.ServeContent(w, r, "", time.Time{}, strings.NewReader(big))
		},
		"small": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, "tiny")
		},
		"image": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "image/png")
			http.ServeContent(w, r, "", time.Time{}, strings.NewReader(big))
		},
	}
	for name, h := range handlers {
		t.Run(name, func(t *testing.T) {
			rt := NewRouter(RouterOptions{})
			rt.Use(Gzip(GzipOptions{}))
			rt.Handle("/", h)
			srv := httptest.NewServer(rt)
			defer srv.Close()
			tr := &http.Transport{DisableCompression: true}
			defer tr.CloseIdleConnections()
			get := func(method string) http.Header {
				req, _ := http.NewRequest(method, srv.URL, nil)
				req.Header.Set("Accept-Encoding", "gzip")
				resp, err := tr.RoundTrip(req)
				if err != nil {
					t.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("%s: status %d", method, resp.StatusCode)
				}
				return resp.Header
			}
			g, hd := get("GET"), get("HEAD")
			for _, k := range []string{"Content-Encoding", "Vary", "Content-Type"} {
				if g.Get(k) != hd.Get(k) {
					t.Errorf("%s: GET %q, HEAD %q", k, g.Get(k), hd.Get(k))
				}
			}
		})
	}
}
