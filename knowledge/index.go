package knowledge

import (
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/policybot/policybot/knowledge/vectors"
)

type termID int32

// posting is one passage's (or, in spostings, one sentence's) term
// frequency for a term, and the term's BM25 score there, which is the same
// for every question.
type posting struct {
	doc  int32
	tf   float32
	bm25 float64
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
	// words are the spans of its words as written, without the joined
	// forms of compounds ("zerosum" of "zero-sum"), which overlap their
	// parts: what runs of words (phrases, neighbours) are read from.
	words []span
	// sents are the indexes of the passage's sentences in index.sents.
	sents []int32
	// formula says it is all courtesy ("Thank you."): it holds nothing
	// a question about the content asks for, and weighs as the title.
	formula bool
}

// sentDoc is one sentence of a passage, indexed on its own so that the
// sentence that answers can be found and quoted.
type sentDoc struct {
	doc        int32 // the passage
	start, end int32 // byte range in the passage's text
	length     float32
	heading    bool // only names what follows ("First, the principle of peace.")
	// toks are the sentence's tokens, offsets within it, for the
	// readers of a quoted sentence (holdsFact, copularSentence).
	toks []token
}

// vocabVec is a word of the statements with its vector, for matching a
// question's words by meaning.
type vocabVec struct {
	word string
	term termID
	vec  vectors.Unpacked
}

// wordVec is a word's vector in the table and its rank, if the table has
// the word.
type wordVec struct {
	vec  vectors.Vec
	rank int
	ok   bool
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
	byLen [][]string
	// stemsByLen holds the distinct stems of the words, likewise.
	stemsByLen [][]string
	postings   [][]posting // by term
	idf        []float64   // by term
	maxIDF     float64
	avgdl      float32
	k1, b      float64 // BM25 parameters

	sents     []sentDoc
	spostings [][]posting // by term, over sentences
	savgdl    float32
	// vocab holds the statements' words that the vector table knows, and
	// sigs their signatures, apart for a fast scan; vecs is nil without
	// a table.
	vocab []vocabVec
	sigs  []vectors.Signature
	vecs  *vectors.Table
	// keys are the terms' keys of the statements' words (termKeys).
	keys map[string]string
	// closed holds the closed forms of the compounds the statements
	// write open ("cyberspace" of "cyber space", joinOpen).
	closed map[string]bool
	// vecOf holds lookupVec's answer for every word the statements
	// write: a search of the table misses the processor's caches at most
	// steps.
	vecOf map[string]wordVec
	// dense and sdense hold each passage's and sentence's centroid,
	// Dims floats each (see dense.go).
	dense, sdense       []float32
	hasDense, shasDense []bool
	// common is the direction every sentence centroid shares (unit
	// length), removed from each centroid and the question's.
	common centroid
	// country is the vector of "country", which names a place asked for
	// by "which country" must be near (see couldBePlace).
	country vectors.Vec
	// lowercase holds the words the statements write in lower case at
	// least once: a capitalised one of them is no name ("Internet").
	lowercase map[string]bool
	// forms holds each term's words as written, sorted.
	forms [][]string
	// year is the year the statement was given, 0 when it has no date:
	// what "when will" must look past.
	year int
}

