package redisstorebench

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"sync/atomic"
	"testing"
	"time"

	scsredis "github.com/alexedwards/scs/redisstore"
	"github.com/alexedwards/scs/v2"
	"github.com/gomodule/redigo/redis"
	"github.com/redis/rueidis"
	"github.com/serverdev/stdweb/sessioncache"
	"github.com/serverdev/stdweb/sessioncache/redisstore"
	"github.com/serverdev/stdweb/sessioncache/redisstore/redistest"
)

// sessions is how many sessions the workload spreads its requests over.
const sessions = 1000

// writeEvery makes one request in writeEvery a write.
const writeEvery = 20

// parallelism multiplies GOMAXPROCS into the number of client goroutines,
// as concurrent requests of a web server would.
const parallelism = 16

// sessionValues are the values of every session: a user id, a name, a CSRF
// token, a preference and a cart.
var sessionValues = map[string]any{
	"user_id": 1234567,
	"name":    "Alice Example",
	"csrf":    "Qm9vdGgsIFRvcnJlcyBhbmQgQ28gc2Vzc2lvbg",
	"theme":   "dark",
	"cart":    "apple,pear,plum",
}

// countingConn counts the writes of a connection: each is a batch of
// requests sent to Redis.
type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

// impl is one store under test.
type impl struct {
	name   string
	writes atomic.Int64 // writes to Redis connections
	// read reads session i and returns its user_id.
	read func(ctx context.Context, i int) (int, error)
	// write changes the cart of session i, which the request has read.
	write func(ctx context.Context, i int, cart string) error
}

// readWrite is a request that reads session i and changes its cart.
func (im *impl) readWrite(ctx context.Context, i int, cart string) error {
	if _, err := im.read(ctx, i); err != nil {
		return err
	}
	return im.write(ctx, i, cart)
}

func id(i int) string { return fmt.Sprintf("bench-session-%04d", i) }

