package knowledge

import (
	"slices"
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

// rankIn scores every passage: BM25 where each question word counts once
// per passage through its best match, plus its best sentence's score, and
// the share of the question's weight that the passage matches (its
// coverage), overall and by direct matches only.
// Its storage is in sc: the ranking is valid until sc is used again.
func (r *Retriever) rankIn(sc *scratch, words []queryWord, phrases []phrase) ranking {
	ix := r.ix
	n, ns := len(ix.docs), len(ix.sents)
	// The ranking's slices and rank's own are cut from one cleared
	// block: nine by passage and two by sentence.
	f := grow(sc.rank, 9*n+2*ns)
	sc.rank = f
	clear(f)
	take := func(k int) []float64 {
		x := f[:k:k]
		f = f[k:]
		return x
	}
	ints := grow(sc.ints, 2*n)
	sc.ints = ints
	rk := ranking{
		scores: take(n), cover: take(n), direct: take(n),
		bestSent: ints[:n:n], sentScore: take(n),
		order: ints[n : n : 2*n],
	}
	sscores := take(ns)
	best, bestW, bestD := take(n), take(n), take(n)
	sbest, seen := take(ns), take(n)
	var total float64
	for _, qw := range words {
		wq := qw.weight * qw.spec
		total += wq
		clear(best)
		clear(bestW)
		clear(bestD)
		clear(sbest)
		spread := ix.spread(qw, seen)
		for _, a := range qw.alts {
			rw := a.weight * spread
			if a.kind == MatchMeaning {
				rw = min(1, a.weight+meaningRankBonus) * spread
			}
			for _, p := range ix.postings[a.term] {
				s := rw * p.bm25
				best[p.doc] = max(best[p.doc], s)
				bestW[p.doc] = max(bestW[p.doc], a.weight)
				if a.kind.direct() {
					bestD[p.doc] = max(bestD[p.doc], a.weight)
				}
			}
			for _, p := range ix.spostings[a.term] {
				s := rw * p.bm25
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
		bs, ss := -1, 0.0
		for _, s := range doc.sents {
			if bs < 0 || sscores[s] > ss {
				bs, ss = int(s), sscores[s]
			}
		}
		rk.bestSent[d], rk.sentScore[d] = bs, ss
		if rk.scores[d] > 0 {
			rk.scores[d] += sentenceWeight * rk.sentScore[d]
		}
	}
	r.fuseDense(words, &rk, sc, take(n))
	for _, ph := range phrases {
		found := false
		want := phraseAlts(ph, words)
		for d := range ix.docs {
			if r.hasPhrase(d, want) {
				rk.scores[d] *= phraseBoost
				found = true
			}
		}
		switch {
		case found:
		case ph.name:
			rk.phraseMissing = append(rk.phraseMissing, ph.text)
		default:
			rk.phraseMissing = append(rk.phraseMissing, "“"+ph.text+"”")
		}
	}
	// The title and date lines are the source for questions about the
	// statement itself; for any other question they are a weak match
	// ("minister" is in the title, but the body says what he said).
	// The passages are sorted with their scores beside them, which the
	// sort of a large statement would otherwise fetch from all over.
	byScore := sc.byScore[:0]
	for d, doc := range ix.docs {
		if doc.para.Number == 0 || doc.formula {
			rk.scores[d] *= titleWeight
		}
		if rk.scores[d] > 0 {
			byScore = append(byScore, scored{rk.scores[d], d})
		}
	}
	slices.SortFunc(byScore, func(a, b scored) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return a.doc - b.doc
	})
	for _, p := range byScore {
		rk.order = append(rk.order, p.doc)
	}
	sc.byScore = byScore
	return rk
}

// scored is a passage with its score.
type scored struct {
	score float64
	doc   int
}

// denseWeight is the dense signal's share of a passage's score, after both
// signals are scaled to the best passage's.
const denseWeight = 0.35

// fuseDense mixes the dense similarity into the scores: each signal is
// divided by its best value over the passages, and the result is scaled
// back to BM25's range so that score ratios keep their meaning. The
// similarities are kept in dense, zeroed, one for each passage.
func (r *Retriever) fuseDense(words []queryWord, rk *ranking, sc *scratch, dense []float64) {
	dense = r.denseScores(words, rk.scores, sc, dense)
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
// with nothing but stop words between them. want is phraseAlts of the
// phrase.
func (r *Retriever) hasPhrase(d int, want [][]alt) bool {
	if len(want) < 2 {
		return false
	}
	// A phrase runs over a compound's parts, not its joined form.
	spans := r.ix.docs[d].words
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

// phraseAlts are the direct matches of each of a quoted phrase's topic
// words, in order.
func phraseAlts(ph phrase, words []queryWord) [][]alt {
	var want [][]alt
	for _, t := range ph.toks {
		if t.joined || isStop(t.word) {
			continue
		}
		for _, qw := range words {
			if qw.text == t.word {
				var direct []alt
				for _, a := range qw.alts {
					if a.kind.direct() {
						direct = append(direct, a)
					}
				}
				want = append(want, direct)
			}
		}
	}
	return want
}

// meaningRankBonus is added to a match by meaning when passages are
// ranked, not when coverage is judged: a word the vector table puts near
// a statement word is good evidence of which passage is meant ("poorer" →
// "developing", "eavesdropping" → "surveillance"), but weaker evidence
// that the statement answers at all, so its coverage weight stays low and
// the decision to answer or decline is unchanged.
const meaningRankBonus = 0.25

// spread is how much less a question word tells passages apart than its
// strongest match's idf says, when its strong matches (conceptMin or
// more) are spread over more passages than any one of them: 1, or the
// idf of the passages any of them is in over the largest idf of one. The
// statement writes "Internet" in some passages and "cyber space" in
// others; "online", which matches both, is in nearly all of them and
// picks none out. seen is cleared storage, one per passage.
func (ix *index) spread(qw queryWord, seen []float64) float64 {
	df, top := 0, 0.0
	for _, a := range qw.alts {
		if a.weight < conceptMin {
			continue
		}
		top = max(top, ix.idf[a.term])
		for _, p := range ix.postings[a.term] {
			if seen[p.doc] == 0 {
				seen[p.doc] = 1
				df++
			}
		}
	}
	if df == 0 {
		return 1
	}
	clear(seen)
	return min(1, ix.idfOf(df)/top)
}

// conceptMin: see spread.
const conceptMin = 0.8
