package redisstore

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/serverdev/stdweb/sessioncache"
)

// Field names of a session hash. Values are stored under valuePrefix+name,
// metadata under "m:" names, so that no value can overwrite metadata.
const (
	valuePrefix   = "v:"
	fieldUser     = "m:user"
	fieldCreated  = "m:created"
	fieldDeadline = "m:deadline"
	fieldIndex    = "m:ix"
	fieldVersion  = "m:ver"
	fieldStamp    = "m:stamp"
)

// version returns the version of a session hash, 0 when it has none.
func version(fields map[string]string) int64 {
	v, _ := strconv.ParseInt(fields[fieldVersion], 10, 64)
	return v
}

// stamp returns the write stamp (sessioncache.Record.Stamp) of a session
// hash, 0 when it has none or it is malformed.
func stamp(fields map[string]string) uint64 {
	v, _ := strconv.ParseUint(fields[fieldStamp], 10, 64)
	return v
}

// encodeRecord appends to dst the field/value pairs of the session hash
// that stores rec, whose user index entry lasts until ix (Unix ms).
func encodeRecord(dst []string, rec sessioncache.Record, ix string) []string {
	for name, v := range rec.Values {
		dst = append(dst, valuePrefix+name, string(v))
	}
	dst = append(dst, fieldDeadline, strconv.FormatInt(rec.Deadline.UnixNano(), 10))
	if !rec.Created.IsZero() {
		dst = append(dst, fieldCreated, strconv.FormatInt(rec.Created.UnixNano(), 10))
	}
	if rec.User != "" {
		dst = append(dst, fieldUser, rec.User, fieldIndex, ix)
	}
	if rec.Stamp != 0 {
		dst = append(dst, fieldStamp, strconv.FormatUint(rec.Stamp, 10))
	}
	return dst
}

// decodeRecord turns the fields of a session hash into a Record. It reports
// an error wrapping sessioncache.ErrCorrupt for a hash it did not write.
func decodeRecord(fields map[string]string) (sessioncache.Record, error) {
	var rec sessioncache.Record
	var haveDeadline bool
	for f, v := range fields {
		if name, ok := strings.CutPrefix(f, valuePrefix); ok {
			if rec.Values == nil {
				rec.Values = make(map[string][]byte, len(fields))
			}
			rec.Values[name] = []byte(v)
			continue
		}
		switch f {
		case fieldUser:
			rec.User = v
		case fieldCreated, fieldDeadline:
			ns, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return sessioncache.Record{}, fmt.Errorf("%w: field %s: %q is not a time", sessioncache.ErrCorrupt, f, v)
			}
			if f == fieldCreated {
				rec.Created = time.Unix(0, ns)
			} else {
				rec.Deadline = time.Unix(0, ns)
				haveDeadline = true
			}
		case fieldStamp:
			st, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return sessioncache.Record{}, fmt.Errorf("%w: field %s: %q is not a stamp", sessioncache.ErrCorrupt, f, v)
			}
			rec.Stamp = st
		case fieldIndex, fieldVersion:
		default:
			return sessioncache.Record{}, fmt.Errorf("%w: unknown field %q", sessioncache.ErrCorrupt, f)
		}
	}
	if !haveDeadline {
		return sessioncache.Record{}, fmt.Errorf("%w: no %s field", sessioncache.ErrCorrupt, fieldDeadline)
	}
	if rec.Values == nil {
		rec.Values = map[string][]byte{}
	}
	return rec, nil
}
