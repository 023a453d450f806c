package cache

import (
	"hash/maphash"
	"math/bits"
	"math/rand/v2"
	"reflect"
	"unsafe"
)

// hasher hashes keys with a seed chosen per cache, so an attacker cannot
// precompute colliding keys (HashDoS). Integer keys take a cheaper path of
// two seeded multiply-xorshift rounds; every other key goes through
// maphash.Comparable.
type hasher[K comparable] struct {
	seed    maphash.Seed
	intSeed uint64
	isInt   bool
}

func newHasher[K comparable]() hasher[K] {
	var isInt bool
	switch reflect.TypeFor[K]().Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		isInt = true
	}
	return hasher[K]{seed: maphash.MakeSeed(), intSeed: rand.Uint64(), isInt: isInt}
}

func (h *hasher[K]) hash(k K) uint64 {
	if h.isInt {
		var v uint64
		switch unsafe.Sizeof(k) {
		case 8:
			v = *(*uint64)(unsafe.Pointer(&k))
		case 4:
			v = uint64(*(*uint32)(unsafe.Pointer(&k)))
		case 2:
			v = uint64(*(*uint16)(unsafe.Pointer(&k)))
		default:
			v = uint64(*(*uint8)(unsafe.Pointer(&k)))
		}
		hi, lo := bits.Mul64(v^h.intSeed, 0x2d358dccaa6c78a5)
		hi, lo = bits.Mul64(hi^lo, 0x8bb84b93962eacc9)
		return hi ^ lo
	}
	return maphash.Comparable(h.seed, k)
}
