package httpserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
)

// WriteJSON writes v as a JSON response with the given status, a
// "application/json; charset=utf-8" Content-Type and an exact
// Content-Length. v is encoded before anything is written, so an encoding
// error is returned with the response untouched (a HandlerFunc that returns
// it answers 500). A status that cannot carry a body (1xx, 204, 304) is
// written alone, without v.
func WriteJSON(w http.ResponseWriter, status int, v any) error {
	if status >= 100 && status <= 199 || status == http.StatusNoContent || status == http.StatusNotModified {
		w.WriteHeader(status)
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("httpserver: encode JSON response: %w", err)
	}
	b = append(b, '\n')
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, err = w.Write(b)
	return err
}

// JSONOptions configures JSONOptions.Read. The zero value is the strict
// default that ReadJSON uses.
type JSONOptions struct {
	// MaxBytes limits the body; 0 means 1 MiB.
	MaxBytes int64
	// AllowUnknownFields accepts object keys that match no field of the
	// destination; by default they are an error.
	AllowUnknownFields bool
	// AnyContentType skips the Content-Type check.
	AnyContentType bool
}

// ReadJSON decodes the request body into dst with the default JSONOptions.
func ReadJSON(w http.ResponseWriter, r *http.Request, dst any) error {
	return JSONOptions{}.Read(w, r, dst)
}

// Read decodes the request body, one JSON value, into dst (a non-nil
// pointer). Its errors are *Error values that tell the client what is wrong
// and where, ready to be returned from a HandlerFunc:
//
//   - 415 when the Content-Type is not application/json or a +json type;
//   - 413 when the body is larger than MaxBytes;
//   - 400 for an empty body, malformed JSON (with line and column), a value
//     of the wrong type or an unknown field (with Field set to the dotted
//     path of the field), or data after the value.
//
// A dst that is not a non-nil pointer is a programming error and gives a
// plain error (500).
func (o JSONOptions) Read(w http.ResponseWriter, r *http.Request, dst any) error {
	if v := reflect.ValueOf(dst); v.Kind() != reflect.Pointer || v.IsNil() {
		return fmt.Errorf("httpserver: ReadJSON needs a non-nil pointer, got %T", dst)
	}
	if !o.AnyContentType {
		ct := r.Header.Get("Content-Type")
		mt, _, err := mime.ParseMediaType(ct)
		if ct == "" || err != nil || mt != "application/json" && !strings.HasSuffix(mt, "+json") {
			return &Error{Status: http.StatusUnsupportedMediaType, Msg: "Content-Type must be application/json"}
		}
	}
	limit := o.MaxBytes
	if limit <= 0 {
		limit = 1 << 20
	}
	if r.Body == nil {
		return &Error{Status: http.StatusBadRequest, Msg: "request body is empty"}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return publicError(err)
		}
		return &Error{Status: http.StatusBadRequest, Msg: "cannot read request body", Err: err}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return &Error{Status: http.StatusBadRequest, Msg: "request body is empty"}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if !o.AllowUnknownFields {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(dst); err != nil {
		return jsonError(body, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return &Error{Status: http.StatusBadRequest, Msg: "request body must contain a single JSON value"}
	}
	return nil
}

// jsonError turns a decoding error into a client error that says where.
func jsonError(body []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		line, col := lineCol(body, syn.Offset)
		return &Error{Status: http.StatusBadRequest,
			Msg: fmt.Sprintf("malformed JSON at line %d, column %d: %s", line, col, strings.TrimPrefix(syn.Error(), "json: ")), Err: err}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &Error{Status: http.StatusBadRequest, Msg: "malformed JSON: the body ends in the middle of a value", Err: err}
	case errors.As(err, &typ):
		if typ.Field == "" {
			return &Error{Status: http.StatusBadRequest,
				Msg: fmt.Sprintf("request body must be %s, not JSON %s", jsonKind(typ.Type), typ.Value), Err: err}
		}
		return &Error{Status: http.StatusBadRequest, Field: typ.Field,
			Msg: fmt.Sprintf("field %q must be %s, not JSON %s", typ.Field, jsonKind(typ.Type), typ.Value), Err: err}
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		field, uerr := strconv.Unquote(name)
		if uerr != nil {
			field = name
		}
		return &Error{Status: http.StatusBadRequest, Field: field,
			Msg: fmt.Sprintf("unknown field %q", field), Err: err}
	}
	var inv *json.InvalidUnmarshalError
	if errors.As(err, &inv) {
		return err
	}
	// Errors from UnmarshalJSON and UnmarshalText methods of the destination.
	return &Error{Status: http.StatusBadRequest,
		Msg: "invalid value: " + strings.TrimPrefix(err.Error(), "json: "), Err: err}
}

func lineCol(b []byte, offset int64) (line, col int) {
	offset = min(max(offset, 0), int64(len(b)))
	before := b[:offset]
	line = 1 + bytes.Count(before, []byte{'\n'})
	col = int(offset) - bytes.LastIndexByte(before, '\n')
	if col > 1 {
		col-- // Offset is just past the bad byte
	}
	return line, col
}

// jsonKind names the JSON form a Go type expects.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "a valid value"
	}
	switch t.Kind() {
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer that fits " + t.Kind().String()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return "a non-negative integer that fits " + t.Kind().String()
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "a " + t.String()
}
