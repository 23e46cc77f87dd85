package knowledge

import (
	"github.com/sahilm/fuzzy"
)

// maxTypoWord bounds the words considered for typo matching: longer
// "words" are noise, and sahilm/fuzzy's score overflows on long runs.
const maxTypoWord = 24

// typoBound is how many edits a word of n bytes may have and still be
// taken for a typo: none below four letters, where almost every edit makes
// another real word.
func typoBound(n int) int {
	switch {
	case n < 4:
		return 0
	case n < 6:
		return 1
	default:
		return 2
	}
}

// typoMatch is a vocabulary word within the edit bound of a query word.
type typoMatch struct {
	word string
	dist int
}

// typos finds vocabulary words a misspelt query word may stand for.
//
// sahilm/fuzzy finds the vocabulary words that contain the query word as a
// subsequence: the typist dropped letters ("goverance"). It cannot see
// swapped or substituted letters ("soveriegnty", "benifit"), so words of
// similar length are also compared by optimal string alignment distance.
// Every candidate must be within typoBound edits; short words accept only
// dropped letters, since a substitution in a four-letter word usually makes
// another word ("rice", "rise").
func (ix *index) typos(word string) []typoMatch {
	n := len(word)
	bound := typoBound(n)
	if bound == 0 || n > maxTypoWord {
		return nil
	}
	best := -1
	var out []typoMatch
	consider := func(w string) {
		if w == word {
			return
		}
		d := osaDistance(word, w, bound)
		if d > bound || (best >= 0 && d > best) {
			return
		}
		if d < best || best < 0 {
			best, out = d, out[:0]
		}
		for _, m := range out {
			if m.word == w {
				return
			}
		}
		out = append(out, typoMatch{w, d})
	}
	for _, m := range fuzzy.Find(word, ix.vocab) {
		consider(m.Str)
	}
	if n < 6 {
		return out // dropped letters only
	}
	for _, w := range ix.vocab {
		// A typo rarely hits both of the first two letters.
		if abs(len(w)-n) <= bound && (w[0] == word[0] || len(w) > 1 && w[1] == word[1]) {
			consider(w)
		}
	}
	return out
}

func isSubsequence(short, long string) bool {
	i := 0
	for j := 0; j < len(long) && i < len(short); j++ {
		if long[j] == short[i] {
			i++
		}
	}
	return i == len(short)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// osaDistance is the optimal string alignment distance (Levenshtein plus
// adjacent transpositions) between a and b, or bound+1 as soon as it is
// known to exceed bound. Bytes are compared: the vocabulary is ASCII in
// practice and a non-ASCII typo simply costs more.
func osaDistance(a, b string, bound int) int {
	if abs(len(a)-len(b)) > bound {
		return bound + 1
	}
	var buf [3][maxTypoWord + 3]int
	if len(b) > maxTypoWord+1 {
		return bound + 1
	}
	prev2, prev, cur := buf[0][:len(b)+1], buf[1][:len(b)+1], buf[2][:len(b)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > bound {
			return bound + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
