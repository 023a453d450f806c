package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/serverdev/stdweb/cookies"
)

func TestHandler(t *testing.T) {
	keys, err := cookies.NewKeyRing([]byte("a test secret of at least thirty-two bytes"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(newHandler(keys))
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	page := func(res *http.Response, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 {
			t.Fatalf("status %d\n%s", res.StatusCode, b)
		}
		return string(b)
	}
	if body := page(c.Get(srv.URL)); strings.Count(body, "(none)") != 2 {
		t.Fatalf("fresh page:\n%s", body)
	}
	body := page(c.PostForm(srv.URL+"/greeting", url.Values{"value": {"hello"}}))
	body = page(c.PostForm(srv.URL+"/note", url.Values{"value": {"psst"}}))
	if !strings.Contains(body, "the server reads: <b>hello</b>") || !strings.Contains(body, "the server reads: <b>psst</b>") {
		t.Fatalf("after setting both:\n%s", body)
	}
	u, _ := url.Parse(srv.URL)
	for _, ck := range jar.Cookies(u) {
		if ck.Name == "note" && strings.Contains(ck.Value, "psst") {
			t.Error("the sealed cookie is readable")
		}
	}
	// A client that changes the signed value, or moves the sealed one to
	// the other name, is caught.
	var greeting, note string
	for _, ck := range jar.Cookies(u) {
		switch ck.Name {
		case "greeting":
			greeting = ck.Value
		case "note":
			note = ck.Value
		}
	}
	req, _ := http.NewRequest("GET", srv.URL, nil)
	req.AddCookie(&http.Cookie{Name: "greeting", Value: note})
	req.AddCookie(&http.Cookie{Name: "note", Value: greeting[:len(greeting)-2] + "AA"})
	if body := page(http.DefaultClient.Do(req)); strings.Count(body, "rejected:") != 2 {
		t.Errorf("tampered cookies accepted:\n%s", body)
	}
	if body := page(c.PostForm(srv.URL+"/forget", nil)); strings.Count(body, "(none)") != 2 {
		t.Errorf("after forget:\n%s", body)
	}
	// A cross-site form post is refused.
	req, _ = http.NewRequest("POST", srv.URL+"/greeting", strings.NewReader("value=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site post: %d", res.StatusCode)
	}
}
