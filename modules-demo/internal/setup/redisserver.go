package setup

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"time"
)

// ErrNoRedisServer reports that redis-server is not installed.
var ErrNoRedisServer = errors.New("redis-server is not installed (apt install redis-server, brew install redis)")

// RedisServer is a redis-server process started by StartRedis.
type RedisServer struct {
	Addr string // host:port it listens on
	cmd  *exec.Cmd
	dir  string
	done chan error
}

// StartRedis starts redis-server on a free loopback port, in a temporary
// directory, without persistence, and waits until it accepts connections.
// Stop it with Stop.
func StartRedis(ctx context.Context) (*RedisServer, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, ErrNoRedisServer
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "stdweb-redis-")
	if err != nil {
		return nil, err
	}
	s := &RedisServer{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), dir: dir, done: make(chan error, 1)}
	s.cmd = exec.Command(bin,
		"--bind", "127.0.0.1", "--port", strconv.Itoa(port), "--dir", dir,
		"--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning")
	if err := s.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start redis-server: %w", err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	// Wait until it accepts connections, or exits, or 10 seconds pass.
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if c, err := net.DialTimeout("tcp", s.Addr, time.Second); err == nil {
			c.Close()
			return s, nil
		}
		select {
		case err := <-s.done:
			os.RemoveAll(dir)
			return nil, fmt.Errorf("redis-server exited at start: %v", err)
		case <-deadline.C:
			s.Stop()
			return nil, errors.New("redis-server did not accept connections within 10s")
		case <-ctx.Done():
			s.Stop()
			return nil, ctx.Err()
		case <-tick.C:
		}
	}
}

// Stop kills the server and removes its directory.
func (s *RedisServer) Stop() {
	s.cmd.Process.Kill()
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
	}
	os.RemoveAll(s.dir)
}

// freePort returns a TCP port that was free on the loopback interface a
// moment ago. Another process could take it before redis-server binds it;
// StartRedis then fails and can be run again.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
