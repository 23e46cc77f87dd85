package knowledge

import (
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
func (ix *index) typos(word string) []typoMatch {
	if out := typosIn(word, ix.byLen); len(out) > 0 {
		return out
	}
	// A misspelt inflection of a statement word ("teritory" for
	// "territories", "efort" for "efforts") is within the bound of its
	// stem, not of the word as written.
	if !isASCIILetters(word) {
		return nil
	}
	out := typosIn(stem(word), ix.stemsByLen)
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
	// and at most bound letters longer to be within the bound.
	for l := n; l <= n+bound; l++ {
		for _, m := range fuzzy.Find(word, byLen[l]) {
			consider(m.Str)
		}
	}
	if n < 6 {
		return out // dropped letters only
	}
	for l := n - bound; l <= n+bound; l++ {
		for _, w := range byLen[l] {
			// A typo rarely hits both of the first two letters.
			if w[0] == word[0] || len(w) > 1 && w[1] == word[1] {
				consider(w)
			}
		}
	}
	return out
}
