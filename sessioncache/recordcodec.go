package sessioncache

import (
	"encoding/binary"
	"fmt"
	"time"
	"unsafe"
)

// The memory store keeps each session as one byte string in a slab:
//
//	version   byte (recordVersion)
//	id        uvarint length, bytes
//	user      uvarint length, bytes
//	created   byte 0 for the zero time, or 1 then varint seconds and
//	          uvarint nanoseconds since the Unix epoch
//	stamp     uvarint (Record.Stamp)
//	fields    uvarint count, then per field: uvarint name length, name,
//	          uvarint value length, value
//
// The deadline is not part of it: the store keeps it beside the record so
// that an idle-deadline touch rewrites no bytes.
const recordVersion = 2

// maxRecordLen bounds an encoded record, so that slab offsets fit in 32 bits.
const maxRecordLen = 1 << 30

// appendString appends a length-prefixed string.
func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// appendBytes appends a length-prefixed byte slice.
func appendBytes(b []byte, v []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

// appendRecordHeader appends everything of a record up to its fields, and
// the count of the fields that follow.
func appendRecordHeader(b []byte, id, user string, created time.Time, stamp uint64, fields int) []byte {
	b = append(b, recordVersion)
	b = appendString(b, id)
	b = appendString(b, user)
	if created.IsZero() {
		b = append(b, 0)
	} else {
		b = append(b, 1)
		b = binary.AppendVarint(b, created.Unix())
		b = binary.AppendUvarint(b, uint64(created.Nanosecond()))
	}
	b = binary.AppendUvarint(b, stamp)
	return binary.AppendUvarint(b, uint64(fields))
}

// appendField appends one field of a record.
func appendField(b []byte, name string, value []byte) []byte {
	b = appendString(b, name)
	return appendBytes(b, value)
}

// appendRecord appends the encoding of a record stored under id.
func appendRecord(b []byte, id string, rec Record) []byte {
	b = appendRecordHeader(b, id, rec.User, rec.Created, rec.Stamp, len(rec.Values))
	for k, v := range rec.Values {
		b = appendField(b, k, v)
	}
	return b
}

// recordView is a parsed record header; its slices alias the parsed bytes.
type recordView struct {
	id, user []byte
	idEnd    int // offset just past id in the parsed bytes
	userEnd  int // offset just past user
	fieldsAt int // offset of the fields
	created  time.Time
	stamp    uint64
	count    int    // number of fields
	fields   []byte // the encoded fields
}

// recordReader reads the parts of an encoded record, remembering the first
// error.
type recordReader struct {
	b   []byte
	err error
}

func (r *recordReader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: record %s", ErrCorrupt, fmt.Sprintf(format, args...))
	}
}

func (r *recordReader) uvarint(what string) uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail("has a bad %s", what)
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *recordReader) varint(what string) int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail("has a bad %s", what)
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *recordReader) bytes(what string) []byte {
	if r.err != nil {
		return nil
	}
	n, k := binary.Uvarint(r.b)
	if k <= 0 {
		r.fail("has a bad %s length", what)
		return nil
	}
	r.b = r.b[k:]
	if n > uint64(len(r.b)) {
		r.fail("%s of %d bytes exceeds the %d bytes left", what, n, len(r.b))
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

func (r *recordReader) byte(what string) byte {
	if r.err != nil {
		return 0
	}
	if len(r.b) == 0 {
		r.fail("ends before its %s", what)
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

// parseRecord parses the header of an encoded record. It checks the header
// only; nextField checks the fields.
func parseRecord(b []byte) (recordView, error) {
	r := recordReader{b: b}
	var v recordView
	if ver := r.byte("version"); r.err == nil && ver != recordVersion {
		r.fail("has version %d, want %d", ver, recordVersion)
	}
	v.id = r.bytes("id")
	v.idEnd = len(b) - len(r.b)
	v.user = r.bytes("user")
	v.userEnd = len(b) - len(r.b)
	switch flag := r.byte("created flag"); {
	case r.err != nil:
	case flag == 0:
	case flag == 1:
		sec := r.varint("created seconds")
		nsec := r.uvarint("created nanoseconds")
		if r.err == nil && nsec >= uint64(time.Second) {
			r.fail("has %d nanoseconds", nsec)
		}
		v.created = time.Unix(sec, int64(nsec))
	default:
		r.fail("has created flag %d", flag)
	}
	v.stamp = r.uvarint("stamp")
	count := r.uvarint("field count")
	// Every field takes at least two bytes, which bounds a forged count.
	if r.err == nil && count > uint64(len(r.b))/2 {
		r.fail("claims %d fields in %d bytes", count, len(r.b))
	}
	if r.err != nil {
		return recordView{}, r.err
	}
	v.count = int(count)
	v.fields = r.b
	v.fieldsAt = len(b) - len(r.b)
	return v, nil
}

// fieldReader walks the fields of a parsed record.
type fieldReader struct {
	r       recordReader
	left    int
	base    int // offset of the fields in the parsed bytes
	size    int // length of the fields
	nameEnd int // offset just past the last name, in the parsed bytes
}

func (v recordView) fieldReader() fieldReader {
	return fieldReader{r: recordReader{b: v.fields}, left: v.count, base: v.fieldsAt, size: len(v.fields)}
}

// next returns the next field; ok is false at the end or on an error, which
// err then reports.
func (f *fieldReader) next() (name, value []byte, ok bool) {
	if f.left == 0 || f.r.err != nil {
		return nil, nil, false
	}
	f.left--
	name = f.r.bytes("field name")
	f.nameEnd = f.base + f.size - len(f.r.b)
	value = f.r.bytes("field value")
	if f.r.err != nil {
		return nil, nil, false
	}
	return name, value, true
}

// err reports a malformed field, or bytes left after the last field.
func (f *fieldReader) err() error {
	if f.r.err == nil && f.left == 0 && len(f.r.b) != 0 {
		f.r.fail("has %d bytes after its last field", len(f.r.b))
	}
	return f.r.err
}

// decodeRecord decodes a whole record. Everything it returns aliases b,
// which the caller must own and never change, so that decoding costs the
// map and nothing per field.
func decodeRecord(b []byte) (id string, rec Record, err error) {
	v, err := parseRecord(b)
	if err != nil {
		return "", Record{}, err
	}
	// at returns as a string the part of b that x, a subslice of b ending
	// at end, covers. The strings share b's memory: b belongs to the caller
	// and only the values, which never overlap the id, the user or the
	// names, are handed out as byte slices (with their capacity cut to
	// their length, so appending to one cannot overwrite the rest). No
	// byte under a string is ever written again.
	at := func(x []byte, end int) string {
		if len(x) == 0 {
			return ""
		}
		return unsafe.String(&b[end-len(x)], len(x))
	}
	rec.User = at(v.user, v.userEnd)
	rec.Created = v.created
	rec.Stamp = v.stamp
	rec.Values = make(map[string][]byte, v.count)
	f := v.fieldReader()
	for {
		name, value, ok := f.next()
		if !ok {
			break
		}
		rec.Values[at(name, f.nameEnd)] = value
	}
	if err := f.err(); err != nil {
		return "", Record{}, err
	}
	return at(v.id, v.idEnd), rec, nil
}
