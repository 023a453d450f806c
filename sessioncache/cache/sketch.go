package cache

import "math/bits"

// sketch is a count-min sketch of 4-bit counters estimating how often keys
// were seen recently, after Caffeine's FrequencySketch: each key maps to one
// 64-byte block (so a lookup touches one cache line) and to four counters of
// that block. When the number of increments reaches sampleSize, every
// counter is halved, so old popularity fades (aging).
type sketch struct {
	table      []uint64
	blockMask  uint64
	sampleSize uint64
	size       uint64
}

const (
	sketchOneMask   = 0x1111111111111111
	sketchResetMask = 0x7777777777777777
	sketchMaxCap    = 1 << 26
)

// ensureCapacity sizes the sketch for about n distinct keys. Growing it
// forgets what it counted.
func (s *sketch) ensureCapacity(n uint64) {
	n = max(n, 1)
	n = min(n, sketchMaxCap)
	want := max(uint64(1)<<bits.Len64(n-1), 8) // words
	if uint64(len(s.table)) >= want {
		return
	}
	s.table = make([]uint64, want)
	s.blockMask = want>>3 - 1
	s.sampleSize = 10 * n
	s.size = 0
}

// capacity reports the number of keys the sketch is sized for.
func (s *sketch) capacity() uint64 { return s.sampleSize / 10 }

func (s *sketch) frequency(h uint32) uint8 {
	if s.table == nil {
		return 0
	}
	hh := spread(uint64(h))
	block := (hh & s.blockMask) << 3
	ch := rehash(hh)
	freq := uint8(15)
	for i := range 4 {
		x := ch >> (i << 3)
		idx := (x >> 1) & 15
		w := s.table[block+(x&1)+uint64(i<<1)]
		freq = min(freq, uint8(w>>(idx<<2))&15)
	}
	return freq
}

func (s *sketch) increment(h uint32) {
	if s.table == nil {
		return
	}
	hh := spread(uint64(h))
	block := (hh & s.blockMask) << 3
	ch := rehash(hh)
	added := false
	for i := range 4 {
		x := ch >> (i << 3)
		shift := ((x >> 1) & 15) << 2
		slot := block + (x & 1) + uint64(i<<1)
		if (s.table[slot]>>shift)&15 != 15 {
			s.table[slot] += 1 << shift
			added = true
		}
	}
	if added {
		s.size++
		if s.size >= s.sampleSize {
			s.reset()
		}
	}
}

func (s *sketch) reset() {
	var odd uint64
	for i, w := range s.table {
		odd += uint64(bits.OnesCount64(w & sketchOneMask))
		s.table[i] = (w >> 1) & sketchResetMask
	}
	s.size = (s.size - odd>>2) >> 1
}

// spread mixes the 32-bit node hash over 64 bits (Caffeine's and otter's
// spread), so that block and counter selection are independent.
func spread(h uint64) uint64 {
	h ^= h >> 17
	h *= 0xed5ad4bb
	h ^= h >> 11
	h *= 0xac4c1b51
	h ^= h >> 15
	return h
}

// rehash derives the counter-selection bits from the spread hash.
func rehash(h uint64) uint64 {
	h *= 0x31848bab
	h ^= h >> 14
	return h
}
