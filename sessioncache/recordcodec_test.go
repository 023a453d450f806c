package sessioncache

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

func TestRecordRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		id   string
		rec  Record
	}{
		{"empty", "", Record{}},
		{"values", "id1", Record{
			Values:  map[string][]byte{"a": []byte("1"), "": {}, "bin": {0, 0xff}},
			User:    "alice",
			Created: time.Date(2026, 11, 25, 16, 0, 0, 123456789, time.UTC),
			Stamp:   ^uint64(0),
		}},
		{"before epoch", "id2", Record{Created: time.Date(1900, 1, 1, 0, 0, 0, 5, time.UTC)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := appendRecord(nil, tt.id, tt.rec)
			id, got, err := decodeRecord(b)
			if err != nil {
				t.Fatalf("decodeRecord: %v", err)
			}
			if id != tt.id || got.User != tt.rec.User || !got.Created.Equal(tt.rec.Created) || got.Stamp != tt.rec.Stamp {
				t.Errorf("got id %q user %q created %v stamp %d; want %q %q %v %d", id, got.User, got.Created, got.Stamp, tt.id, tt.rec.User, tt.rec.Created, tt.rec.Stamp)
			}
			if len(got.Values) != len(tt.rec.Values) {
				t.Errorf("got %d values, want %d", len(got.Values), len(tt.rec.Values))
			}
			for k, v := range tt.rec.Values {
				if !bytes.Equal(got.Values[k], v) {
					t.Errorf("Values[%q] = %q, want %q", k, got.Values[k], v)
				}
			}
		})
	}
}

func TestRecordCorrupt(t *testing.T) {
	good := appendRecord(nil, "id", Record{Values: map[string][]byte{"k": []byte("value")}, User: "u", Created: time.Unix(5, 0)})
	tests := []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"bad version", append([]byte{9}, good[1:]...)},
		{"truncated", good[:len(good)-1]},
		{"trailing bytes", append(bytes.Clone(good), 0)},
		{"huge id length", []byte{recordVersion, 0xff, 0xff, 0xff, 0xff, 0x0f}},
		{"bad created flag", []byte{recordVersion, 0, 0, 7, 0}},
		{"bad nanoseconds", []byte{recordVersion, 0, 0, 1, 0, 0xff, 0xff, 0xff, 0xff, 0x0f, 0}},
		{"forged count", []byte{recordVersion, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f}},
		{"overlong varint", []byte{recordVersion, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := decodeRecord(tt.b)
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("decodeRecord = %v, want ErrCorrupt", err)
			}
		})
	}
}

func FuzzDecodeRecord(f *testing.F) {
	f.Add(appendRecord(nil, "id", Record{Values: map[string][]byte{"k": []byte("v")}, User: "u", Created: time.Unix(1, 2), Stamp: 1 << 63}))
	f.Add(appendRecord(nil, "", Record{}))
	f.Add([]byte{recordVersion, 0, 0, 1, 0x80})
	f.Fuzz(func(t *testing.T, b []byte) {
		id, rec, err := decodeRecord(b)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
			return
		}
		// A record that decodes encodes to a record that decodes the same.
		again := appendRecord(nil, id, rec)
		id2, rec2, err := decodeRecord(again)
		if err != nil {
			t.Fatalf("re-encoded record does not decode: %v", err)
		}
		if id2 != id || rec2.User != rec.User || !rec2.Created.Equal(rec.Created) || rec2.Stamp != rec.Stamp || len(rec2.Values) != len(rec.Values) {
			t.Fatalf("round trip changed the record: %q %+v -> %q %+v", id, rec, id2, rec2)
		}
		for k, v := range rec.Values {
			if !bytes.Equal(rec2.Values[k], v) {
				t.Fatalf("round trip changed Values[%q]", k)
			}
		}
	})
}
