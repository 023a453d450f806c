package dotenv

import (
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, in string
		want     map[string]string
	}{
		{"basic", "A=1\nB=two words\n", map[string]string{"A": "1", "B": "two words"}},
		{"blank and comments", "\n# comment\n  # indented\nA=1\n\n", map[string]string{"A": "1"}},
		{"export", "export A=1\nexport\tB=2\nexporter=3\n", map[string]string{"A": "1", "B": "2", "exporter": "3"}},
		{"spaces around", "  A = spaced value  \n", map[string]string{"A": "spaced value"}},
		{"empty", "A=\nB=   \nC=''\nD=\"\"\n", map[string]string{"A": "", "B": "", "C": "", "D": ""}},
		{"inline comment", "A=value # note\nB=a#b\nC=x\t#tab\n", map[string]string{"A": "value", "B": "a#b", "C": "x"}},
		{"comment as the whole value", "A= # note\nB=\t#tab\nC=#c\n", map[string]string{"A": "", "B": "", "C": "#c"}},
		{"single quotes literal", `A='x\ny $HOME # not comment'`, map[string]string{"A": `x\ny $HOME # not comment`}},
		{"double quote escapes", `A="l1\nl2\tt\r\"q\" \\ \$ \x"`, map[string]string{"A": "l1\nl2\tt\r\"q\" \\ $ \\x"}},
		{"comment after quotes", `A="v" # c` + "\nB='w'", map[string]string{"A": "v", "B": "w"}},
		{"multi-line double", "KEY=\"-----BEGIN-----\nabc\n-----END-----\"\nNEXT=1", map[string]string{"KEY": "-----BEGIN-----\nabc\n-----END-----", "NEXT": "1"}},
		{"multi-line single", "A='one\n  two'\n", map[string]string{"A": "one\n  two"}},
		{"crlf", "A=1\r\nB=\"x\r\ny\"\r\n", map[string]string{"A": "1", "B": "x\ny"}},
		{"bom", "\uFEFFA=1", map[string]string{"A": "1"}},
		{"equals in value", "URL=postgres://u:p@h/db?sslmode=disable&a=b", map[string]string{"URL": "postgres://u:p@h/db?sslmode=disable&a=b"}},
		{"last wins", "A=1\nA=2", map[string]string{"A": "2"}},
		{"unicode", "GREETING=héllo wörld ✓", map[string]string{"GREETING": "héllo wörld ✓"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(strings.NewReader(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(got, tc.want) {
				t.Errorf("got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in string
		line     int
		msg      string
	}{
		{"no equals", "A=1\njust words\n", 2, "expected KEY=value"},
		{"bad key", "1A=x", 1, `invalid key "1A"`},
		{"key with dash", "\n\nMY-KEY=x", 3, "invalid key"},
		{"empty key", "=x", 1, "invalid key"},
		{"unterminated", "A=1\nB=\"open\nstill open\n", 2, "unterminated \"-quoted value"},
		{"unterminated single", "B='open", 1, "unterminated '-quoted value"},
		{"junk after quote", "A=\"x\" y", 1, `unexpected "y" after the closing quote`},
		{"junk after multi-line quote", "A=\"x\ny\" z", 2, "after the closing quote"},
		{"nul", "A=a\x00b", 1, "NUL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tc.in))
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is not a *SyntaxError", err)
			}
			if se.Line != tc.line || !strings.Contains(se.Msg, tc.msg) {
				t.Errorf("line %d %q, want line %d containing %q", se.Line, se.Msg, tc.line, tc.msg)
			}
		})
	}
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadRealEnvironmentWins(t *testing.T) {
	dir := t.TempDir()
	first := writeFile(t, dir, ".env", "DOTENV_T_NEW=from-file\nDOTENV_T_SET=from-file\nDOTENV_T_BOTH=first\n")
	second := writeFile(t, dir, ".env.local", "DOTENV_T_BOTH=second\nDOTENV_T_SECOND=2\n")
	t.Setenv("DOTENV_T_SET", "from-env")
	t.Setenv("DOTENV_T_EMPTY", "")
	writeFile(t, dir, "empty.env", "DOTENV_T_EMPTY=file")
	for _, k := range []string{"DOTENV_T_NEW", "DOTENV_T_BOTH", "DOTENV_T_SECOND"} {
		t.Setenv(k, "") // registers cleanup
		os.Unsetenv(k)
	}
	if err := Load(first, second, filepath.Join(dir, "empty.env")); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"DOTENV_T_NEW": "from-file", "DOTENV_T_SET": "from-env", "DOTENV_T_BOTH": "first",
		"DOTENV_T_SECOND": "2", "DOTENV_T_EMPTY": "",
	}
	for k, v := range want {
		if got := os.Getenv(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.env")
	if err := Load(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load(missing) = %v, want fs.ErrNotExist", err)
	}
	if err := LoadIfExists(missing); err != nil {
		t.Errorf("LoadIfExists(missing) = %v", err)
	}
	bad := writeFile(t, dir, "bad.env", "OK=1\n\nnot an assignment\n")
	err := Load(bad)
	if err == nil || !strings.Contains(err.Error(), bad+":3: expected KEY=value") {
		t.Errorf("Load(bad) = %v, want file:line", err)
	}
}

// quote renders a value so that Parse reads it back unchanged.
func quote(v string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "\t", `\t`, "$", `\$`)
	return `"` + r.Replace(v) + `"`
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"A=1\nB=two words # c\n",
		"export A='x'\n",
		"A=\"multi\nline\\n\\\"q\\\"\"\n",
		"# only a comment\n",
		"A=\"unterminated\n",
		"\uFEFFK = v\r\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		vars, err := Parse(strings.NewReader(in))
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) && !strings.Contains(err.Error(), "token too long") {
				t.Fatalf("error %v is neither a *SyntaxError nor a read error", err)
			}
			if se != nil && (se.Line < 1 || se.Line > strings.Count(in, "\n")+1) {
				t.Fatalf("line %d out of range", se.Line)
			}
			return
		}
		// Every parsed map survives a round trip through quoting.
		keys := make([]string, 0, len(vars))
		for k := range vars {
			if !validKey(k) {
				t.Fatalf("invalid key %q accepted", k)
			}
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b strings.Builder
		for _, k := range keys {
			b.WriteString(k + "=" + quote(vars[k]) + "\n")
		}
		again, err := Parse(strings.NewReader(b.String()))
		if err != nil {
			t.Fatalf("re-parse of %q: %v", b.String(), err)
		}
		if !maps.Equal(vars, again) {
			t.Fatalf("round trip changed %q into %q", vars, again)
		}
	})
}
