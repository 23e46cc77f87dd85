package vectors

import (
	"math/rand/v2"
	"testing"
)

// The packed forms must give exactly what the plain ones do: the
// retriever's answers depend on every bit.

func TestLookupMatchesBinarySearch(t *testing.T) {
	tab := Embedded()
	search := func(word string) (int, bool) {
		lo, hi := 0, tab.n
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			if tab.word(m) < word {
				lo = m + 1
			} else {
				hi = m
			}
		}
		if lo == tab.n || tab.word(lo) != word {
			return 0, false
		}
		return int(u32(tab.data, tab.index+8*lo+4)), true
	}
	check := func(w string) {
		_, rank, ok := tab.Lookup(w)
		if wantRank, wantOK := search(w); rank != wantRank || ok != wantOK {
			t.Fatalf("Lookup(%q) = %d, %v; want %d, %v", w, rank, ok, wantRank, wantOK)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < tab.n; i++ {
		w := tab.word(i)
		check(w)
		check(w + "a")
		check(w[:len(w)-1])
		b := []byte(w)
		b[rng.IntN(len(b))] = "az-0\x00\xff"[rng.IntN(6)]
		check(string(b))
	}
	check("")
	check("\xff\xff\xff\xff\xff\xff\xff\xff\xff")
}

func TestPackedCosineExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, nb := range []int{1, 2, 3, 50, 51, 128} {
		for it := 0; it < 2000; it++ {
			vec := func() Vec {
				b := make([]byte, nb)
				for i := range b {
					b[i] = byte(rng.IntN(256))
					if it%4 == 0 {
						b[i] = 0x88 // the extremes: every component -8
					}
				}
				return Vec{comps: string(b), inv: rng.Float32()}
			}
			x, y := vec(), vec()
			want := Cosine(x, y)
			var p Probe
			p.Set(x)
			if got := p.Cosine(y.Unpack()); got != want {
				t.Fatalf("%d bytes: probe cosine %v, want %v", nb, got, want)
			}
			if got := CosineUnpacked(x.Unpack(), y.Unpack()); got != want {
				t.Fatalf("%d bytes: unpacked cosine %v, want %v", nb, got, want)
			}
		}
	}
}

func TestSignatureAndAddTo(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, nb := range []int{1, 2, 50, 64, 65} {
		for it := 0; it < 1000; it++ {
			b := make([]byte, nb)
			for i := range b {
				b[i] = byte(rng.IntN(256))
			}
			v := Vec{comps: string(b), inv: rng.Float32()}
			var w [2]uint64
			for i := 0; i < 2*nb && i < 128; i++ {
				if v.comp(i) > 0 {
					w[i/64] |= 1 << (i % 64)
				}
			}
			if got, sig := v.Signature(), (Signature{w[0], w[1]}); got != sig {
				t.Fatalf("%d bytes: signature %x, want %x", nb, got, sig)
			}
			for _, n := range []int{0, 1, 2*nb - 1, 2 * nb, 2*nb + 1} {
				got, want := make([]float32, n), make([]float32, n)
				for i := range got {
					got[i] = rng.Float32()
					want[i] = got[i]
				}
				w := rng.Float32()
				s := w * v.inv
				for i := 0; i < 2*nb && i < n; i++ {
					want[i] += s * float32(v.comp(i))
				}
				v.AddTo(got, w)
				for i := range got {
					if got[i] != want[i] {
						t.Fatalf("%d bytes into %d: AddTo differs at %d", nb, n, i)
					}
				}
			}
		}
	}
}
