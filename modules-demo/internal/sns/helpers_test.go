package sns

import (
	"net/http/httptest"
	"testing"
)

func TestSameOriginPath(t *testing.T) {
	tests := []struct{ ref, want string }{
		{"http://example.com/u/ann", "/u/ann"},
		{"http://example.com/users?x=1", "/users?x=1"},
		{"http://example.com", ""},
		{"http://evil.example/u/ann", ""},
		{"http://example.com//evil.example/x", ""}, // would be a protocol-relative redirect
		{"/relative", ""},
		{"", ""},
		{"http://example.com:8080/x", ""}, // another port is another origin
		{"::not a url", ""},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("POST", "http://example.com/theme", nil)
		if got := sameOriginPath(r, tt.ref); got != tt.want {
			t.Errorf("sameOriginPath(%q) = %q, want %q", tt.ref, got, tt.want)
		}
	}
}

func TestDevice(t *testing.T) {
	tests := []struct{ ua, want string }{
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36", "Chrome on Windows"},
		{"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15", "Safari on macOS"},
		{"Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0", "Firefox on Linux"},
		{"Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Mobile Safari/537.36 EdgA/130.0", "Chrome on Android"},
		{"Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36 Edg/130.0", "Edge on Windows"},
		{"curl/8.5.0", "curl"},
		{"", "a browser"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("User-Agent", tt.ua)
		if got := device(r); got != tt.want {
			t.Errorf("device(%q) = %q, want %q", tt.ua, got, tt.want)
		}
	}
}
