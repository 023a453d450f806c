package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestVisitCounter(t *testing.T) {
	sessions := newManager()
	defer sessions.Close()
	srv := httptest.NewServer(newHandler(sessions))
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	u, _ := url.Parse(srv.URL)
	token := func() string {
		for _, ck := range jar.Cookies(u) {
			if ck.Name == "session" {
				return ck.Value
			}
		}
		return ""
	}
	visit := func(res *http.Response, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	for i, want := range []string{"Visit number 1", "Visit number 2", "Visit number 3"} {
		if body := visit(c.Get(srv.URL)); !strings.Contains(body, want) {
			t.Fatalf("visit %d: %s", i+1, body)
		}
	}
	// Another browser counts on its own.
	if body := visit(http.Get(srv.URL)); !strings.Contains(body, "Visit number 1") {
		t.Fatalf("second browser: %s", body)
	}
	old := token()
	if body := visit(c.PostForm(srv.URL+"/renew", nil)); !strings.Contains(body, "Visit number 4") {
		t.Fatalf("after renew: %s", body)
	}
	if token() == old || token() == "" {
		t.Fatal("Renew kept the token")
	}
	// The old token is dead: a request with it starts from 1.
	req, _ := http.NewRequest("GET", srv.URL, nil)
	req.AddCookie(&http.Cookie{Name: "session", Value: old})
	if body := visit(http.DefaultClient.Do(req)); !strings.Contains(body, "Visit number 1") {
		t.Fatalf("old token after renew: %s", body)
	}
	if body := visit(c.PostForm(srv.URL+"/reset", nil)); !strings.Contains(body, "Visit number 1") {
		t.Fatalf("after reset: %s", body)
	}
}
