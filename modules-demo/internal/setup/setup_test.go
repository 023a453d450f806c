package setup

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/serverdev/stdweb/cookies"
)

func TestKeys(t *testing.T) {
	var logs strings.Builder
	log := slog.New(slog.NewTextHandler(&logs, nil))
	k, err := Keys("", log)
	if err != nil || k == nil {
		t.Fatalf("Keys(\"\") = %v, %v", k, err)
	}
	if !strings.Contains(logs.String(), "SECRET is not set") {
		t.Errorf("no warning for a random secret: %q", logs.String())
	}
	if _, err := Keys("too short", log); !errors.Is(err, cookies.ErrSecretTooShort) {
		t.Errorf("short secret: %v", err)
	}
	// The same secret gives the same keys: a value signed with one ring
	// verifies with the other.
	a, _ := Keys(strings.Repeat("s", 32), slog.New(slog.NewTextHandler(io.Discard, nil)))
	b, _ := Keys(strings.Repeat("s", 32), slog.New(slog.NewTextHandler(io.Discard, nil)))
	v, err := (&cookies.Signer{Keys: a}).Sign("n", []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (&cookies.Signer{Keys: b}).Verify("n", v); err != nil {
		t.Errorf("same secret, keys differ: %v", err)
	}
}

func TestStartRedis(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("STDWEB_REQUIRE_REDIS") == "1" {
			t.Fatal("redis-server is not installed and STDWEB_REQUIRE_REDIS=1")
		}
		t.Skip("SKIPPED: redis-server is not installed")
	}
	s, err := StartRedis(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	client, err := Redis(t.Context(), s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	if err := Ping(context.Background(), client); err != nil {
		t.Fatal(err)
	}
}
