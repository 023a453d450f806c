package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func get(h http.Handler, method, path string) (int, string) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec.Code, rec.Body.String()
}

func TestCache(t *testing.T) {
	w := newWeather(20 * time.Millisecond)
	defer w.cache.Close()
	h := w.handler()

	code, first := get(h, "GET", "/weather/paris")
	if code != 200 || !strings.HasPrefix(first, "paris: ") {
		t.Fatalf("first: %d %q", code, first)
	}
	_, second := get(h, "GET", "/weather/paris")
	// Same forecast (same fetch time): it came from the cache.
	if strings.Split(first, " (")[0] != strings.Split(second, " (")[0] || w.calls.Load() != 1 {
		t.Fatalf("second request not from the cache: %q vs %q, %d calls", first, second, w.calls.Load())
	}
	if code, body := get(h, "GET", "/burst/tokyo"); code != 200 || !strings.Contains(body, "1 call(s)") {
		t.Fatalf("burst: %d %q", code, body)
	}
	if code, _ := get(h, "POST", "/weather/paris/refresh"); code != 204 {
		t.Fatalf("refresh: %d", code)
	}
	get(h, "GET", "/weather/paris")
	if n := w.calls.Load(); n != 3 {
		t.Fatalf("%d slow calls, want 3 (paris, tokyo, paris after refresh)", n)
	}
	_, body := get(h, "GET", "/stats")
	var m map[string]float64
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("stats: %v\n%s", err, body)
	}
	if m["loads"] != 3 || m["hits"] < 1 {
		t.Errorf("stats %v", m)
	}
}
