package redisstore

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/serverdev/stdweb/sessioncache"
)

func pairsToMap(pairs []string) map[string]string {
	m := make(map[string]string, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		m[pairs[i]] = pairs[i+1]
	}
	return m
}

func TestRecordRoundTrip(t *testing.T) {
	deadline := time.Unix(0, 1_900_000_000_123_456_789)
	tests := []struct {
		name string
		rec  sessioncache.Record
	}{
		{"empty", sessioncache.Record{Values: map[string][]byte{}, Deadline: deadline}},
		{"values", sessioncache.Record{Values: map[string][]byte{"a": []byte("1"), "": []byte(""), "m:user": []byte("not metadata"), "v:x": {0, 255}}, Deadline: deadline}},
		{"user and created", sessioncache.Record{Values: map[string][]byte{"k": []byte("v")}, User: "alice", Created: time.Unix(0, 1_800_000_000_000_000_001), Deadline: deadline}},
		{"epoch created", sessioncache.Record{Values: map[string][]byte{}, Created: time.Unix(0, 0), Deadline: deadline}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeRecord(pairsToMap(encodeRecord(nil, tt.rec, "123")))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.rec) {
				t.Errorf("round trip = %+v, want %+v", got, tt.rec)
			}
		})
	}
}

func TestDecodeRecordCorrupt(t *testing.T) {
	tests := []struct {
		name   string
		fields map[string]string
	}{
		{"no deadline", map[string]string{"v:a": "1"}},
		{"bad deadline", map[string]string{"m:deadline": "1e9"}},
		{"bad created", map[string]string{"m:deadline": "1", "m:created": ""}},
		{"overflowing deadline", map[string]string{"m:deadline": "99999999999999999999"}},
		{"unknown field", map[string]string{"m:deadline": "1", "x": ""}},
		{"unknown metadata", map[string]string{"m:deadline": "1", "m:other": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := decodeRecord(tt.fields); !errors.Is(err, sessioncache.ErrCorrupt) {
				t.Errorf("decodeRecord(%v): err = %v, want ErrCorrupt", tt.fields, err)
			}
		})
	}
}

// FuzzDecodeRecord decodes arbitrary hashes: no panic, every error is
// ErrCorrupt, and what decodes encodes back to the same record.
func FuzzDecodeRecord(f *testing.F) {
	f.Add("m:deadline\x001900000000000000000\x00v:a\x001")
	f.Add("m:deadline\x00-5\x00m:created\x000\x00m:user\x00bob\x00m:ix\x00x\x00m:ver\x00y")
	f.Add("v:\x00\x00m:deadline\x00+7")
	f.Add("m:deadline")
	f.Fuzz(func(t *testing.T, flat string) {
		fields := pairsToMap(strings.Split(flat, "\x00"))
		rec, err := decodeRecord(fields)
		if err != nil {
			if !errors.Is(err, sessioncache.ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
			return
		}
		again, err := decodeRecord(pairsToMap(encodeRecord(nil, rec, "1")))
		if err != nil {
			t.Fatalf("re-encoded record does not decode: %v", err)
		}
		if !reflect.DeepEqual(again, rec) {
			t.Fatalf("round trip = %+v, want %+v", again, rec)
		}
	})
}
