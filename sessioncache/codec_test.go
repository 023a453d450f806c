package sessioncache

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"testing"
)

// TestJSONCodecFastPaths checks that the fast paths agree with
// encoding/json.
func TestJSONCodecFastPaths(t *testing.T) {
	values := []any{
		"", "plain", "ünïcödé 名前", "quote\"", "back\\slash", "<html>", "a&b", "tab\t", "\u2028", string([]byte{0xff}),
		0, 1, -1, 42, math.MaxInt64, math.MinInt64, true, false,
	}
	var c JSONCodec
	for _, v := range values {
		got, err := c.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(v)
		if !bytes.Equal(got, want) {
			t.Errorf("Marshal(%#v) = %s, encoding/json gives %s", v, got, want)
		}
		// Decode into the same type and into any.
		ptr := reflect.New(reflect.TypeOf(v))
		if err := c.Unmarshal(got, ptr.Interface()); err != nil {
			t.Errorf("Unmarshal(%s): %v", got, err)
		}
		wantPtr := reflect.New(reflect.TypeOf(v))
		json.Unmarshal(want, wantPtr.Interface())
		if !reflect.DeepEqual(ptr.Elem().Interface(), wantPtr.Elem().Interface()) {
			t.Errorf("Unmarshal(%s) = %#v, encoding/json gives %#v", got, ptr.Elem(), wantPtr.Elem())
		}
		var a, wantA any
		c.Unmarshal(got, &a)
		json.Unmarshal(want, &wantA)
		if !reflect.DeepEqual(a, wantA) {
			t.Errorf("Unmarshal(%s) into any = %#v, encoding/json gives %#v", got, a, wantA)
		}
	}
}

func FuzzJSONCodec(f *testing.F) {
	for _, s := range []string{`"x"`, `12`, `-0`, `01`, `true`, `"\u00e9"`, `"a\"b"`, "\"\xff\"", `1e3`, `99999999999999999999`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var c JSONCodec
		var s1, s2 string
		e1, e2 := c.Unmarshal(data, &s1), json.Unmarshal(data, &s2)
		if (e1 == nil) != (e2 == nil) || s1 != s2 {
			t.Fatalf("string %q: codec %q %v, encoding/json %q %v", data, s1, e1, s2, e2)
		}
		var i1, i2 int
		e1, e2 = c.Unmarshal(data, &i1), json.Unmarshal(data, &i2)
		if (e1 == nil) != (e2 == nil) || i1 != i2 {
			t.Fatalf("int %q: codec %d %v, encoding/json %d %v", data, i1, e1, i2, e2)
		}
		var a1, a2 any
		e1, e2 = c.Unmarshal(data, &a1), json.Unmarshal(data, &a2)
		if (e1 == nil) != (e2 == nil) || !reflect.DeepEqual(a1, a2) {
			t.Fatalf("any %q: codec %#v %v, encoding/json %#v %v", data, a1, e1, a2, e2)
		}
	})
}