// buildIndex indexes the passages. Item names are indexed with their
// paragraph so that "co-governance" finds the principle even where the
// paragraph's wording differs.
func buildIndex(passages []Paragraph, items func(Paragraph) string, vecs *vectors.Table) *index {
	ix := &index{terms: map[string]termID{}, surface: map[string]termID{}, k1: bm25K1, b: bm25B, vecs: vecs, lowercase: map[string]bool{}}
	var total, stotal float32
	// Each passage is tokenized once, for the terms' keys and the index.
	passageToks := make([][]token, len(passages))
	for d, p := range passages {
		passageToks[d] = tokenize(nil, p.Text)
	}
	if vecs != nil {
		ix.keys = termKeys(passageToks, vecs)
	}
	tfs := map[termID]float32{}
	stfs := map[termID]float32{}
	for d, p := range passages {
		clear(tfs)
		toks := passageToks[d]
		if vecs != nil {
			toks = joinOpen(toks, p.Text, vecs)
			for _, t := range toks {
				if t.joined && strings.IndexByte(p.Text[t.start:t.end], ' ') >= 0 {
					if ix.closed == nil {
						ix.closed = map[string]bool{}
					}
					ix.closed[t.word] = true
				}
			}
		}
		for _, t := range toks {
			if c := p.Text[t.start]; c >= 'a' && c <= 'z' {
				ix.lowercase[t.word] = true
			}
		}
		doc := passageDoc{para: p, spans: make([]span, 0, len(toks)), formula: len(toks) > 0}
		for _, t := range toks {
			doc.formula = doc.formula && (isStop(t.word) || courtesy.has(t.word))
		}
		add := func(t token, highlight bool) termID {
			id := ix.term(t.word)
			tfs[id]++
			doc.length++
			if highlight {
				doc.spans = append(doc.spans, span{int32(t.start), int32(t.end), id})
				if !t.joined {
					doc.words = append(doc.words, span{int32(t.start), int32(t.end), id})
				}
			}
			return id
		}
		sentences := Sentences(p.Text)
		si, sent := 0, sentDoc{doc: int32(d)}
		flush := func() {
			if sent.length > 0 {
				doc.sents = append(doc.sents, int32(len(ix.sents)))
				for id, tf := range stfs {
					for int(id) >= len(ix.spostings) {
						ix.spostings = append(ix.spostings, nil)
					}
					ix.spostings[id] = append(ix.spostings[id], posting{doc: int32(len(ix.sents)), tf: tf})
				}
				stotal += sent.length
				sent.heading = isHeading(p.Text[sent.start:sent.end])
				sent.toks = tokensIn(toks, int(sent.start), int(sent.end))
				ix.sents = append(ix.sents, sent)
			}
			clear(stfs)
			sent = sentDoc{doc: int32(d)}
		}
		for _, t := range toks {
			if isStop(t.word) && !allCaps(p.Text[t.start:t.end]) {
				// "IT" and "US" in capitals are names, as a question
				// reads them, not "it" and "us".
				continue
			}
			for si < len(sentences) && t.start >= sentences[si].End {
				flush()
				si++
			}
			if si < len(sentences) && sent.length == 0 {
				sent.start, sent.end = int32(sentences[si].Start), int32(sentences[si].End)
			}
			id := add(t, true)
			stfs[id]++
			sent.length++
		}
		flush()
		if name := items(p); name != "" {
			for _, t := range tokenize(nil, name) {
				if !isStop(t.word) {
					add(t, false)
				}
			}
		}
		total += doc.length
		ix.docs = append(ix.docs, doc)
		for id, tf := range tfs {
			ix.postings[id] = append(ix.postings[id], posting{doc: int32(d), tf: tf})
		}
	}
	for len(ix.spostings) < len(ix.postings) {
		ix.spostings = append(ix.spostings, nil)
	}
	for id := range ix.postings {
		sort.Slice(ix.postings[id], func(i, j int) bool { return ix.postings[id][i].doc < ix.postings[id][j].doc })
		sort.Slice(ix.spostings[id], func(i, j int) bool { return ix.spostings[id][i].doc < ix.spostings[id][j].doc })
	}
	if len(ix.docs) > 0 {
		ix.avgdl = total / float32(len(ix.docs))
	}
	if len(ix.sents) > 0 {
		ix.savgdl = stotal / float32(len(ix.sents))
	}
	ix.idf = make([]float64, len(ix.postings))
	for id, ps := range ix.postings {
		ix.idf[id] = ix.idfOf(len(ps))
		ix.maxIDF = math.Max(ix.maxIDF, ix.idf[id])
	}
	for id, ps := range ix.postings {
		for i := range ps {
			ps[i].bm25 = ix.bm25(ps[i].tf, ix.docs[ps[i].doc].length, termID(id))
		}
	}
	for id, ps := range ix.spostings {
		for i := range ps {
			ps[i].bm25 = ix.sbm25(ps[i].tf, ix.sents[ps[i].doc].length, termID(id))
		}
	}
	ix.forms = make([][]string, len(ix.postings))
	for w, id := range ix.surface {
		ix.forms[id] = append(ix.forms[id], w)
	}
	for _, f := range ix.forms {
		sort.Strings(f)
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
	ix.stemsByLen = make([][]string, maxTypoWord+3)
	for st := range ix.terms {
		if len(st) < len(ix.stemsByLen) && isASCIILetters(st) {
			ix.stemsByLen[len(st)] = append(ix.stemsByLen[len(st)], st)
		}
	}
	for _, ws := range ix.stemsByLen {
		sort.Strings(ws)
	}
	if vecs != nil {
		words := make([]string, 0, len(ix.surface))
		for w := range ix.surface {
			words = append(words, w)
		}
		sort.Strings(words)
		ix.vecOf = make(map[string]wordVec, len(words))
		for _, w := range words {
			v, rank, ok := lookupVec(vecs, w)
			ix.vecOf[w] = wordVec{v, rank, ok}
			// "IT" is indexed as a name, but its vector is the function
			// word's, near everything: no meaning match leads to it.
			if ok && !isStop(w) {
				ix.vocab = append(ix.vocab, vocabVec{w, ix.surface[w], v.Unpack()})
				ix.sigs = append(ix.sigs, v.Signature())
			}
		}
		ix.buildDense()
	}
	return ix
}

// tokensIn returns copies of the tokens of a passage within its bytes
// [start, end), a sentence's, with offsets into the sentence: what
// tokenizing the sentence alone gives, without tokenizing it again.
func tokensIn(toks []token, start, end int) []token {
	i := 0
	for i < len(toks) && toks[i].start < start {
		i++
	}
	j := i
	for j < len(toks) && toks[j].end <= end {
		j++
	}
	return rebase(slices.Clone(toks[i:j]), start)
}

// lookupVec is lookupVec(ix.vecs, w), answered from the index for a word
// the statements write. The index must have a table.
func (ix *index) lookupVec(w string) (vectors.Vec, int, bool) {
	if wv, ok := ix.vecOf[w]; ok {
		return wv.vec, wv.rank, wv.ok
	}
	return lookupVec(ix.vecs, w)
}

// term returns the term of a word as written, creating it.
func (ix *index) term(word string) termID {
	if id, ok := ix.surface[word]; ok {
		return id
	}
	st, ok := ix.keys[word]
	if !ok {
		st = stem(word)
	}
	id, ok := ix.terms[st]
	if !ok {
		id = termID(len(ix.postings))
		ix.terms[st] = id
		ix.postings = append(ix.postings, nil)
	}
	ix.surface[word] = id
	return id
}

// derived finds a statement word that is another derivation of w: it
// begins with w's stem st, of five or more letters, and is at most three
// letters longer ("behav" → "behavior"), or failing that begins with w
// itself, as long a stretch further ("imbalance" → "imbalanced"). Only
// for words the statement does not have otherwise.
func (ix *index) derived(w, st string) (termID, string, bool) {
	if len(st) < 5 || !isASCIILetters(w) {
		return 0, "", false
	}
	best, bestWord, found := termID(0), "", false
	// The stemmer cuts "imbalance" to "imbal", five letters short of
	// "imbalanced", so the word itself is the second head.
	for _, head := range [2]string{st, w} {
		for l := len(head) + 1; l <= len(head)+3 && l < len(ix.byLen); l++ {
			// The words of a length that begin with head are the
			// sorted list's stretch from the first word not below
			// head: its first is the least.
			ws := ix.byLen[l]
			if i := sort.SearchStrings(ws, head); i < len(ws) && strings.HasPrefix(ws[i], head) && (!found || ws[i] < bestWord) {
				best, bestWord, found = ix.surface[ws[i]], ws[i], true
			}
		}
		if found || st == w {
			break
		}
	}
	return best, bestWord, found
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

// sbm25 is BM25 over sentences, with the statement's idf.
func (ix *index) sbm25(tf, sl float32, id termID) float64 {
	norm := float64(tf) + ix.k1*(1-ix.b+ix.b*float64(sl/ix.savgdl))
	return ix.idf[id] * float64(tf) * (ix.k1 + 1) / norm
}

// stemWeight is how much a match by stem counts: fully when the question's
// word and one of the statement's words for the term differ only by an
// inflection ("countries", "country"; "developing", "developed"), as
// another derivation when they differ by a derivational suffix
// ("acceptable", "accepted"; "nations", "national"), which the stemmer
// conflates though the words say different things.
func (ix *index) stemWeight(w string, id termID) float64 {
	for _, f := range ix.forms[id] {
		if inflections(w, f) {
			return 1
		}
	}
	return weightStemDerived
}

// inflectional endings, as left after the longest common prefix of two
// forms of a word.
var inflectional = wordSet(`s es ed d ing e y ies ied ying er ers`)

// inflections reports whether a and b differ only by inflectional endings.
func inflections(a, b string) bool {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	ta, tb := a[n:], b[n:]
	// A doubled final consonant: "stopped", "stop".
	if n > 0 && len(ta) > 1 && ta[0] == a[n-1] {
		ta = ta[1:]
	}
	if n > 0 && len(tb) > 1 && tb[0] == b[n-1] {
		tb = tb[1:]
	}
	return (ta == "" || inflectional.has(ta)) && (tb == "" || inflectional.has(tb))
}

// termKeys maps each word the statements write (passageToks, each
// passage's tokens) to its term's key: its
// stem, unless it shares the stem with words of another meaning. The
// stemmer cuts "internal" and "international" both to "intern",
// "respective" and "respect" to "respect", "accordance" and "accord" to
// "accord". Within a stem's forms, two whose vectors are at least apartCos
// alike are linked, the linked forms make one group ("governance",
// "governing", "governed" and "governments" are one through their links),
// and each group but the most frequent gets a term of its own, keyed by
// its word after a byte no stem has.
func termKeys(passageToks [][]token, vecs *vectors.Table) map[string]string {
	counts := map[string]int{}
	for _, toks := range passageToks {
		for _, t := range toks {
			if !isStop(t.word) {
				counts[t.word]++
			}
		}
	}
	keys := make(map[string]string, len(counts))
	byStem := map[string][]string{}
	for w := range counts {
		st := stem(w)
		keys[w] = st
		byStem[st] = append(byStem[st], w)
	}
	for _, forms := range byStem {
		if len(forms) < 2 {
			continue
		}
		sort.Strings(forms)
		vs := make([]vectors.Vec, len(forms))
		for i, f := range forms {
			v, _, ok := lookupVec(vecs, f)
			if !ok {
				vs = nil
				break
			}
			vs[i] = v
		}
		if vs == nil {
			continue
		}
		// Single-link groups, by union of linked pairs.
		group := make([]int, len(forms))
		for i := range group {
			group[i] = i
		}
		find := func(i int) int {
			for group[i] != i {
				i = group[i]
			}
			return i
		}
		for i := range forms {
			for j := i + 1; j < len(forms); j++ {
				if vectors.Cosine(vs[i], vs[j]) >= apartCos {
					group[find(j)] = find(i)
				}
			}
		}
		total := map[int]int{}
		for i, f := range forms {
			total[find(i)] += counts[f]
		}
		top, best := -1, -1
		for g, n := range total {
			if n > best || n == best && g < top {
				top, best = g, n
			}
		}
		for i, f := range forms {
			if find(i) != top {
				keys[f] = "\x00" + f
			}
		}
	}
	return keys
}

// apartCos: see termKeys. The forms of one word are mostly 0.5 to 0.9
// alike in the table ("governance" and "governments" 0.53, "country" and
// "countries" 0.74), the stemmer's false friends 0.2 to 0.46; a few true
// relatives fall below too ("openness" and "open", 0.19) and are parted
// with them.
const apartCos = 0.5

// idfOf is BM25's idf of a term in df passages, floored so that a word in
// every paragraph still counts a little.
func (ix *index) idfOf(df int) float64 {
	n, d := float64(len(ix.docs)), float64(df)
	return math.Max(0.05, math.Log(1+(n-d+0.5)/(d+0.5)))
}

// joinOpen adds to a text's tokens the closed form of each compound it
// writes open: two topic words side by side, apart by one space, whose
// run-together form the vector table knows as a word ("cyber space",
// "cyberspace"). The statement then has the word the thesaurus and the
// vectors relate to others ("cyberspace" is a synonym of "internet"), as
// a hyphenated compound has its joined form, which follows its parts.
func joinOpen(toks []token, text string, vecs *vectors.Table) []token {
	var out []token // nil until a compound is found
	copied := 0     // toks[:copied] are in out
	for i := 1; i < len(toks); i++ {
		a, b := toks[i-1], toks[i]
		if a.joined || b.joined || a.possessive || isStop(a.word) || isStop(b.word) || text[a.end:b.start] != " " {
			continue
		}
		w := a.word + b.word
		if _, _, ok := vecs.Lookup(w); !ok {
			continue
		}
		if out == nil {
			out = make([]token, 0, len(toks)+8)
		}
		// After its second part, as a hyphenated compound's.
		out = append(out, toks[copied:i+1]...)
		copied = i + 1
		out = append(out, token{start: a.start, end: b.end, word: w, joined: true})
	}
	if out == nil {
		return toks
	}
	return append(out, toks[copied:]...)
}
