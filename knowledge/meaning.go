package knowledge

import (
	"math"

	"github.com/policybot/policybot/knowledge/vectors"
)

// meaningAlts adds the statement words that stand out as near in
// meaning.
func (r *Retriever) meaningAlts(qw *queryWord, vec vectors.Vec, sc *scratch) {
	type near struct {
		v   *vocabVec
		cos float64
	}
	// The meaningHub nearest, best first, by insertion, among the
	// meaningCandidates nearest by sign bits.
	var best [meaningHub]near
	n := 0
	q := &sc.probe
	q.Set(vec)
	cands := r.candidates(vec, sc)
	// The cosines first, in a loop of their own, which keeps its few
	// variables in registers.
	cos := grow(sc.cos, len(cands))
	sc.cos = cos
	for k, i := range cands {
		cos[k] = q.Cosine(r.ix.vocab[i].vec)
	}
	for k, i := range cands {
		v, c := &r.ix.vocab[i], cos[k]
		if n == meaningHub && c <= best[n-1].cos {
			continue
		}
		j := min(n, meaningHub-1)
		for j > 0 && best[j-1].cos < c {
			best[j] = best[j-1]
			j--
		}
		best[j] = near{v, c}
		n = min(n+1, meaningHub)
	}
	if n < meaningHub {
		return // too small a statement to tell a neighbour from the crowd
	}
	var hub float64
	for _, b := range best {
		hub += b.cos / meaningHub
	}
	floor := meaningFloor
	if qw.name {
		floor = nameMeaningMin
	}
	for _, b := range best[:meaningTop] {
		margin := b.cos - hub
		if b.cos < floor || margin < rankMargin || rivals(qw.text, b.v.word) {
			continue
		}
		wt := math.Min(meaningHigh, meaningLow+meaningGain*(margin-meaningMargin))
		if margin < meaningMargin {
			wt = rankOnlyWeight
		}
		if k := altOf(qw.alts, b.v.term); k >= 0 {
			// A weaker thesaurus relation to the same word gives way.
			if qw.alts[k].weight < wt {
				qw.alts[k] = alt{b.v.term, wt, MatchMeaning, b.v.word}
			}
			continue
		}
		qw.alts = append(qw.alts, alt{b.v.term, wt, MatchMeaning, b.v.word})
	}
}

// rivals reports two words of one closed set whose members exclude each
// other: June is no February, however near their vectors (0.95), and
// three is not four.
func rivals(a, b string) bool {
	ca := closedSets[a]
	return ca != 0 && a != b && ca&closedSets[b] != 0
}

// closedSets marks the words of the closed sets whose members exclude
// each other, a bit for each set.
var closedSets = func() map[string]uint8 {
	m := map[string]uint8{}
	for w := range timeWords.m {
		m[w] |= 1
	}
	for w := range numberWords.m {
		m[w] |= 2
	}
	for w := range ordinalWords {
		m[w] |= 4
	}
	return m
}()

// acronymSpec is the least specificity of a word written in capitals.
const acronymSpec = 0.6

// rareWordLength: a word this long that the vector table lacks is a rare
// word, not shorthand.
const rareWordLength = 8

// meaningCandidates is how many statement words, nearest by sign bits,
// get an exact cosine: enough to hold the true nearest meaningHub almost
// always.
const meaningCandidates = 48

// candidates returns the indexes of the vocabulary words nearest to vec by
// Hamming distance of sign bits, at least meaningCandidates of them when
// the vocabulary has that many, in sc.cands.
func (r *Retriever) candidates(vec vectors.Vec, sc *scratch) []int {
	sigs := r.ix.sigs
	if len(sigs) <= meaningCandidates {
		out := sc.cands[:0]
		for i := range sigs {
			out = append(out, i)
		}
		sc.cands = out
		return out
	}
	sig := vec.Signature()
	var hist [129]int32
	out, dist := grow(sc.cands, len(sigs)), grow(sc.dist, len(sigs))
	sc.cands, sc.dist = out, dist
	for i := range sigs {
		h := vectors.Hamming(sig, sigs[i])
		dist[i] = uint8(h)
		hist[h]++
	}
	limit, n := 0, int32(0)
	for n+hist[limit] < meaningCandidates {
		n += hist[limit]
		limit++
	}
	// Every index is written and the count advanced only for a
	// candidate: whether a word is one is as good as random.
	k := 0
	for i, d := range dist {
		out[k] = i
		if int(d) <= limit {
			k++
		}
	}
	return out[:k]
}

// specificity is how much leaving a word unmatched counts against an
// answer, from its frequency rank in English: "say" little, "Tallinn" a
// lot. Without a vector table every word counts the same.
//
// A name counts like any word of its frequency: "South" in "Global South"
// is a common word, "Snowden" a rare one.
func specificity(rank int, inTable, name, haveTable bool, length int) float64 {
	if !haveTable {
		return 1
	}
	if !inTable {
		if name || length >= rareWordLength {
			// A name, or a long word rarer than the table's words
			// ("evidentiary").
			return 1
		}
		// Short and not an English word: a typo or chat shorthand
		// ("abt", "evry").
		return 0.3
	}
	x := math.Log(float64(rank)+2) / logMaxWords
	return math.Min(1, x*x)
}

var logMaxWords = math.Log(float64(vectors.MaxWords))

func hasTerm(alts []alt, id termID) bool { return altOf(alts, id) >= 0 }

func altOf(alts []alt, id termID) int {
	for i, a := range alts {
		if a.term == id {
			return i
		}
	}
	return -1
}

// A statement word that stands out a little less than meaningMargin, by
// at least rankMargin, is kept as a weak match: it weighs rankOnlyWeight,
// too little to count as the word being found (missingReach) or to move
// the decision to answer, but with meaningRankBonus it ranks passages
// ("mass" → "massive-scale").
const (
	rankMargin     = 0.07
	rankOnlyWeight = 0.1
)
