package httpserver

import (
	"net/http"
	"strconv"
	"time"
)

// SecurityHeadersOptions configures SecurityHeaders. For each string field,
// "" means the default shown and "-" leaves the header out.
type SecurityHeadersOptions struct {
	// ContentSecurityPolicy defaults to
	// "default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'".
	ContentSecurityPolicy string
	// FrameOptions (X-Frame-Options) defaults to "DENY".
	FrameOptions string
	// ReferrerPolicy defaults to "strict-origin-when-cross-origin".
	ReferrerPolicy string
	// CrossOriginOpenerPolicy defaults to "same-origin".
	CrossOriginOpenerPolicy string
	// HSTSMaxAge, when positive, sends Strict-Transport-Security on
	// requests that arrived over TLS.
	HSTSMaxAge            time.Duration
	HSTSIncludeSubdomains bool
	HSTSPreload           bool
}

// SecurityHeaders returns middleware that sets the usual protective
// response headers before the handler runs (the handler may override any
// of them): X-Content-Type-Options: nosniff, Content-Security-Policy,
// X-Frame-Options, Referrer-Policy, Cross-Origin-Opener-Policy and, over
// TLS, Strict-Transport-Security.
func SecurityHeaders(opts SecurityHeadersOptions) Middleware {
	var set [][2]string
	add := func(name, value, def string) {
		switch value {
		case "-":
		case "":
			set = append(set, [2]string{name, def})
		default:
			set = append(set, [2]string{name, value})
		}
	}
	add("X-Content-Type-Options", "", "nosniff")
	add("Content-Security-Policy", opts.ContentSecurityPolicy,
		"default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
	add("X-Frame-Options", opts.FrameOptions, "DENY")
	add("Referrer-Policy", opts.ReferrerPolicy, "strict-origin-when-cross-origin")
	add("Cross-Origin-Opener-Policy", opts.CrossOriginOpenerPolicy, "same-origin")
	hsts := ""
	if opts.HSTSMaxAge > 0 {
		hsts = "max-age=" + strconv.FormatInt(int64(opts.HSTSMaxAge/time.Second), 10)
		if opts.HSTSIncludeSubdomains {
			hsts += "; includeSubDomains"
		}
		if opts.HSTSPreload {
			hsts += "; preload"
		}
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			for _, kv := range set {
				h[kv[0]] = []string{kv[1]}
			}
			if hsts != "" && r.TLS != nil {
				h["Strict-Transport-Security"] = []string{hsts}
			}
			next.ServeHTTP(w, r)
		})
	}
}
