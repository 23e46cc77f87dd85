package knowledge

import (
	"math"

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
	b = b[:len(a)]
	var s float32
	for i, x := range a {
		s += x * b[i]
	}
	return float64(s)
}

// dots appends the dot products of q with each row to dst. Four rows at a
// time share a loop: each sum still adds its products in order, as dot
// does, but the four are independent, so they proceed side by side
// instead of each waiting on the one addition before.
func dots(dst []float64, q []float32, rows [][]float32) []float64 {
	for ; len(rows) >= 4; rows = rows[4:] {
		a, b, c, d := rows[0][:len(q)], rows[1][:len(q)], rows[2][:len(q)], rows[3][:len(q)]
		var sa, sb, sc, sd float32
		for i, x := range q {
			sa += x * a[i]
			sb += x * b[i]
			sc += x * c[i]
			sd += x * d[i]
		}
		dst = append(dst, float64(sa), float64(sb), float64(sc), float64(sd))
	}
	for _, r := range rows {
		dst = append(dst, dot(q, r))
	}
	return dst
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
			v, rank, ok := ix.lookupVec(t.word)
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

// expansionWeight is how much a statement word that a question word
// matches strongly (missingReach or more) but not directly counts in the
// question's centroid, against the question word's own vector. Swept
// over all the question sets (1,091 answerable): a tenth gains 2 right
// first passages, a fifth 3 and 1 more in the first three, a third or a
// half 4, but chat.jsonl's recall@3 falls from 0.97 to 0.96.
const expansionWeight = 0.2

// denseTop bounds the passages given a dense score: the best by the word
// matches, so that a large corpus costs no more than a small one.
const denseTop = 48

// denseScores is the similarity to the question's centroid of the
// passages with a word-match score (the denseTop best of them): the mean
// of the passage's own and its best sentence's.
func (r *Retriever) denseScores(words []queryWord, scores []float64, sc *scratch, out []float64) []float64 {
	ix := r.ix
	if ix.vecs == nil {
		return nil
	}
	dims := ix.vecs.Dims()
	q := centroid(grow(sc.centroid, dims))
	sc.centroid = q
	clear(q)
	for _, qw := range words {
		if qw.inTable {
			q.add(qw.vec, qw.weight*wordWeight(qw.rank))
			if !hasDirect(qw) {
				// A word the statement does not write means there what
				// its strong matches mean: "talks" the statement's
				// "dialogue", "Global" … "South" nothing. Their vectors
				// pull the question towards the statement's own words
				// for it, which its own vector, among everything else
				// it means in English, does only in part.
				for _, a := range qw.alts {
					if a.weight < missingReach {
						continue
					}
					if v, rank, ok := ix.lookupVec(a.word); ok {
						q.add(v, expansionWeight*qw.weight*a.weight*wordWeight(rank))
					}
				}
			}
			continue
		}
		// A typo or a word the table lacks means what the statement
		// word it matches directly means ("soverignty").
		for _, a := range qw.alts {
			if !a.kind.direct() || a.kind == MatchExact {
				continue
			}
			if v, rank, ok := ix.lookupVec(a.word); ok {
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
	floor := 0.0
	if len(scores) > denseTop {
		floor = kthLargest(scores, denseTop)
	}
	// Every passage's centroid and its sentences' go to one call of
	// dots, which computes them four at a time; ends marks where each
	// passage's rows end.
	rows, ends := sc.rows[:0], sc.ends[:0]
	for d, doc := range ix.docs {
		if !ix.hasDense[d] || scores[d] <= 0 || scores[d] < floor {
			continue
		}
		rows = append(rows, ix.dense[d*dims:(d+1)*dims])
		for _, s := range doc.sents {
			if ix.shasDense[s] {
				rows = append(rows, ix.sdense[int(s)*dims:int(s+1)*dims])
			}
		}
		ends = append(ends, rowEnd{d, len(rows)})
	}
	sims := dots(sc.sims[:0], q, rows)
	sc.rows, sc.ends, sc.sims = rows, ends, sims
	start := 0
	for _, e := range ends {
		p, best := sims[start], sims[start]
		for _, x := range sims[start+1 : e.end] {
			best = max(best, x)
		}
		out[e.doc] = (p + best) / 2
		start = e.end
	}
	return out
}

// rowEnd is where a passage's rows end in denseScores.
type rowEnd struct{ doc, end int }

// kthLargest is the kth largest of the positive xs, counting repeats, or
// 0 when there are no more than k of them.
func kthLargest(xs []float64, k int) float64 {
	// A min-heap of the k largest so far.
	var heap [denseTop]float64
	h := heap[:0]
	if k > len(heap) {
		h = make([]float64, 0, k)
	}
	n := 0
	for _, x := range xs {
		if x <= 0 {
			continue
		}
		n++
		if len(h) < k {
			h = append(h, x)
			for i := len(h) - 1; i > 0 && h[(i-1)/2] > h[i]; i = (i - 1) / 2 {
				h[i], h[(i-1)/2] = h[(i-1)/2], h[i]
			}
			continue
		}
		if x <= h[0] {
			continue
		}
		h[0] = x
		for i := 0; ; {
			m := i
			if l := 2*i + 1; l < len(h) && h[l] < h[m] {
				m = l
			}
			if r := 2*i + 2; r < len(h) && h[r] < h[m] {
				m = r
			}
			if m == i {
				break
			}
			h[i], h[m] = h[m], h[i]
			i = m
		}
	}
	if n <= k {
		return 0
	}
	return h[0]
}
