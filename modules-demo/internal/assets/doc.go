// Package assets gives static files content-hashed names
// ("style.css" → "style.3f2a9c1e5d4b.css"), so that pages can link to a name
// that changes whenever the file does and the file can be cached for a
// year. httpserver.Static recognises such names (httpserver.HashedName) and
// sends them with "Cache-Control: public, max-age=31536000, immutable".
package assets
