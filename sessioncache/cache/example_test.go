package cache_test

import (
	"context"
	"fmt"
	"time"

	"github.com/serverdev/stdweb/sessioncache/cache"
)

func Example() {
	c := cache.MustNew(cache.Options[string, string]{
		MaximumSize:      10_000,
		ExpireAfterWrite: 10 * time.Minute,
	})
	defer c.Close()

	c.Set("greeting", "hello")
	if v, ok := c.Get("greeting"); ok {
		fmt.Println(v)
	}
	_, ok := c.Get("farewell")
	fmt.Println(ok)
	// Output:
	// hello
	// false
}

func ExampleCache_GetOrLoad() {
	c := cache.MustNew(cache.Options[int, string]{MaximumSize: 1000})
	defer c.Close()

	loadUser := func(ctx context.Context, id int) (string, error) {
		fmt.Println("querying the database for", id)
		return fmt.Sprintf("user-%d", id), nil
	}
	for range 3 {
		name, err := c.GetOrLoad(context.Background(), 42, loadUser)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(name)
	}
	// Output:
	// querying the database for 42
	// user-42
	// user-42
	// user-42
}

func ExampleOptions_weigher() {
	// Bound the cache by bytes rather than entries.
	c := cache.MustNew(cache.Options[string, []byte]{
		MaximumWeight: 64 << 20,
		Weigher:       func(key string, v []byte) uint32 { return uint32(len(key) + len(v)) },
		OnEviction: func(key string, v []byte, cause cache.EvictionCause) {
			if cause.Evicted() {
				fmt.Println("evicted", key, cause)
			}
		},
	})
	defer c.Close()
	c.Set("thumb/1.png", make([]byte, 1024))
	fmt.Println(c.Len())
	// Output:
	// 1
}

func ExampleCache_SetWithTTL() {
	c := cache.MustNew(cache.Options[string, string]{})
	defer c.Close()
	c.SetWithTTL("otp", "123456", 30*time.Second)
	v, _ := c.Get("otp")
	fmt.Println(v)
	// Output: 123456
}

func ExampleCache_Stats() {
	c := cache.MustNew(cache.Options[string, int]{MaximumSize: 100})
	defer c.Close()
	c.Set("a", 1)
	c.Get("a")
	c.Get("b")
	fmt.Printf("hit ratio %.2f\n", c.Stats().HitRatio())
	// Output: hit ratio 0.50
}
