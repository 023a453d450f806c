package releases

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNext(t *testing.T) {
	tests := []struct {
		last string
		c    Change
		want string
		err  error
	}{
		{"", None, "v0.1.0", nil},
		{"", Incompatible, "v0.1.0", nil},
		{"v0.1.0", None, "v0.1.1", nil},
		{"v0.1.0", Compatible, "v0.2.0", nil},
		{"v0.1.3", Incompatible, "v0.2.0", nil},
		{"v1.2.3", None, "v1.2.4", nil},
		{"v1.2.3", Compatible, "v1.3.0", nil},
		{"v1.2.3", Incompatible, "", ErrNeedsMajor},
		{"v2.0.0", Incompatible, "", ErrNeedsMajor},
		{"v0.3.0-rc.1", Compatible, "v0.4.0", nil},
	}
	for _, tt := range tests {
		got, err := Next(tt.last, tt.c)
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("Next(%q, %v) = %q, %v; want %q, %v", tt.last, tt.c, got, err, tt.want, tt.err)
		}
	}
	if _, err := Next("1.0", None); err == nil {
		t.Error("Next of an invalid version succeeded")
	}
}

func TestParseAndLatest(t *testing.T) {
	const file = `# header
cookies v0.1.0 aaaa

cookies v0.10.0 cccc
cookies v0.2.0 bbbb
sessioncache/redisstore v0.1.0 dddd
`
	rels, err := Parse(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if len(rels) != 4 {
		t.Fatalf("got %d releases", len(rels))
	}
	if r, ok := Latest(rels, "cookies"); !ok || r.Version != "v0.10.0" || r.Commit != "cccc" {
		t.Errorf("Latest(cookies) = %+v, %v", r, ok)
	}
	if r, _ := Latest(rels, "sessioncache/redisstore"); r.Tag() != "sessioncache/redisstore/v0.1.0" {
		t.Errorf("Tag = %q", r.Tag())
	}
	if _, ok := Latest(rels, "httpserver"); ok {
		t.Error("Latest(httpserver) found a release")
	}
	for _, bad := range []string{"cookies v0.1.0\n", "cookies 0.1.0 aaaa\n", "cookies v0.1 aaaa\n", "a b c d\n"} {
		if _, err := Parse(strings.NewReader(bad)); err == nil {
			t.Errorf("Parse(%q) succeeded", bad)
		}
	}
}

func TestAppend(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	if rels, err := ReadFile(path); err != nil || rels != nil {
		t.Fatalf("ReadFile of a missing file = %v, %v", rels, err)
	}
	r1 := Release{Module: "cookies", Version: "v0.1.0", Commit: "aaaa"}
	r2 := Release{Module: "httpserver", Version: "v0.1.0", Commit: "bbbb"}
	if err := Append(path, r1); err != nil {
		t.Fatal(err)
	}
	if err := Append(path, r2); err != nil {
		t.Fatal(err)
	}
	rels, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(rels) != 2 || rels[0] != r1 || rels[1] != r2 {
		t.Errorf("read back %+v", rels)
	}
	data, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(data), "# ") || !strings.HasSuffix(string(data), "httpserver v0.1.0 bbbb\n") {
		t.Errorf("file:\n%s", data)
	}
}
