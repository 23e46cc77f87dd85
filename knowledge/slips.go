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

// slipList holds the words a slip may stand for, by length: one slip
// changes a word's length by one at most, so a word is compared with
// three of its lists only.
type slipList [][]string

func newSlipList(words []string) slipList {
	var l slipList
	for _, w := range words {
		for len(l) <= len(w) {
			l = append(l, nil)
		}
		l[len(w)] = append(l[len(w)], w)
	}
	return l
}

// ofLen is the list's words of n bytes.
func (l slipList) ofLen(n int) []string {
	if n < 0 || n >= len(l) {
		return nil
	}
	return l[n]
}

// cueList holds the framing words of five letters or more that a slip may
// stand for.
var cueList = func() slipList {
	seen := map[string]bool{}
	for _, set := range []*lexicon{shapeRefs, aboutRefs, speechNouns, documentWords, openCues, endCues, overviewCues, lengthWords, paragraphWords} {
		for w := range set.m {
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
	return newSlipList(out)
}()

// cueSlip returns the framing word w is one slip from, or "".
func (r *Retriever) cueSlip(w string) string { return r.slipFor(w, cueList, 5, maxTypoWord) }

// howWords follow "how" in a question about an amount, a count or a
// length; after "how" a short slip for one ("how meny") is read as it.
var howWords = newSlipList([]string{"many", "much", "long", "often"})

// howSlip returns the word of howWords that w, just after "how", is one
// slip from, or "".
func (r *Retriever) howSlip(w string) string { return r.slipFor(w, howWords, 3, 6) }

// slipFor returns the word of list that w is one slip from (a letter
// added, dropped or changed, or two swapped), or "" when w is a word of
// its own: one of list, a word the statement uses, or an English word the
// vector table knows well. Only words of minLen to maxLen bytes are read.
func (r *Retriever) slipFor(w string, list slipList, minLen, maxLen int) string {
	if len(w) < minLen || len(w) > maxLen || !isASCIILetters(w) || isStop(w) {
		return ""
	}
	// The candidates first: few words are one slip from any of the
	// list, and the table lookup below is the dearest step.
	slip := ""
	for n := len(w) - 1; n <= len(w)+1 && slip == ""; n++ {
		for _, c := range list.ofLen(n) {
			// One edit leaves the first letter, or moves the second
			// to the first place or back: a test of two bytes that
			// rules out most of the list before the edit distance.
			if w[0] != c[0] && w[1] != c[1] && w[0] != c[1] && w[1] != c[0] {
				continue
			}
			if editdist.One(w, c) {
				slip = c
				break
			}
		}
	}
	if slip == "" || slices.Contains(list.ofLen(len(w)), w) {
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
	return slip
}

// fixSlips replaces the slips for framing words in a reading by the words
// meant. The message's tokens are read once; its parts hold copies of
// them, which take the same replacements.
func (r *Retriever) fixSlips(rd *reading) {
	var fixed map[string]string
	for i, t := range rd.all {
		if t.joined {
			continue
		}
		c := r.cueSlip(t.word)
		if c == "" && i > 0 && rd.all[i-1].word == "how" {
			c = r.howSlip(t.word)
		}
		if c != "" {
			if fixed == nil {
				fixed = map[string]string{}
			}
			fixed[t.word] = c
		}
	}
	if fixed == nil {
		return
	}
	fix := func(toks []weightedToken) {
		for i := range toks {
			if c, ok := fixed[toks[i].word]; ok && !toks[i].joined {
				toks[i].word, toks[i].stop = c, isStop(c)
			}
		}
	}
	fix(rd.all)
	for _, p := range rd.parts {
		fix(p.toks)
	}
}
