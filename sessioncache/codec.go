package sessioncache

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// Codec encodes session values for the store. Each value is encoded on its
// own, so that a change to one field is saved without the others.
//
// A codec must never execute code or build arbitrary types from the stored
// bytes: a store's contents are input like any other. That is why there is
// no gob codec.
type Codec interface {
	Marshal(v any) ([]byte, error)
	Unmarshal(data []byte, v any) error
}

// JSONCodec encodes values with encoding/json. It is the default codec.
// Strings, ints and bools take a fast path that gives the same bytes and
// values as encoding/json.
//
// Values read back without a type (Manager.Get on a value stored by an
// earlier request) come back the way encoding/json decodes into an any:
// numbers as float64, objects as map[string]any. Use Get[T] or the typed
// getters to read them as their original type.
type JSONCodec struct{}

// Marshal implements Codec.
func (JSONCodec) Marshal(v any) ([]byte, error) {
	switch v := v.(type) {
	case string:
		if plainJSONString(v) {
			b := make([]byte, 0, len(v)+2)
			b = append(b, '"')
			b = append(b, v...)
			return append(b, '"'), nil
		}
	case int:
		return strconv.AppendInt(nil, int64(v), 10), nil
	case bool:
		return strconv.AppendBool(nil, v), nil
	}
	return json.Marshal(v)
}

// Unmarshal implements Codec.
func (JSONCodec) Unmarshal(data []byte, v any) error {
	switch p := v.(type) {
	case *string:
		if s, ok := quotedPlain(data); ok {
			*p = s
			return nil
		}
	case *int:
		if n, ok := plainInt(data); ok {
			*p = n
			return nil
		}
	case *bool:
		switch string(data) {
		case "true":
			*p = true
			return nil
		case "false":
			*p = false
			return nil
		}
	case *any:
		if s, ok := quotedPlain(data); ok {
			*p = s
			return nil
		}
	}
	return json.Unmarshal(data, v)
}

// plainJSONString reports whether encoding/json encodes s as s in quotes:
// valid UTF-8 with nothing it escapes.
func plainJSONString(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || r == '\u2028' || r == '\u2029' {
			return false
		}
		i += size
	}
	return true
}

// quotedPlain returns the string in a JSON string literal without escapes.
func quotedPlain(data []byte) (string, bool) {
	if len(data) < 2 || data[0] != '"' || data[len(data)-1] != '"' {
		return "", false
	}
	in := data[1 : len(data)-1]
	for i := 0; i < len(in); {
		c := in[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == '"' || c == '\\' {
				return "", false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(in[i:])
		if r == utf8.RuneError {
			return "", false
		}
		i += size
	}
	return string(in), true
}

// plainInt parses a JSON integer of at most 18 digits.
func plainInt(data []byte) (int, bool) {
	d := data
	neg := len(d) > 0 && d[0] == '-'
	if neg {
		d = d[1:]
	}
	if len(d) == 0 || len(d) > 18 || (d[0] == '0' && len(d) > 1) {
		return 0, false
	}
	n := 0
	for _, c := range d {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}
