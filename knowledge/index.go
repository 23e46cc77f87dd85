package knowledge

import (
	"math"
	"sort"
)

type termID int32

// posting is one passage's term frequency for a term.
type posting struct {
	doc int32
	tf  float32
}

// span is a token of a passage's text tagged with its term, for
// highlighting.
type span struct {
	start, end int32
	term       termID
}

// passageDoc is one indexed passage: a body paragraph or the title and
// date lines (Number 0).
type passageDoc struct {
	para   Paragraph
	length float32
	spans  []span
}

// index is an inverted index over a statement's passages with BM25
// statistics. It is immutable after build.
type index struct {
	docs    []passageDoc
	terms   map[string]termID // stem → term
	surface map[string]termID // lower-case word as written → term
	// byLen holds the distinct words as written, sorted, by byte length
	// up to maxTypoWord+2: a typo's candidates are within two letters of
	// its length, so typo matching scans only a few of these.
	byLen    [][]string
	postings [][]posting // by term
	idf      []float64   // by term
	maxIDF   float64
	avgdl    float32
	k1, b    float64 // BM25 parameters
}

// buildIndex indexes the passages. Item names are indexed with their
// paragraph so that "co-governance" finds the principle even where the
// paragraph's wording differs.
func buildIndex(passages []Paragraph, items func(Paragraph) string) *index {
	ix := &index{terms: map[string]termID{}, surface: map[string]termID{}, k1: bm25K1, b: bm25B}
	var toks []token
	var total float32
	tfs := map[termID]float32{}
	for d, p := range passages {
		clear(tfs)
		toks = tokenize(toks[:0], p.Text)
		doc := passageDoc{para: p, spans: make([]span, 0, len(toks))}
		add := func(t token, highlight bool) {
			if isStop(t.word) {
				return
			}
			id := ix.term(t.word)
			tfs[id]++
			doc.length++
			if highlight {
				doc.spans = append(doc.spans, span{int32(t.start), int32(t.end), id})
			}
		}
		for _, t := range toks {
			add(t, true)
		}
		if name := items(p); name != "" {
			for _, t := range tokenize(nil, name) {
				add(t, false)
			}
		}
		total += doc.length
		ix.docs = append(ix.docs, doc)
		for id, tf := range tfs {
			ix.postings[id] = append(ix.postings[id], posting{int32(d), tf})
		}
	}
	for id := range ix.postings {
		sort.Slice(ix.postings[id], func(i, j int) bool { return ix.postings[id][i].doc < ix.postings[id][j].doc })
	}
	if len(ix.docs) > 0 {
		ix.avgdl = total / float32(len(ix.docs))
	}
	n := float64(len(ix.docs))
	ix.idf = make([]float64, len(ix.postings))
	for id, ps := range ix.postings {
		df := float64(len(ps))
		// BM25's idf, floored so that a word in every paragraph still
		// counts a little.
		ix.idf[id] = math.Max(0.05, math.Log(1+(n-df+0.5)/(df+0.5)))
		ix.maxIDF = math.Max(ix.maxIDF, ix.idf[id])
	}
	ix.byLen = make([][]string, maxTypoWord+3)
	for w := range ix.surface {
		if len(w) < len(ix.byLen) {
			ix.byLen[len(w)] = append(ix.byLen[len(w)], w)
		}
	}
	for _, ws := range ix.byLen {
		sort.Strings(ws)
	}
	return ix
}

// term returns the term of a word as written, creating it.
func (ix *index) term(word string) termID {
	if id, ok := ix.surface[word]; ok {
		return id
	}
	st := stem(word)
	id, ok := ix.terms[st]
	if !ok {
		id = termID(len(ix.postings))
		ix.terms[st] = id
		ix.postings = append(ix.postings, nil)
	}
	ix.surface[word] = id
	return id
}

// lookup finds the term of a query word: as written, then by stem.
func (ix *index) lookup(word string) (termID, MatchKind, bool) {
	if id, ok := ix.surface[word]; ok {
		return id, MatchExact, true
	}
	if id, ok := ix.terms[stem(word)]; ok {
		return id, MatchStem, true
	}
	return 0, "", false
}

// BM25 parameters: the usual defaults; paragraphs vary in length by a
// factor of ten, so length normalisation matters.
const (
	bm25K1 = 0.9
	bm25B  = 0.75
)

func (ix *index) bm25(tf, dl float32, id termID) float64 {
	norm := float64(tf) + ix.k1*(1-ix.b+ix.b*float64(dl/ix.avgdl))
	return ix.idf[id] * float64(tf) * (ix.k1 + 1) / norm
}
