// Package redistest starts real redis-server processes for tests and
// benchmarks: a standalone server or a Redis Cluster of several masters, each
// on a free loopback port in a temporary directory, stopped when the test
// ends.
//
// It is a test helper, exported so that benchmarks in other modules can use
// it; programs should not import it.
//
// When redis-server is not installed the helpers skip the test with a loud
// message, unless the environment variable STDWEB_REQUIRE_REDIS is "1", in
// which case they fail it.
package redistest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// RequireEnv is the environment variable that turns a missing redis-server
// into a test failure instead of a skip.
const RequireEnv = "STDWEB_REQUIRE_REDIS"

// startTimeout bounds how long a server or a cluster may take to come up.
const startTimeout = 15 * time.Second

// Require returns the paths of redis-server and redis-cli. When they are not
// installed it skips tb with a loud message, or fails it when
// STDWEB_REQUIRE_REDIS=1.
func Require(tb testing.TB) (server, cli string) {
	tb.Helper()
	server, err1 := exec.LookPath("redis-server")
	cli, err2 := exec.LookPath("redis-cli")
	if err := errors.Join(err1, err2); err != nil {
		msg := fmt.Sprintf("\n*****\n***** redis-server/redis-cli not installed (%v):\n***** SKIPPING the tests against a real Redis.\n***** Install them (apt-get install -y redis-server) or set %s=1 to make this a failure.\n*****", err, RequireEnv)
		if os.Getenv(RequireEnv) == "1" {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	return server, cli
}

// Options configure a server.
type Options struct {
	// AppendOnly turns on the append-only file with appendfsync always, so
	// that every acknowledged write survives a kill -9.
	AppendOnly bool

	// Args are extra redis-server arguments, such as "--maxmemory", "10mb".
	Args []string
}

// Server is a running redis-server process.
type Server struct {
	bin     string
	cli     string
	port    int
	dir     string
	tempDir bool   // dir was made by NewServer and is removed by Close
	conf    string // configuration file, for a sentinel
	args    []string
	mu      sync.Mutex
	cmd     *exec.Cmd
	exited  chan struct{}
}

// Start starts a standalone redis-server on a free loopback port and stops it
// when tb ends. It skips or fails tb as Require does when redis-server is
// missing.
func Start(tb testing.TB, opts Options) *Server {
	tb.Helper()
	Require(tb)
	s, err := newServer(tb.TempDir(), opts)
	if err != nil {
		tb.Fatalf("redistest: %v", err)
	}
	tb.Cleanup(s.Kill)
	return s
}

// NewServer starts a standalone redis-server on a free loopback port in a
// new temporary directory. The caller stops it with Close.
func NewServer(opts Options) (*Server, error) {
	dir, err := os.MkdirTemp("", "redistest-")
	if err != nil {
		return nil, err
	}
	s, err := newServer(dir, opts)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s.tempDir = true
	return s, nil
}

func newServer(dir string, opts Options) (*Server, error) {
	return newProcess(dir, "", opts)
}

// newProcess starts redis-server in dir, with the configuration file conf
// when it is not "".
func newProcess(dir, conf string, opts Options) (*Server, error) {
	bin, err1 := exec.LookPath("redis-server")
	cli, err2 := exec.LookPath("redis-cli")
	err := errors.Join(err1, err2)
	if err != nil {
		return nil, err
	}
	args := []string{"--bind", "127.0.0.1", "--save", "", "--dir", dir, "--daemonize", "no",
		"--logfile", filepath.Join(dir, "redis.log")}
	if opts.AppendOnly {
		args = append(args, "--appendonly", "yes", "--appendfsync", "always")
	}
	args = append(args, opts.Args...)
	s := &Server{bin: bin, cli: cli, dir: dir, conf: conf, args: args}
	for range 5 { // a free port may be taken by someone else before we bind it
		s.port, err = freePort()
		if err != nil {
			break
		}
		if err = s.launch(); err == nil {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("start redis-server: %w", err)
	}
	return s, nil
}

// freePort returns a loopback port that is free now and whose cluster bus
// port (port+10000) is free too.
func freePort() (int, error) {
	for range 20 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if port+10000 > 65535 {
			continue
		}
		bus, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port+10000))
		if err != nil {
			continue
		}
		bus.Close()
		return port, nil
	}
	return 0, errors.New("no free port pair found")
}

// launch starts the process on s.port and waits until it answers PING
// (and is the process answering).
func (s *Server) launch() error {
	var args []string
	if s.conf != "" {
		args = append(args, s.conf)
	}
	args = append(args, "--port", strconv.Itoa(s.port))
	args = append(args, s.args...)
	cmd := exec.Command(s.bin, args...)
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	s.mu.Lock()
	s.cmd, s.exited = cmd, exited
	s.mu.Unlock()

	deadline := time.Now().Add(startTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("redis-server exited at start: %s", s.logTail())
		default:
		}
		// Check the process id, not only PING: another server may have
		// taken the port, and its answer is not ours. PING answers PONG
		// once the data is loaded.
		out, err := s.CLI("INFO", "server")
		if err == nil && servesPID(out, cmd.Process.Pid) {
			if out, err := s.CLI("PING"); err == nil && strings.TrimSpace(out) == "PONG" {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.Kill()
	return fmt.Errorf("redis-server on port %d not ready after %v: %s", s.port, startTimeout, s.logTail())
}

func (s *Server) logTail() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

// Port is the server's TCP port.
func (s *Server) Port() int { return s.port }

// Dir is the server's working directory (its AOF and cluster config live there).
func (s *Server) Dir() string { return s.dir }

// servesPID reports whether the INFO server reply info names process pid.
func servesPID(info string, pid int) bool {
	for line := range strings.Lines(info) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "process_id:"); ok {
			return v == strconv.Itoa(pid)
		}
	}
	return false
}

// Kill stops the server with SIGKILL, as a crash would, and waits for the
// process to end. Killing a stopped server does nothing.
func (s *Server) Kill() {
	s.mu.Lock()
	cmd, exited := s.cmd, s.exited
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Kill()
	<-exited
}

// Close kills the server and removes its directory if NewServer made it.
func (s *Server) Close() {
	s.Kill()
	if s.tempDir {
		os.RemoveAll(s.dir)
	}
}

// Restart starts the server again on the same port, in the same directory
// and with the same arguments (so an append-only file is replayed). The
// server must have been killed first.
func (s *Server) Restart() error {
	var err error
	for range 50 { // the port can stay busy for a moment after a kill
		if err = s.launch(); err == nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("redistest: restart redis-server on port %d: %w", s.port, err)
}

// CLI runs redis-cli against the server with args and returns its output.
func (s *Server) CLI(args ...string) (string, error) {
	return s.cliTimeout(10*time.Second, args...)
}

func (s *Server) cliTimeout(d time.Duration, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	full := append([]string{"-h", "127.0.0.1", "-p", strconv.Itoa(s.port)}, args...)
	out, err := exec.CommandContext(ctx, s.cli, full...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("redis-cli %s: %w: %s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// CommandStats returns the number of calls of each command the server has
// executed since it started or since ResetStats, from INFO commandstats.
// Commands run by Lua scripts are counted too, under their own names.
func (s *Server) CommandStats() (map[string]int64, error) {
	out, err := s.CLI("INFO", "commandstats")
	if err != nil {
		return nil, err
	}
	return ParseCommandStats(out)
}

// ResetStats clears the server's statistics (CONFIG RESETSTAT).
func (s *Server) ResetStats() error {
	_, err := s.CLI("CONFIG", "RESETSTAT")
	return err
}

// ParseCommandStats parses the output of INFO commandstats into calls per
// command name, such as "hgetall" or "client|tracking".
func ParseCommandStats(info string) (map[string]int64, error) {
	stats := make(map[string]int64)
	sc := bufio.NewScanner(strings.NewReader(info))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		name, rest, ok := strings.Cut(line, ":")
		if !ok || !strings.HasPrefix(name, "cmdstat_") {
			continue
		}
		calls, _, _ := strings.Cut(rest, ",")
		v, ok := strings.CutPrefix(calls, "calls=")
		if !ok {
			return nil, fmt.Errorf("redistest: bad commandstats line %q", line)
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("redistest: bad commandstats line %q: %w", line, err)
		}
		stats[strings.TrimPrefix(name, "cmdstat_")] = n
	}
	return stats, sc.Err()
}

// StartSentinel starts a Redis Sentinel that monitors master under the name
// masterName, and waits until it knows the master. It stops when tb ends.
// Clients reach the master through it with rueidis.ClientOption{InitAddress:
// []string{sentinel.Addr()}, Sentinel: rueidis.SentinelOption{MasterSet:
// masterName}}.
func StartSentinel(tb testing.TB, masterName string, master *Server) *Server {
	tb.Helper()
	Require(tb)
	dir := tb.TempDir()
	conf := filepath.Join(dir, "sentinel.conf")
	text := fmt.Sprintf("sentinel monitor %s 127.0.0.1 %d 1\nsentinel down-after-milliseconds %s 1000\n", masterName, master.Port(), masterName)
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		tb.Fatal(err)
	}
	s, err := newProcess(dir, conf, Options{Args: []string{"--sentinel"}})
	if err != nil {
		tb.Fatalf("redistest: sentinel: %v", err)
	}
	tb.Cleanup(s.Kill)
	deadline := time.Now().Add(startTimeout)
	for {
		out, err := s.CLI("SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName)
		if err == nil && strings.Contains(out, strconv.Itoa(master.Port())) {
			return s
		}
		if time.Now().After(deadline) {
			tb.Fatalf("redistest: sentinel does not know master %s: %s %v", masterName, out, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Cluster is a Redis Cluster of masters without replicas.
type Cluster struct {
	Nodes []*Server
}

// StartCluster starts n redis-server processes in cluster mode, joins them
// with redis-cli --cluster create (every master owns a share of the slots, no
// replicas) and waits until every node reports cluster_state:ok. n must be
// at least 3. opts apply to every node. The cluster stops when tb ends.
func StartCluster(tb testing.TB, n int, opts Options) *Cluster {
	tb.Helper()
	Require(tb)
	c, err := NewCluster(n, opts)
	if err != nil {
		tb.Fatalf("redistest: %v", err)
	}
	tb.Cleanup(c.Close)
	return c
}

// NewCluster is StartCluster for callers without a testing.TB, such as
// TestMain. The caller stops the cluster with Close.
func NewCluster(n int, opts Options) (*Cluster, error) {
	if n < 3 {
		return nil, fmt.Errorf("a cluster needs at least 3 masters, got %d", n)
	}
	c := &Cluster{}
	addrs := make([]string, n)
	for i := range n {
		s, err := NewServer(Options{AppendOnly: opts.AppendOnly, Args: append([]string{"--cluster-enabled", "yes",
			"--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000"}, opts.Args...)})
		if err != nil {
			c.Close()
			return nil, err
		}
		c.Nodes = append(c.Nodes, s)
		addrs[i] = s.Addr()
	}
	args := append([]string{"--cluster", "create"}, addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := c.Nodes[0].cliTimeout(2*startTimeout, args...); err != nil {
		c.Close()
		return nil, fmt.Errorf("create cluster: %w\n%s", err, out)
	}
	deadline := time.Now().Add(2 * startTimeout)
	for _, s := range c.Nodes {
		for {
			out, err := s.CLI("CLUSTER", "INFO")
			if err == nil && strings.Contains(out, "cluster_state:ok") && strings.Contains(out, "cluster_known_nodes:"+strconv.Itoa(n)) {
				break
			}
			if time.Now().After(deadline) {
				c.Close()
				return nil, fmt.Errorf("cluster not ok after %v: %s", 2*startTimeout, out)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return c, nil
}

// Close stops every node and removes their directories.
func (c *Cluster) Close() {
	for _, s := range c.Nodes {
		s.Close()
	}
}

// Addrs returns the host:port of every node.
func (c *Cluster) Addrs() []string {
	addrs := make([]string, len(c.Nodes))
	for i, s := range c.Nodes {
		addrs[i] = s.Addr()
	}
	return addrs
}

// CommandStats sums the command statistics of every node.
func (c *Cluster) CommandStats() (map[string]int64, error) {
	sum := make(map[string]int64)
	for _, s := range c.Nodes {
		st, err := s.CommandStats()
		if err != nil {
			return nil, err
		}
		for k, v := range st {
			sum[k] += v
		}
	}
	return sum, nil
}

// Delta returns after minus before for every command whose count changed.
func Delta(before, after map[string]int64) map[string]int64 {
	d := make(map[string]int64)
	for k, v := range after {
		if v != before[k] {
			d[k] = v - before[k]
		}
	}
	return d
}
