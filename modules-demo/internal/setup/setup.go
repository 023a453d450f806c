package setup

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/rueidis"
	"github.com/serverdev/stdweb/cookies"
)

// Keys returns the cookie key ring made from secret (the SECRET setting:
// at least 32 bytes, for example `openssl rand -hex 32`). With an empty
// secret it makes a random one and logs a warning: cookies signed now will
// not verify after a restart, and nodes started separately will not accept
// each other's cookies.
func Keys(secret string, log *slog.Logger) (*cookies.KeyRing, error) {
	if secret == "" {
		log.Warn("SECRET is not set: using a random one; signed and sealed cookies will not survive a restart " +
			"(set SECRET to 64 hex digits, e.g. the output of `openssl rand -hex 32`, in the environment or .env)")
		secret = rand.Text() + rand.Text() // 2 × 130 random bits, 52 characters
	}
	keys, err := cookies.NewKeyRing([]byte(secret))
	if err != nil {
		return nil, fmt.Errorf("SECRET: %w (it needs %d bytes or more)", err, cookies.MinSecretLen)
	}
	return keys, nil
}

// Redis connects to the Redis at addr (host:port) and checks it answers
// PING within five seconds.
func Redis(ctx context.Context, addr string) (rueidis.Client, error) {
	client, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{addr}})
	if err != nil {
		return nil, fmt.Errorf("redis %s: %w", addr, err)
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := Ping(ctx, client); err != nil {
		client.Close()
		return nil, fmt.Errorf("redis %s: %w", addr, err)
	}
	return client, nil
}

// Ping checks that Redis answers; it suits httpserver.Server.ReadyCheck.
func Ping(ctx context.Context, client rueidis.Client) error {
	return client.Do(ctx, client.B().Ping().Build()).Error()
}
