package knowledge

import (
	"math"
	"sort"

	"github.com/policybot/policybot/knowledge/vectors"
)

// A dense signal beside the word matches: each passage and sentence, and
// the question, as the weighted mean of its words' vectors. It sees that
// "Does he argue a country can't be secure unless others are secure too?"
// is about the same thing as "seek our own security through common
// security", though few of its words match one for one.

// centroid accumulates weighted word vectors.
type centroid []float32

func (c centroid) add(v vectors.Vec, w float64) {
	v.AddTo(c, float32(w))
}

// normalize scales c to unit length and reports whether it has any
// direction at all.
func (c centroid) normalize() bool {
	var n float64
	for _, x := range c {
		n += float64(x) * float64(x)
	}
	if n == 0 {
		return false
	}
	inv := float32(1 / math.Sqrt(n))
	for i := range c {
		c[i] *= inv
	}
	return true
}

func dot(a, b []float32) float64 {
	var s float32
	for i := range a {
		s += a[i] * b[i]
	}
	return float64(s)
}

// wordWeight is how much a word counts in a centroid: rare words carry a
// text's topic, frequent ones blur it.
func wordWeight(rank int) float64 {
	return specificity(rank, true, false, true, 0)
}

// buildDense computes the centroids of every passage and sentence.
func (ix *index) buildDense() {
	if ix.vecs == nil {
		return
	}
	dims := ix.vecs.Dims()
	ix.dense = make([]float32, len(ix.docs)*dims)
	ix.sdense = make([]float32, len(ix.sents)*dims)
	ix.hasDense = make([]bool, len(ix.docs))
	ix.shasDense = make([]bool, len(ix.sents))
	var toks []token
	for d, doc := range ix.docs {
		c := centroid(ix.dense[d*dims : (d+1)*dims])
		toks = tokenize(toks[:0], doc.para.Text)
		si := 0
		for _, t := range toks {
			if t.joined || isStop(t.word) {
				continue
			}
			v, rank, ok := lookupVec(ix.vecs, t.word)
			if !ok {
				continue
			}
			w := wordWeight(rank)
			c.add(v, w)
			for si < len(doc.sents) && int32(t.start) >= ix.sents[doc.sents[si]].end {
				si++
			}
			if si < len(doc.sents) {
				s := doc.sents[si]
				centroid(ix.sdense[int(s)*dims:int(s+1)*dims]).add(v, w)
			}
		}
		ix.hasDense[d] = c.normalize()
		for _, s := range doc.sents {
			ix.shasDense[s] = centroid(ix.sdense[int(s)*dims : int(s+1)*dims]).normalize()
		}
	}
	ix.removeCommon()
	ix.country, _, _ = ix.vecs.Lookup("country")
}

// removeCommon takes the direction all of the statements' sentences share
// out of every centroid. Mean word vectors of any English text point much
// the same way, so without this every passage is about 0.8 similar to
// every question and the differences that matter are small; with it the
// similarity measures what a text is about beyond being English prose
// (the "common component removal" of Arora et al., 2017, with the mean as
// the component).
func (ix *index) removeCommon() {
	dims := ix.vecs.Dims()
	common := make(centroid, dims)
	for s := range ix.sents {
		if ix.shasDense[s] {
			for i, x := range ix.sdense[s*dims : (s+1)*dims] {
				common[i] += x
			}
		}
	}
	if !common.normalize() {
		return
	}
	ix.common = common
	for d := range ix.docs {
		if ix.hasDense[d] {
			c := centroid(ix.dense[d*dims : (d+1)*dims])
			c.remove(common)
			ix.hasDense[d] = c.normalize()
		}
	}
	for s := range ix.sents {
		if ix.shasDense[s] {
			c := centroid(ix.sdense[s*dims : (s+1)*dims])
			c.remove(common)
			ix.shasDense[s] = c.normalize()
		}
	}
}

// remove takes away c's component along the unit vector u.
func (c centroid) remove(u centroid) {
	p := float32(dot(c, u))
	for i := range c {
		c[i] -= p * u[i]
	}
}

// denseTop bounds the passages given a dense score: the best by the word
// matches, so that a large corpus costs no more than a small one.
const denseTop = 48

// denseScores is the similarity to the question's centroid of the
// passages with a word-match score (the denseTop best of them): the mean
// of the passage's own and its best sentence's.
func (r *Retriever) denseScores(words []queryWord, scores []float64) []float64 {
	ix := r.ix
	if ix.vecs == nil {
		return nil
	}
	dims := ix.vecs.Dims()
	q := make(centroid, dims)
	for _, qw := range words {
		if v, rank, ok := lookupVec(ix.vecs, qw.text); ok {
			q.add(v, qw.weight*wordWeight(rank))
			continue
		}
		// A typo or a word the table lacks means what the statement
		// word it matches directly means ("soverignty").
		for _, a := range qw.alts {
			if a.kind == MatchSynonym || a.kind == MatchMeaning || a.kind == MatchExact {
				continue
			}
			if v, rank, ok := lookupVec(ix.vecs, a.word); ok {
				q.add(v, qw.weight*a.weight*wordWeight(rank))
			}
		}
	}
	if !q.normalize() {
		return nil
	}
	if ix.common != nil {
		q.remove(ix.common)
		if !q.normalize() {
			return nil
		}
	}
	out := make([]float64, len(ix.docs))
	floor := 0.0
	if len(scores) > denseTop {
		top := make([]float64, 0, len(scores))
		for _, s := range scores {
			if s > 0 {
				top = append(top, s)
			}
		}
		if len(top) > denseTop {
			sort.Float64s(top)
			floor = top[len(top)-denseTop]
		}
	}
	for d, doc := range ix.docs {
		if !ix.hasDense[d] || scores[d] <= 0 || scores[d] < floor {
			continue
		}
		p := dot(q, ix.dense[d*dims:(d+1)*dims])
		best := p
		for _, s := range doc.sents {
			if ix.shasDense[s] {
				best = max(best, dot(q, ix.sdense[int(s)*dims:int(s+1)*dims]))
			}
		}
		out[d] = (p + best) / 2
	}
	return out
}