func newOurs(b *testing.B, addr string) *impl {
	im := &impl{name: "ours"}
	client, err := rueidis.NewClient(rueidis.ClientOption{
		InitAddress: []string{addr},
		DialCtxFn: func(ctx context.Context, addr string, d *net.Dialer, _ *tls.Config) (net.Conn, error) {
			c, err := d.DialContext(ctx, "tcp", addr)
			if err != nil {
				return nil, err
			}
			return countingConn{c, &im.writes}, nil
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(client.Close)
	store := redisstore.New(client, redisstore.Options{Prefix: "ours:"})
	ctx := context.Background()
	for i := range sessions {
		rec := sessioncache.Record{Values: map[string][]byte{}, User: fmt.Sprint("user", i), Created: time.Now(), Deadline: time.Now().Add(time.Hour)}
		for k, v := range sessionValues {
			rec.Values[k], _ = json.Marshal(v)
		}
		if err := store.Commit(ctx, id(i), rec); err != nil {
			b.Fatal(err)
		}
	}
	im.read = func(ctx context.Context, i int) (int, error) {
		rec, found, err := store.Find(ctx, id(i))
		if err != nil || !found {
			return 0, fmt.Errorf("find: %v %v", found, err)
		}
		var uid int
		err = json.Unmarshal(rec.Values["user_id"], &uid)
		return uid, err
	}
	im.write = func(ctx context.Context, i int, cart string) error {
		v, _ := json.Marshal(cart)
		return store.Apply(ctx, id(i), sessioncache.Delta{
			Set:      map[string][]byte{"cart": v},
			Deadline: time.Now().Add(time.Hour),
		})
	}
	return im
}

func newSCS(b *testing.B, addr string) *impl {
	im := &impl{name: "scs"}
	pool := &redis.Pool{
		MaxIdle:     4 * parallelism,
		IdleTimeout: time.Minute,
		Dial: func() (redis.Conn, error) {
			return redis.Dial("tcp", addr, redis.DialNetDial(func(network, addr string) (net.Conn, error) {
				c, err := net.Dial(network, addr)
				if err != nil {
					return nil, err
				}
				return countingConn{c, &im.writes}, nil
			}))
		},
	}
	b.Cleanup(func() { pool.Close() })
	store := scsredis.NewWithPrefix(pool, "scs:")
	codec := scs.GobCodec{}
	expiry := time.Now().Add(time.Hour)
	for i := range sessions {
		blob, err := codec.Encode(expiry, sessionValues)
		if err != nil {
			b.Fatal(err)
		}
		if err := store.Commit(id(i), blob, expiry); err != nil {
			b.Fatal(err)
		}
	}
	load := func(i int) (time.Time, map[string]any, error) {
		blob, found, err := store.Find(id(i))
		if err != nil || !found {
			return time.Time{}, nil, fmt.Errorf("find: %v %v", found, err)
		}
		return codec.Decode(blob)
	}
	im.read = func(_ context.Context, i int) (int, error) {
		_, values, err := load(i)
		if err != nil {
			return 0, err
		}
		return values["user_id"].(int), nil
	}
	im.write = func(_ context.Context, i int, cart string) error {
		// scs writes back the whole session it loaded, changed.
		values := maps.Clone(sessionValues)
		values["cart"] = cart
		expiry := time.Now().Add(time.Hour)
		blob, err := codec.Encode(expiry, values)
		if err != nil {
			return err
		}
		return store.Commit(id(i), blob, expiry)
	}
	return im
}

// startRedis starts the redis-server both stores share.
func startRedis(b *testing.B) *redistest.Server {
	return redistest.Start(b, redistest.Options{})
}

func commandCount(b *testing.B, srv *redistest.Server) int64 {
	st, err := srv.CommandStats()
	if err != nil {
		b.Fatal(err)
	}
	var n int64
	for name, calls := range st {
		if name != "info" && name != "config|resetstat" {
			n += calls
		}
	}
	return n
}

// BenchmarkReadMostly runs the read-mostly workload from many goroutines.
func BenchmarkReadMostly(b *testing.B) {
	srv := startRedis(b)
	for _, newImpl := range []func(*testing.B, string) *impl{newOurs, newSCS} {
		im := newImpl(b, srv.Addr())
		b.Run(im.name, func(b *testing.B) {
			ctx := context.Background()
			var next atomic.Int64
			before := commandCount(b, srv)
			b.ReportAllocs()
			b.SetParallelism(parallelism)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					n := int(next.Add(1))
					i := (n * 7919) % sessions // spread over the sessions
					var err error
					if n%writeEvery == 0 {
						err = im.readWrite(ctx, i, fmt.Sprint("cart", n))
					} else {
						var uid int
						uid, err = im.read(ctx, i)
						if err == nil && uid != 1234567 {
							err = fmt.Errorf("user_id = %d", uid)
						}
					}
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(commandCount(b, srv)-before)/float64(b.N), "redis-cmds/op")
		})
	}
}

// BenchmarkRoundTrips runs requests one after the other and counts what
// each one costs in Redis round trips and commands.
func BenchmarkRoundTrips(b *testing.B) {
	srv := startRedis(b)
	impls := []*impl{newOurs(b, srv.Addr()), newSCS(b, srv.Addr())}
	ctx := context.Background()
	for _, im := range impls {
		for i := range 10 { // warm the node-local cache of the read case
			if _, err := im.read(ctx, i); err != nil {
				b.Fatal(err)
			}
		}
		// and load the scripts
		if err := im.readWrite(ctx, sessions-1, "warm"); err != nil {
			b.Fatal(err)
		}
	}
	cases := []struct {
		name string
		op   func(im *impl, n int) error
	}{
		// a read of an unchanged session (cached by ours after its first read)
		{"read", func(im *impl, n int) error { _, err := im.read(ctx, n%10); return err }},
		// the save of a change
		{"write", func(im *impl, n int) error { return im.write(ctx, 10+n%10, fmt.Sprint("cart", n)) }},
		// a request that reads a session and changes it; ours re-reads the
		// session from Redis because its own previous write invalidated it
		{"readwrite", func(im *impl, n int) error { return im.readWrite(ctx, 20+n%10, fmt.Sprint("cart", n)) }},
	}
	for _, c := range cases {
		for _, im := range impls {
			b.Run(c.name+"/"+im.name, func(b *testing.B) {
				b.ReportAllocs()
				writes := im.writes.Load()
				cmds := commandCount(b, srv)
				b.ResetTimer()
				for n := range b.N {
					if err := c.op(im, n); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				b.ReportMetric(float64(im.writes.Load()-writes)/float64(b.N), "roundtrips/op")
				b.ReportMetric(float64(commandCount(b, srv)-cmds)/float64(b.N), "redis-cmds/op")
			})
		}
	}
}
