// Package ycsb generates YCSB's Zipfian and scrambled Zipfian key
// distributions for the cache benchmarks and the hit-ratio simulator.
package ycsb

import (
	"hash/fnv"
	"math"
	"math/rand"
)

// Zipfian is YCSB's ZipfianGenerator (Gray et al., "Quickly generating
// billion-record synthetic databases"): ranks 0..items-1, rank 0 the most
// popular, with skew theta.
type Zipfian struct {
	items, theta, alpha, eta, zetan float64
	r                               *rand.Rand
}

// NewZipfian returns a generator seeded with seed.
func NewZipfian(items int, theta float64, seed int64) *Zipfian {
	var zetan float64
	for i := 1; i <= items; i++ {
		zetan += 1 / math.Pow(float64(i), theta)
	}
	zeta2 := 1 + 1/math.Pow(2, theta)
	return &Zipfian{
		items: float64(items), theta: theta, alpha: 1 / (1 - theta), zetan: zetan,
		eta: (1 - math.Pow(2/float64(items), 1-theta)) / (1 - zeta2/zetan),
		r:   rand.New(rand.NewSource(seed)),
	}
}

// Next returns the next rank.
func (z *Zipfian) Next() uint64 {
	u := z.r.Float64()
	uz := u * z.zetan
	if uz < 1 {
		return 0
	}
	if uz < 1+math.Pow(0.5, z.theta) {
		return 1
	}
	return uint64(z.items * math.Pow(z.eta*u-z.eta+1, z.alpha))
}

// Scramble spreads a rank over the 64-bit key space with FNV-1a, as YCSB's
// ScrambledZipfianGenerator does, so popular keys are not neighbours.
func Scramble(rank uint64) uint64 {
	h := fnv.New64a()
	var b [8]byte
	for i := range b {
		b[i] = byte(rank >> (8 * i))
	}
	h.Write(b[:])
	return h.Sum64()
}
