package knowledge

import (
	"slices"

	"github.com/policybot/policybot/knowledge/editdist"
)

// Slips in the words that frame a question ("who gave the speach", "how
// does the statment end") matter more than slips in its topic: the
// statement does not use these words, so typo matching would take
// "speach" for the statement's "peace", and the question would lose the
// word that says it is about the speech. Such a slip is read as the word
// meant before anything else reads the question.

// cueList holds the framing words of five letters or more, sorted, that
// a slip may stand for.
var cueList = func() []string {
	seen := map[string]bool{}
	for _, set := range []map[string]bool{shapeRefs, aboutRefs, speechNouns, documentWords, openCues, endCues, overviewCues, lengthWords, paragraphWords} {
		for w := range set {
			seen[w] = true
		}
	}
	for w := range aboutAsks {
		seen[w] = true
	}
	var out []string
	for w := range seen {
		if len(w) >= 5 {
			out = append(out, w)
		}
	}
	slices.Sort(out)
	return out
}()

// cueSlip returns the framing word w is one slip from (a letter added,
// dropped or changed, or two swapped), or "" when w is a word of its own:
// a framing word, one the statement uses, or an English word the vector
// table knows well.
func (r *Retriever) cueSlip(w string) string {
	if len(w) < 5 || len(w) > maxTypoWord || !isASCIILetters(w) || isStop(w) {
		return ""
	}
	if _, ok := r.ix.surface[w]; ok {
		return ""
	}
	if r.ix.vecs != nil {
		if _, rank, ok := r.ix.lookupVec(w); ok && rank < misspeltStopRank {
			return ""
		}
	}
	for _, c := range cueList {
		if c == w {
			return ""
		}
	}
	for _, c := range cueList {
		switch d := len(c) - len(w); {
		case d >= -1 && d <= 1 && editdist.Within(w, c, 1) == 1:
			return c
		case d == 0 && swapped(w, c):
			return c
		}
	}
	return ""
}

// fixSlips replaces the slips for framing words in a reading by the words
// meant.
func (r *Retriever) fixSlips(rd *reading) {
	fix := func(toks []weightedToken) {
		for i := range toks {
			if t := &toks[i]; !t.joined {
				if c := r.cueSlip(t.word); c != "" {
					t.word, t.stop = c, isStop(c)
				}
			}
		}
	}
	fix(rd.all)
	for _, p := range rd.parts {
		fix(p.toks)
	}
}
