package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestIndexListsModules(t *testing.T) {
	srv := httptest.NewServer(newHandler())
	defer srv.Close()
	res, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	for _, want := range []string{"stdweb/httpserver", "stdweb/cookies", "stdweb/sessioncache", "redisstore"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("page does not mention %s", want)
		}
	}
	res2, err := http.Get(srv.URL + "/nope")
	if err != nil {
		t.Fatal(err)
	}
	res2.Body.Close()
	if res2.StatusCode != http.StatusNotFound {
		t.Errorf("unknown path: status %d, want 404", res2.StatusCode)
	}
}
