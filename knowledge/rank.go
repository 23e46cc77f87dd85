package knowledge

import (
	"sort"
)

// ranking is the passages' scores for one question.
type ranking struct {
	scores, cover, direct []float64
	// bestSent is each passage's best sentence (an index into ix.sents)
	// and sentScore that sentence's score.
	bestSent      []int
	sentScore     []float64
	sent          []float64 // every sentence's score
	order         []int     // passages with a score, best first
	phraseMissing []string
}

// rank scores every passage: BM25 where each question word counts once
// per passage through its best match, plus its best sentence's score, and
// the share of the question's weight that the passage matches (its
// coverage), overall and by direct matches only.
func (r *Retriever) rank(words []queryWord, phrases []phrase) ranking {
	ix := r.ix
	n, ns := len(ix.docs), len(ix.sents)
	rk := ranking{
		scores: make([]float64, n), cover: make([]float64, n), direct: make([]float64, n),
		bestSent: make([]int, n), sentScore: make([]float64, n),
	}
	sscores := make([]float64, ns)
	best := make([]float64, n)
	bestW := make([]float64, n)
	bestD := make([]float64, n)
	sbest := make([]float64, ns)
	var total float64
	for _, qw := range words {
		wq := qw.weight * qw.spec
		total += wq
		clear(best)
		clear(bestW)
		clear(bestD)
		clear(sbest)
		for _, a := range qw.alts {
			rw := a.weight
			if a.kind == MatchMeaning {
				rw = min(1, rw+meaningRankBonus)
			}
			for _, p := range ix.postings[a.term] {
				s := rw * ix.bm25(p.tf, ix.docs[p.doc].length, a.term)
				best[p.doc] = max(best[p.doc], s)
				bestW[p.doc] = max(bestW[p.doc], a.weight)
				if a.kind != MatchSynonym && a.kind != MatchMeaning {
					bestD[p.doc] = max(bestD[p.doc], a.weight)
				}
			}
			for _, p := range ix.spostings[a.term] {
				s := rw * ix.sbm25(p.tf, ix.sents[p.doc].length, a.term)
				sbest[p.doc] = max(sbest[p.doc], s)
			}
		}
		qs := qw.weight * (specMix + (1-specMix)*qw.spec)
		for d := range best {
			rk.scores[d] += qs * best[d]
			rk.cover[d] += bestW[d] * wq
			rk.direct[d] += bestD[d] * wq
		}
		for s := range sbest {
			sscores[s] += qs * sbest[s]
		}
	}
	if total > 0 {
		for d := range rk.cover {
			rk.cover[d] /= total
			rk.direct[d] /= total
		}
	}
	rk.sent = sscores
	for d, doc := range ix.docs {
		rk.bestSent[d] = -1
		for _, s := range doc.sents {
			if rk.bestSent[d] < 0 || sscores[s] > rk.sentScore[d] {
				rk.bestSent[d], rk.sentScore[d] = int(s), sscores[s]
			}
		}
		if rk.scores[d] > 0 {
			rk.scores[d] += sentenceWeight * rk.sentScore[d]
		}
	}
	r.fuseDense(words, &rk)
	for _, ph := range phrases {
		found := false
		for d := range ix.docs {
			if r.hasPhrase(d, ph, words) {
				rk.scores[d] *= phraseBoost
				found = true
			}
		}
		if !found {
			rk.phraseMissing = append(rk.phraseMissing, "“"+ph.text+"”")
		}
	}
	// The title and date lines are the source for questions about the
	// statement itself; for any other question they are a weak match
	// ("minister" is in the title, but the body says what he said).
	for d, doc := range ix.docs {
		if doc.para.Number == 0 {
			rk.scores[d] *= titleWeight
		}
		if rk.scores[d] > 0 {
			rk.order = append(rk.order, d)
		}
	}
	sort.Slice(rk.order, func(i, j int) bool {
		a, b := rk.order[i], rk.order[j]
		if rk.scores[a] != rk.scores[b] {
			return rk.scores[a] > rk.scores[b]
		}
		return a < b
	})
	return rk
}

// denseWeight is the dense signal's share of a passage's score, after both
// signals are scaled to the best passage's.
const denseWeight = 0.35

// fuseDense mixes the dense similarity into the scores: each signal is
// divided by its best value over the passages, and the result is scaled
// back to BM25's range so that score ratios keep their meaning.
func (r *Retriever) fuseDense(words []queryWord, rk *ranking) {
	dense := r.denseScores(words, rk.scores)
	if dense == nil {
		return
	}
	var top, dtop float64
	for d := range rk.scores {
		top = max(top, rk.scores[d])
		dtop = max(dtop, dense[d])
	}
	if top <= 0 || dtop <= 0 {
		return
	}
	for d := range rk.scores {
		if rk.scores[d] <= 0 {
			continue
		}
		// After common-component removal a cosine below zero says the
		// passage is about something else, as zero does; it is no
		// evidence against it, which would let the dense signal alone
		// sink a passage that matches the question word for word.
		rk.scores[d] = top * ((1-denseWeight)*rk.scores[d]/top + denseWeight*max(0, dense[d])/dtop)
	}
}

// hasPhrase reports whether passage d holds a quoted phrase: its topic
// words in order, each matched directly (exactly, by stem or as a typo),
// with nothing but stop words between them.
func (r *Retriever) hasPhrase(d int, ph phrase, words []queryWord) bool {
	var want [][]alt
	for _, t := range ph.toks {
		if t.joined || isStop(t.word) {
			continue
		}
		for _, qw := range words {
			if qw.text == t.word {
				var direct []alt
				for _, a := range qw.alts {
					if a.kind != MatchSynonym && a.kind != MatchMeaning {
						direct = append(direct, a)
					}
				}
				want = append(want, direct)
			}
		}
	}
	if len(want) < 2 {
		return false
	}
	spans := r.ix.docs[d].spans
	for i := 0; i+len(want) <= len(spans); i++ {
		ok := true
		for k, alts := range want {
			if !hasTerm(alts, spans[i+k].term) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// meaningRankBonus is added to a match by meaning when passages are
// ranked, not when coverage is judged: a word the vector table puts near
// a statement word is good evidence of which passage is meant ("poorer" →
// "developing", "eavesdropping" → "surveillance"), but weaker evidence
// that the statement answers at all, so its coverage weight stays low and
// the decision to answer or decline is unchanged.
const meaningRankBonus = 0.25
