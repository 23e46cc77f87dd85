package knowledge

import (
	"unicode/utf8"

	"github.com/sahilm/fuzzy"

	"github.com/policybot/policybot/knowledge/editdist"
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
func (ix *index) typos(word string) []typoMatch { return ix.typosOf(word, "") }

// typosOf is typos for a word whose stem st is known, or "" if it is not.
func (ix *index) typosOf(word, st string) []typoMatch {
	if out := typosIn(word, ix.byLen); len(out) > 0 {
		return out
	}
	// A misspelt inflection of a statement word ("teritory" for
	// "territories", "efort" for "efforts") is within the bound of its
	// stem, not of the word as written.
	if !isASCIILetters(word) {
		return nil
	}
	if st == "" {
		st = stem(word)
	}
	out := typosIn(st, ix.stemsByLen)
	for i := range out {
		out[i].word = ix.forms[ix.terms[out[i].word]][0]
	}
	return out
}

// typosIn finds the words of byLen (words by byte length) within the
// typo bound of word.
func typosIn(word string, byLen [][]string) []typoMatch {
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
		d := editdist.Within(word, w, bound)
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
	// A word holding the query word as a subsequence is at least as long,
	// and at most bound letters longer to be within the bound. Only the
	// words that can match go to fuzzy.Find, which keeps their order
	// among equal scores.
	var subs []string
	for l := n; l <= n+bound; l++ {
		subs = subs[:0]
		for _, w := range byLen[l] {
			if mayHold(w, word) {
				subs = append(subs, w)
			}
		}
		if len(subs) == 0 {
			continue
		}
		for _, m := range fuzzy.Find(word, subs) {
			consider(m.Str)
		}
	}
	if n < 6 {
		return out // dropped letters only
	}
	bag := bagOf(word)
	for l := n - bound; l <= n+bound; l++ {
		for _, w := range byLen[l] {
			// A typo rarely hits both of the first two letters.
			if w[0] != word[0] && (len(w) < 2 || w[1] != word[1]) {
				continue
			}
			// An edit changes at most two bytes of the word's bag of
			// bytes, so a word whose bag differs by more is too far,
			// as the costlier distance would find.
			limit := bound
			if best >= 0 {
				limit = best
			}
			if bag.apart(w) > 2*limit {
				continue
			}
			consider(w)
		}
	}
	return out
}

// byteBag counts a word's bytes.
type byteBag struct {
	n     int
	count [256]uint8
}

func bagOf(w string) byteBag {
	b := byteBag{n: len(w)}
	for i := 0; i < len(w); i++ {
		b.count[w[i]]++
	}
	return b
}

// apart is the size of the difference of b's and w's bags of bytes, for
// w of at most 64 bytes: the bytes in one and not the other, counting
// repeats. It leaves b as it was.
func (b *byteBag) apart(w string) int {
	shared := 0
	var took uint64
	for i := 0; i < len(w); i++ {
		if c := w[i]; b.count[c] > 0 {
			b.count[c]--
			shared++
			took |= 1 << i
		}
	}
	for i := 0; i < len(w); i++ {
		if took&(1<<i) != 0 {
			b.count[w[i]]++
		}
	}
	return b.n + len(w) - 2*shared
}

// mayHold reports whether s may hold sub as a subsequence the way
// fuzzy.Find matches: its letters in order, ASCII letters in either case.
// Text other than ASCII, which fuzzy.Find compares by Unicode case
// folding, may always.
func mayHold(s, sub string) bool {
	j := 0
	for i := 0; i < len(s) && j < len(sub); i++ {
		a, b := s[i], sub[j]
		if a >= utf8.RuneSelf || b >= utf8.RuneSelf {
			return true
		}
		if a == b || a|0x20 == b|0x20 && 'a' <= a|0x20 && a|0x20 <= 'z' {
			j++
		}
	}
	if j == len(sub) {
		return true
	}
	for ; j < len(sub); j++ {
		if sub[j] >= utf8.RuneSelf {
			return true
		}
	}
	return false
}
