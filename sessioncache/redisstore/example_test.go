package redisstore_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/redis/rueidis"
	"github.com/serverdev/stdweb/sessioncache"
	"github.com/serverdev/stdweb/sessioncache/redisstore"
)

// A store shares sessions between every server that uses the same Redis.
// Give it to a sessioncache.Manager as its Store.
func Example() {
	client, err := rueidis.NewClient(rueidis.ClientOption{
		InitAddress: []string{"127.0.0.1:6379"}, // a Redis Cluster: list some of its nodes
	})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	store := redisstore.New(client, redisstore.Options{
		Prefix:      "myapp:session:",
		MaxLifetime: 24 * time.Hour, // the Manager's Lifetime
	})
	ctx := context.Background()
	err = store.Commit(ctx, "id-hash", sessioncache.Record{
		Values:   map[string][]byte{"cart": []byte(`["apple"]`)},
		User:     "alice",
		Created:  time.Now(),
		Deadline: time.Now().Add(30 * time.Minute),
	})
	if err != nil {
		log.Fatal(err) // errors.Is(err, sessioncache.ErrUnavailable) when Redis is down
	}
	rec, found, err := store.Find(ctx, "id-hash") // later reads come from the node's cache
	fmt.Println(string(rec.Values["cart"]), found, err)
}
