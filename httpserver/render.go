package httpserver

import (
	"encoding/json"
	"html/template"
	"net/http"
	"strconv"
	"strings"
)

// An ErrorRenderer writes the response for an error: e carries the status,
// the client message and the field at fault. The Router calls it for errors
// returned by handlers, for 404 and 405, and for handlers that wrote nothing.
// It must write a complete response.
type ErrorRenderer func(w http.ResponseWriter, r *http.Request, e *Error)

// RenderError is the default ErrorRenderer. It answers in HTML when the
// request's Accept header prefers text/html over JSON, and in JSON otherwise:
//
//	{"error":{"status":404,"message":"Not Found","request_id":"..."}}
//
// It removes headers that described a body it replaces (Content-Length,
// Content-Encoding, ETag, Last-Modified, Content-Disposition) and marks the
// response no-store.
func RenderError(w http.ResponseWriter, r *http.Request, e *Error) {
	h := w.Header()
	for _, k := range [...]string{"Content-Length", "Content-Encoding", "Etag", "Last-Modified", "Content-Disposition", "Content-Range"} {
		h.Del(k)
	}
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	status := e.StatusCode()
	msg := e.Message()
	id := RequestIDFrom(r.Context())
	if prefersHTML(r.Header.Get("Accept")) {
		h.Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		if r.Method == http.MethodHead {
			return
		}
		var b strings.Builder
		b.WriteString("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>")
		b.WriteString(strconv.Itoa(status))
		b.WriteString("</title></head><body><h1>")
		b.WriteString(strconv.Itoa(status))
		b.WriteString(" ")
		template.HTMLEscape(&b, []byte(msg))
		b.WriteString("</h1>")
		if e.Field != "" {
			b.WriteString("<p>field: <code>")
			template.HTMLEscape(&b, []byte(e.Field))
			b.WriteString("</code></p>")
		}
		if id != "" {
			b.WriteString("<p>request id: <code>")
			template.HTMLEscape(&b, []byte(id))
			b.WriteString("</code></p>")
		}
		b.WriteString("</body></html>\n")
		w.Write([]byte(b.String()))
		return
	}
	type body struct {
		Status    int    `json:"status"`
		Message   string `json:"message"`
		Field     string `json:"field,omitempty"`
		RequestID string `json:"request_id,omitempty"`
	}
	out, _ := json.Marshal(struct {
		Error body `json:"error"`
	}{body{status, msg, e.Field, id}})
	h.Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(append(out, '\n'))
	}
}

// prefersHTML reports whether an Accept header ranks text/html above
// application/json. Browsers send text/html first; API clients send JSON or */*.
func prefersHTML(accept string) bool {
	htmlQ, jsonQ := -1.0, -1.0
	for part := range strings.SplitSeq(accept, ",") {
		typ, params, _ := strings.Cut(part, ";")
		typ = strings.ToLower(strings.TrimSpace(typ))
		q := 1.0
		for p := range strings.SplitSeq(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(k, "q") {
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					q = f
				}
			}
		}
		switch {
		case typ == "text/html" || typ == "application/xhtml+xml":
			htmlQ = max(htmlQ, q)
		case typ == "application/json" || strings.HasSuffix(typ, "+json"):
			jsonQ = max(jsonQ, q)
		}
	}
	return htmlQ > 0 && htmlQ > jsonQ
}
