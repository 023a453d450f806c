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
	type header struct {
		name  string
		value []string // shared by all responses; len == cap, so Add copies
	}
	var set []header
	add := func(name, value, def string) {
		switch value {
		case "-":
		case "":
			set = append(set, header{name, []string{def}})
		default:
			set = append(set, header{name, []string{value}})
		}
	}
	add("X-Content-Type-Options", "", "nosniff")
	add("Content-Security-Policy", opts.ContentSecurityPolicy,
		"default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
	add("X-Frame-Options", opts.FrameOptions, "DENY")
	add("Referrer-Policy", opts.ReferrerPolicy, "strict-origin-when-cross-origin")
	add("Cross-Origin-Opener-Policy", opts.CrossOriginOpenerPolicy, "same-origin")
	var hsts []string
	if opts.HSTSMaxAge > 0 {
		v := "max-age=" + strconv.FormatInt(int64(opts.HSTSMaxAge/time.Second), 10)
		if opts.HSTSIncludeSubdomains {
			v += "; includeSubDomains"
		}
		if opts.HSTSPreload {
			v += "; preload"
		}
		hsts = []string{v}
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			for _, kv := range set {
				h[kv.name] = kv.value
			}
			if hsts != nil && r.TLS != nil {
				h["Strict-Transport-Security"] = hsts
			}
			next.ServeHTTP(w, r)
		})
	}
}
