// Package sortkey packs a string's first bytes into an integer that orders
// as the strings do, so that the tables read in place (the word vectors,
// the related words) can binary-search packed integers instead of their
// text.
package sortkey

// Prefix8 is the first eight bytes of s as a big-endian number, zero
// padded: for strings without zero bytes, Prefix8(a) < Prefix8(b) implies
// a < b, and a < b implies Prefix8(a) <= Prefix8(b).
func Prefix8(s string) uint64 {
	var p uint64
	for i := 0; i < 8; i++ {
		p <<= 8
		if i < len(s) {
			p |= uint64(s[i])
		}
	}
	return p
}
