package cookies

import (
	"encoding/json"
	"fmt"
)

// A Codec turns typed values into bytes and back for Signer and Sealer.
// Unmarshal runs only on authenticated bytes, but a codec should still be
// safe on any input: do not use encoding/gob, whose decoder has had
// resource-exhaustion bugs on crafted data.
type Codec interface {
	Marshal(v any) ([]byte, error)
	Unmarshal(data []byte, v any) error
}

// JSONCodec is the default Codec: encoding/json.
type JSONCodec struct{}

// Marshal calls json.Marshal.
func (JSONCodec) Marshal(v any) ([]byte, error) { return json.Marshal(v) }

// Unmarshal calls json.Unmarshal, which rejects trailing data.
func (JSONCodec) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

func codecOrJSON(c Codec) Codec {
	if c == nil {
		return JSONCodec{}
	}
	return c
}

func marshal(c Codec, name string, v any) ([]byte, error) {
	data, err := codecOrJSON(c).Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("cookies: encoding the value of cookie %q: %w", name, err)
	}
	return data, nil
}

func unmarshal(c Codec, name string, data []byte, v any) error {
	if err := codecOrJSON(c).Unmarshal(data, v); err != nil {
		return fmt.Errorf("%w: decoding the value of cookie %q: %w", ErrMalformed, name, err)
	}
	return nil
}
