package sessioncache

import "encoding/json"

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
//
// Values read back without a type (Manager.Get on a value stored by an
// earlier request) come back the way encoding/json decodes into an any:
// numbers as float64, objects as map[string]any. Use Get[T] or the typed
// getters to read them as their original type.
type JSONCodec struct{}

// Marshal implements Codec.
func (JSONCodec) Marshal(v any) ([]byte, error) { return json.Marshal(v) }

// Unmarshal implements Codec.
func (JSONCodec) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }
