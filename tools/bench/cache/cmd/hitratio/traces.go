package main

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/serverdev/stdweb/tools/bench/cache/internal/ycsb"
)

// workload is a named access sequence with the capacities to simulate.
type workload struct {
	name       string
	capacities []int
	load       func(dir string) ([]uint64, error)
}

var workloads = []workload{
	{"oltp", []int{250, 500, 750, 1000, 1250, 1500, 1750, 2000}, arcTrace("oltp.gz")},
	{"p3", []int{25_000, 50_000, 100_000, 200_000, 300_000, 400_000, 500_000, 600_000}, arcTrace("p3.gz")},
	{"gli", []int{250, 500, 750, 1000, 1250, 1500, 1750, 2000}, lirsTrace("gli.gz")},
	{"loop", []int{250, 500, 750, 1000, 1250, 1500, 1750, 2000}, lirsTrace("loop.gz")},
	{"zipf", []int{500, 1000, 2000, 5000, 10_000, 20_000, 40_000, 80_000}, func(string) ([]uint64, error) { return zipfTrace(), nil }},
	{"scrambled", []int{500, 1000, 2000, 5000, 10_000, 20_000, 40_000, 80_000}, func(string) ([]uint64, error) { return scrambledZipfTrace(1<<20, 0.99, 1_000_000, 1), nil }},
}

// readLines calls f for each line of a gzip-compressed text file.
func readLines(path string, f func(line string) error) error {
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	zr, err := gzip.NewReader(file)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	sc := bufio.NewScanner(zr)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		if err := f(line); err != nil {
			return fmt.Errorf("%s:%d: %w", path, n, err)
		}
	}
	return sc.Err()
}

// arcTrace reads the ARC format: "start count ..." stands for count
// accesses to start, start+1, ..., start+count-1.
func arcTrace(name string) func(dir string) ([]uint64, error) {
	return func(dir string) ([]uint64, error) {
		var keys []uint64
		err := readLines(filepath.Join(dir, name), func(line string) error {
			f := strings.Fields(line)
			if len(f) < 2 {
				return fmt.Errorf("want \"start count ...\", got %q", line)
			}
			start, err := strconv.ParseUint(f[0], 10, 64)
			if err != nil {
				return err
			}
			count, err := strconv.ParseUint(f[1], 10, 64)
			if err != nil {
				return err
			}
			for i := range count {
				keys = append(keys, start+i)
			}
			return nil
		})
		return keys, err
	}
}

// lirsTrace reads the LIRS format: one integer key per line.
func lirsTrace(name string) func(dir string) ([]uint64, error) {
	return func(dir string) ([]uint64, error) {
		var keys []uint64
		err := readLines(filepath.Join(dir, name), func(line string) error {
			k, err := strconv.ParseInt(strings.Fields(line)[0], 10, 64)
			if err != nil {
				return err
			}
			keys = append(keys, uint64(k))
			return nil
		})
		return keys, err
	}
}

// zipfTrace is the generated Zipf workload: s=1.0001, v=10, imax=5e7,
// 1,000,000 requests, fixed seed.
func zipfTrace() []uint64 {
	z := rand.NewZipf(rand.New(rand.NewSource(1)), 1.0001, 10, 50_000_000)
	keys := make([]uint64, 1_000_000)
	for i := range keys {
		keys[i] = z.Uint64()
	}
	return keys
}

// scrambledZipfTrace is YCSB's scrambled Zipfian: Zipfian ranks over
// items with the given theta, each rank hashed so that popular keys are
// spread over the key space.
func scrambledZipfTrace(items int, theta float64, n int, seed int64) []uint64 {
	g := ycsb.NewZipfian(items, theta, seed)
	keys := make([]uint64, n)
	for i := range keys {
		keys[i] = ycsb.Scramble(g.Next())
	}
	return keys
}
