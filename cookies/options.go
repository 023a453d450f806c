package cookies

import (
	"net/http"
	"time"
)

// Options holds the attributes of a session-style cookie. The zero value
// gives the safe defaults: Path=/, HttpOnly, Secure, SameSite=Lax, no
// Domain, and no Max-Age (the cookie ends with the browser session).
type Options struct {
	// Path defaults to "/".
	Path string
	// Domain is empty by default: the cookie goes to the setting host only.
	Domain string
	// MaxAge is the cookie's lifetime, rounded up to whole seconds and
	// capped at MaxLifetime when written. Zero means a session cookie.
	MaxAge time.Duration
	// SameSite defaults to http.SameSiteLaxMode.
	SameSite http.SameSite
	// Insecure leaves out the Secure attribute, so the browser sends the
	// cookie over plain HTTP. Set it only for local development over http.
	Insecure bool
	// Script leaves out HttpOnly, so page scripts can read the cookie.
	Script bool
	// Partitioned sets the Partitioned attribute (CHIPS).
	Partitioned bool
}

// New returns a cookie called name with value and the attributes of o.
// Pass it to Set, which validates it.
func (o Options) New(name, value string) *http.Cookie {
	c := &http.Cookie{
		Name:        name,
		Value:       value,
		Path:        o.Path,
		Domain:      o.Domain,
		HttpOnly:    !o.Script,
		Secure:      !o.Insecure,
		SameSite:    o.SameSite,
		Partitioned: o.Partitioned,
	}
	if c.Path == "" {
		c.Path = "/"
	}
	if c.SameSite == 0 {
		c.SameSite = http.SameSiteLaxMode
	}
	switch {
	case o.MaxAge >= MaxLifetime:
		c.MaxAge = maxAgeSeconds // also keeps the rounding below from overflowing
	case o.MaxAge > 0:
		c.MaxAge = int((o.MaxAge + time.Second - 1) / time.Second)
	}
	return c
}
