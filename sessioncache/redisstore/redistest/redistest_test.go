package redistest

import (
	"maps"
	"strings"
	"testing"
)

func TestParseCommandStats(t *testing.T) {
	tests := []struct {
		name    string
		info    string
		want    map[string]int64
		wantErr bool
	}{
		{"empty", "# Commandstats\r\n", map[string]int64{}, false},
		{"commands", "# Commandstats\r\ncmdstat_hgetall:calls=12,usec=30,usec_per_call=2.50,rejected_calls=0,failed_calls=0\r\ncmdstat_client|tracking:calls=1,usec=3\r\n",
			map[string]int64{"hgetall": 12, "client|tracking": 1}, false},
		{"other lines ignored", "used_memory:100\r\ncmdstat_get:calls=3\r\n", map[string]int64{"get": 3}, false},
		{"bad count", "cmdstat_get:calls=x,usec=1\r\n", nil, true},
		{"no calls", "cmdstat_get:usec=1\r\n", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCommandStats(tt.info)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if !tt.wantErr && !maps.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDelta(t *testing.T) {
	before := map[string]int64{"get": 1, "set": 2}
	after := map[string]int64{"get": 1, "set": 5, "hgetall": 2}
	want := map[string]int64{"set": 3, "hgetall": 2}
	if got := Delta(before, after); !maps.Equal(got, want) {
		t.Errorf("Delta = %v, want %v", got, want)
	}
}

func TestServerRestart(t *testing.T) {
	s := Start(t, Options{AppendOnly: true})
	if _, err := s.CLI("SET", "k", "v"); err != nil {
		t.Fatal(err)
	}
	s.Kill()
	if _, err := s.CLI("PING"); err == nil {
		t.Fatal("PING answered after Kill")
	}
	if err := s.Restart(); err != nil {
		t.Fatal(err)
	}
	out, err := s.CLI("GET", "k")
	if err != nil || out != "v\n" {
		t.Fatalf("GET after restart = %q, %v; want the value written before the kill", out, err)
	}
}

// FuzzParseCommandStats parses arbitrary INFO output: no panic, and every
// count it returns appeared as calls=N.
func FuzzParseCommandStats(f *testing.F) {
	f.Add("# Commandstats\r\ncmdstat_get:calls=3,usec=1\r\n")
	f.Add("cmdstat_:calls=-1")
	f.Add("cmdstat_x:calls=")
	f.Fuzz(func(t *testing.T, info string) {
		stats, err := ParseCommandStats(info)
		if err != nil {
			return
		}
		for name, n := range stats {
			if !strings.Contains(info, "cmdstat_"+name+":calls=") {
				t.Fatalf("%s = %d not in the input", name, n)
			}
		}
	})
}

// TestLaunchOnTakenPort starts a second server on the port of a running
// one: the second process exits at once, and launch must report it rather
// than take the first server's PONG for its own (parallel tests can pick
// the same free port).
func TestLaunchOnTakenPort(t *testing.T) {
	first := Start(t, Options{})
	second := &Server{bin: first.bin, cli: first.cli, port: first.port, dir: t.TempDir(),
		args: []string{"--bind", "127.0.0.1", "--save", "", "--daemonize", "no"}}
	second.args = append(second.args, "--dir", second.dir, "--logfile", second.dir+"/redis.log")
	t.Cleanup(second.Kill)
	if err := second.launch(); err == nil {
		t.Fatalf("launch on the port of a running server succeeded; want an error")
	}
	if out, err := first.CLI("PING"); err != nil || strings.TrimSpace(out) != "PONG" {
		t.Errorf("the first server: %q %v", out, err)
	}
}
