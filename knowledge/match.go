package knowledge

import (
	"math"
	"sort"
	"strings"
	"unicode"

	"github.com/policybot/policybot/knowledge/thesaurus"
	"github.com/policybot/policybot/knowledge/vectors"
)

// Match weights: how much a non-exact match counts against an exact one.
// Typos and paraphrases are less certain, so they rank below exact words
// and count for less when deciding whether to answer.
const (
	weightCompound = 0.9
	weightTypo     = 0.8
	// weightDerived: another derivation of the same base ("behave",
	// "behaviors"), which the stemmer keeps apart.
	weightDerived = 0.8
	// A word the statement uses exactly is expanded to related words only
	// faintly: the user's own word is the better evidence.
	weightRelatedOfKnown = 0.25
	// titleWeight scales the title and date lines' score for questions
	// about the content.
	titleWeight = 0.5
	// phraseBoost multiplies the score of a passage that holds a quoted
	// phrase of the question.
	phraseBoost = 2.0
)

// Meaning matches, by cosine similarity of word vectors. GloVe space has
// hubs: frequent words sit close to many others ("room" is 0.6 from
// "building", "place" and "everyone"), so raw similarity says little. A
// statement word matches a question word when it stands out from the
// question word's neighbourhood in the statement: its similarity is at
// least meaningMargin above the mean similarity of the question word's
// meaningHub nearest statement words (a local scaling in the manner of
// CSLS), and at least meaningFloor overall. The match weighs from
// meaningLow at the margin up to meaningHigh. A name, acronym or number is
// a different thing from its neighbours ("ICANN" is not "Internet"), so it
// also needs nameMeaningMin.
const (
	meaningHub     = 10
	meaningFloor   = 0.45
	meaningLow     = 0.5
	meaningHigh    = 0.95
	meaningGain    = 2.0 // weight per unit of margin above meaningMargin
	nameMeaningMin = 0.72
	meaningTop     = 4 // statement words kept per question word
	// MissingReach: a word whose best match anywhere is weaker is missing.
	missingReach = 0.5
)

// Weights of the score, chosen by a sweep over the development, chat and
// project question sets together (the figures barely move within ±50%).
const (
	// specMix: a question word's score is scaled by specMix plus the
	// rest times its specificity in English, so that "respecting" counts
	// for more than "international" though the statement uses both.
	specMix = 0.5
	// meaningMargin: see the meaning constants above.
	meaningMargin = 0.1
	// sentenceWeight is how much a passage's best sentence adds to its
	// score: words that meet in one sentence answer better than words
	// spread over a paragraph.
	sentenceWeight = 0.6
	// weightRelated: a thesaurus match counts this times the relation's
	// own weight.
	weightRelated = 0.6
)

// alt is one way a question word matches the statement.
type alt struct {
	term   termID
	weight float64
	kind   MatchKind
	word   string // the statement's word
}

// queryWord is one topical word of the question with its matches.
type queryWord struct {
	text    string // lower case
	display string // as typed
	alts    []alt
	idf     float64 // how much the word weighs in the question's score
	weight  float64 // how much the reading gives it: 1 in a question, less in context
	spec    float64 // how specific the word is in English, 0 to 1
	name    bool    // a name, acronym or number
	reach   float64 // its strongest match anywhere in the statement
	pos     int     // its token's index in the question part
}

// analyse resolves each topical word of a question to its matches. The
// resolutions of a message's words are kept in seen, when it is not nil,
// so that context shared by several questions is resolved once.
func (r *Retriever) analyse(toks []weightedToken, seen ...map[string]queryWord) []queryWord {
	var cache map[string]queryWord
	if len(seen) > 0 {
		cache = seen[0]
	}
	var words []queryWord
	at := map[string]int{}
	plain := make([]token, len(toks))
	for i, t := range toks {
		plain[i] = t.token
	}
	acronyms := r.initials(toks)
	for i := 0; i < len(toks) && len(words) < maxQueryWords; i++ {
		t := toks[i]
		if t.joined || t.stop || r.speaker[t.word] {
			// The speaker's name in a question about the content is
			// attribution ("according to Li"), not a topic.
			continue
		}
		if a, ok := acronyms[i]; ok {
			// "United Nations" for the statement's "UN": the run's first
			// word matches the acronym, the rest add nothing more.
			if a.term < 0 {
				continue
			}
			if _, dup := at[a.word]; dup {
				continue
			}
			at[a.word] = len(words)
			words = append(words, queryWord{text: a.word, display: t.display, weight: t.weight, name: true, spec: r.specOf(a.word), idf: r.ix.idf[a.term], reach: 1, pos: i,
				alts: []alt{{a.term, 1, MatchCompound, a.word}}})
			continue
		}
		if j, ok := at[t.word]; ok {
			words[j].weight = max(words[j].weight, t.weight)
			continue
		}
		at[t.word] = len(words)
		qw, ok := cache[t.word]
		if ok && qw.name == t.name {
			qw.display, qw.weight, qw.pos = t.display, t.weight, i
		} else {
			qw = queryWord{text: t.word, display: t.display, weight: t.weight, name: t.name, pos: i}
			r.resolve(&qw, plain, i)
			if cache != nil {
				cache[t.word] = qw
			}
		}
		words = append(words, qw)
	}
	// A question with little topic of its own ("When was it set up?")
	// leans on its context: the context's words count double.
	var own float64
	for _, w := range words {
		if w.weight == 1 {
			own += w.spec
		}
	}
	if own < leanSpec {
		for i := range words {
			if words[i].weight < 1 {
				words[i].weight = min(1, 2*words[i].weight)
			}
		}
	}
	return words
}

// leanSpec: a question whose own words' specificity sums to less leans on
// its context.
const leanSpec = 1.2

// acronymAt marks a word of a run of capitalised words whose initials are
// an acronym of the statement; term is -1 for the run's later words.
type acronymAt struct {
	term termID
	word string
}

// initials finds runs of two or more capitalised words ("United
// Nations", "World Summit on the Information Society") whose initials,
// skipping small joining words, the statement uses as a word ("UN").
func (r *Retriever) initials(toks []weightedToken) map[int]acronymAt {
	var out map[int]acronymAt
	for i := 0; i < len(toks); {
		if !toks[i].name || toks[i].joined || allCaps(toks[i].display) {
			i++
			continue
		}
		j, letters, run := i, "", []int{}
		for j < len(toks) && (toks[j].joined || toks[j].name && !allCaps(toks[j].display) || joiningWords[toks[j].word] && j+1 < len(toks) && toks[j+1].name) {
			if !toks[j].joined {
				run = append(run, j)
				if !joiningWords[toks[j].word] {
					letters += toks[j].word[:1]
				}
			}
			j++
		}
		if len(letters) >= 2 {
			if id, ok := r.ix.surface[letters]; ok {
				if out == nil {
					out = map[int]acronymAt{}
				}
				for k, at := range run {
					a := acronymAt{term: -1}
					if k == 0 {
						a = acronymAt{id, letters}
					}
					out[at] = a
				}
			}
		}
		i = max(j, i+1)
	}
	return out
}

var joiningWords = wordSet(`of on the and for`)

// specOf is a word's specificity by its rank in the vector table.
func (r *Retriever) specOf(w string) float64 {
	if r.ix.vecs == nil {
		return 1
	}
	_, rank, ok := r.ix.vecs.Lookup(w)
	return specificity(rank, ok, false, true, len(w))
}

func (r *Retriever) resolve(qw *queryWord, toks []token, i int) {
	ix := r.ix
	w := qw.text
	known := false
	if id, kind, ok := ix.lookup(w); ok {
		qw.alts = append(qw.alts, alt{id, 1, kind, w})
		known = true
	}
	// A compound written apart ("co governance") or together where the
	// statement writes it apart ("cyberspace").
	if i+1 < len(toks) && !toks[i+1].joined {
		if id, ok := ix.surface[w+toks[i+1].word]; ok {
			qw.alts = append(qw.alts, alt{id, 1, MatchCompound, w + toks[i+1].word})
			known = true
		}
	}
	if !known {
		for cut := 2; cut <= len(w)-2; cut++ {
			a, aok := ix.surface[w[:cut]]
			b, bok := ix.surface[w[cut:]]
			if aok && bok && !isStop(w[:cut]) && !isStop(w[cut:]) {
				qw.alts = append(qw.alts, alt{a, weightCompound, MatchCompound, w[:cut]}, alt{b, weightCompound, MatchCompound, w[cut:]})
				known = true
				break
			}
		}
	}
	if !known {
		if id, word, ok := ix.derived(w); ok {
			qw.alts = append(qw.alts, alt{id, weightDerived, MatchStem, word})
			known = true
		}
	}
	var vec vectors.Vec
	inTable := false
	rank := 0
	if ix.vecs != nil {
		vec, rank, inTable = ix.vecs.Lookup(w)
		if !inTable {
			// A rare derivation of a common word ("weaponising",
			// "weaponization") means what its base means.
			if base, ok := ix.tableBase(w); ok {
				vec, rank, inTable = ix.vecs.Lookup(base)
			}
		}
	}
	qw.spec = specificity(rank, inTable, qw.name, ix.vecs != nil, len(w))
	if qw.name && allCaps(qw.display) {
		// An acronym names one thing, whatever the frequency of the
		// word its letters spell ("US" is not "us").
		qw.spec = max(qw.spec, acronymSpec)
	}
	var related []thesaurus.Related
	if r.opts.Related != nil {
		related = r.opts.Related.Lookup(w)
	}
	// A word the thesaurus or the vector table knows is a real word, not
	// a typo: "united" is not a misspelling of "unified".
	if !known && len(related) == 0 && (!inTable || rank > typoRank) {
		for _, m := range ix.typos(w) {
			id := ix.surface[m.word]
			qw.alts = append(qw.alts, alt{id, weightTypo * (1 - float64(m.dist)/float64(len(w))), MatchFuzzy, m.word})
			known = true
		}
	}
	if len(related) > 0 {
		scale := weightRelated
		if known {
			scale = weightRelatedOfKnown
		}
		for _, rel := range related {
			if id, _, ok := ix.lookup(rel.Word); ok && !hasTerm(qw.alts, id) {
				qw.alts = append(qw.alts, alt{id, scale * rel.Weight, MatchSynonym, rel.Word})
			}
		}
	}
	if !known && inTable {
		r.meaningAlts(qw, vec)
	}
	// The word's weight in the question's score: its rarity in the
	// statement if the statement has it, else as rare as the rarest word.
	qw.idf = ix.maxIDF
	for _, a := range qw.alts {
		if a.weight == 1 {
			qw.idf = ix.idf[a.term]
			break
		}
	}
	for _, a := range qw.alts {
		qw.reach = max(qw.reach, a.weight)
	}
}

// derivationalSuffixes are stripped, longest first, to find the base of a
// word the vector table lacks.
var derivationalSuffixes = []string{"izations", "ization", "izing", "ized", "izes", "ize", "ations", "ation", "ings", "ing", "ed", "es", "s", "ly", "ness", "ment", "ments"}

// tableBase finds a base form of w that the vector table has.
func (ix *index) tableBase(w string) (string, bool) {
	forms := []string{w}
	if f := spelling(w); f != w {
		forms = append(forms, f)
	}
	for _, f := range forms {
		for _, suf := range derivationalSuffixes {
			b, ok := strings.CutSuffix(f, suf)
			if !ok || len(b) < 4 {
				continue
			}
			cands := []string{b, b + "e"}
			if n := len(b); n >= 5 && b[n-1] == b[n-2] {
				// British doubling: "signalled" → "signal".
				cands = append(cands, b[:n-1])
			}
			for _, cand := range cands {
				if _, _, ok := ix.vecs.Lookup(cand); ok {
					return cand, true
				}
			}
		}
	}
	return "", false
}

// typoRank: a word this frequent in English is taken as meant, never as a
// misspelling of a statement word.
const typoRank = 20000

// meaningAlts adds the statement words that stand out as near in
// meaning.
func (r *Retriever) meaningAlts(qw *queryWord, vec vectors.Vec) {
	type near struct {
		v   *vocabVec
		cos float64
	}
	// The meaningHub nearest, best first, by insertion, among the
	// meaningCandidates nearest by sign bits.
	var best [meaningHub]near
	n := 0
	q := vec.Unpack()
	for _, i := range r.candidates(vec) {
		v := &r.ix.vocab[i]
		c := vectors.CosineUnpacked(q, v.vec)
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
		if b.cos < floor || margin < meaningMargin {
			continue
		}
		wt := math.Min(meaningHigh, meaningLow+meaningGain*(margin-meaningMargin))
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
// the vocabulary has that many.
func (r *Retriever) candidates(vec vectors.Vec) []int {
	vocab := r.ix.vocab
	if len(vocab) <= meaningCandidates {
		out := make([]int, len(vocab))
		for i := range out {
			out[i] = i
		}
		return out
	}
	sig := vec.Signature()
	var hist [129]int
	dist := make([]uint8, len(vocab))
	for i := range vocab {
		h := vectors.Hamming(sig, vocab[i].sig)
		dist[i] = uint8(h)
		hist[h]++
	}
	limit, n := 0, 0
	for limit < len(hist) && n+hist[limit] < meaningCandidates {
		n += hist[limit]
		limit++
	}
	out := make([]int, 0, meaningCandidates+hist[min(limit, 128)])
	for i, d := range dist {
		if int(d) <= limit {
			out = append(out, i)
		}
	}
	return out
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
	x := math.Log(float64(rank)+2) / math.Log(float64(vectors.MaxWords))
	return math.Min(1, x*x)
}

func hasTerm(alts []alt, id termID) bool { return altOf(alts, id) >= 0 }

func altOf(alts []alt, id termID) int {
	for i, a := range alts {
		if a.term == id {
			return i
		}
	}
	return -1
}

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
			for _, p := range ix.postings[a.term] {
				s := a.weight * ix.bm25(p.tf, ix.docs[p.doc].length, a.term)
				best[p.doc] = max(best[p.doc], s)
				bestW[p.doc] = max(bestW[p.doc], a.weight)
				if a.kind != MatchSynonym && a.kind != MatchMeaning {
					bestD[p.doc] = max(bestD[p.doc], a.weight)
				}
			}
			for _, p := range ix.spostings[a.term] {
				s := a.weight * ix.sbm25(p.tf, ix.sents[p.doc].length, a.term)
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
		rk.scores[d] = top * ((1-denseWeight)*rk.scores[d]/top + denseWeight*dense[d]/dtop)
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

// missing lists the question's words, and quoted phrases, that nothing in
// the statement matches, with their share of the question's weight, and
// whether one of them is a name or a number: the statement cannot be
// about a thing it never names.
func (r *Retriever) missing(words []queryWord, phrases []string) ([]string, float64, bool) {
	var out []string
	var total, miss float64
	names := len(phrases) > 0
	last := -2
	for _, qw := range words {
		wq := qw.weight * qw.spec
		total += wq
		if qw.isMissing() {
			miss += wq
			out = appendMissing(out, qw, last)
			last = qw.pos
			names = names || qw.missingName()
		}
	}
	share := 0.0
	if total > 0 {
		share = miss / total
	}
	return append(phrases, out...), share, names
}

// missingNames lists the question's missing words.
func (r *Retriever) missingNames(words []queryWord) []string {
	var out []string
	last := -2
	for _, qw := range words {
		if qw.isMissing() {
			out = appendMissing(out, qw, last)
			last = qw.pos
		}
	}
	return out
}

// appendMissing adds a missing word, joining it to the previous one when
// they stand next to each other in the question ("Tallinn Manual").
func appendMissing(out []string, qw queryWord, last int) []string {
	if len(out) > 0 && qw.pos == last+1 {
		out[len(out)-1] += " " + qw.display
		return out
	}
	return append(out, qw.display)
}

func (qw queryWord) isMissing() bool {
	return qw.reach < missingReach && qw.weight == 1 && qw.spec >= minMissingSpec
}

// missingName: a missing word written as a name ("Tallinn", "ITU") or a
// number ("2013"), and specific. A plural acronym names a kind of thing
// the statement may word out in full ("NGOs"), so only its share counts.
func (qw queryWord) missingName() bool {
	if !qw.name {
		return false
	}
	if allCaps(qw.display) {
		return !strings.HasSuffix(qw.display, "s")
	}
	return qw.spec >= minNameSpec
}

// minNameSpec: a name more common than this ("South", "Global") is also
// an ordinary word.
const minNameSpec = 0.6

// minMissingSpec: a word more common than this in English is not a
// concept whose absence says the statement does not address a question
// ("exactly", "line").
const minMissingSpec = 0.45

// quote picks the sentences of passage d to quote: its best sentence,
// with the next one when that scores nearly as well or when the best is
// only a heading ("First, the principle of peace.").
func (r *Retriever) quote(d int, rk ranking) Span {
	doc := r.ix.docs[d]
	s := rk.bestSent[d]
	if s < 0 || len(doc.sents) == 0 {
		return Span{0, len(doc.para.Text)}
	}
	sent := r.ix.sents[s]
	q := Span{int(sent.start), int(sent.end)}
	for i, id := range doc.sents {
		if int(id) != s || i+1 >= len(doc.sents) {
			continue
		}
		next := doc.sents[i+1]
		if sent.heading || rk.sent[next] >= quoteNextRatio*rk.sent[s] {
			q.End = int(r.ix.sents[next].end)
		}
	}
	return q
}

// quoteNextRatio: the sentence after the best is quoted too when it
// scores at least this share of the best's score.
const quoteNextRatio = 0.8

// isHeading reports a sentence that only names what follows: a few words,
// such as "First, the principle of peace."
func isHeading(s string) bool {
	n, in := 0, false
	for _, r := range s {
		if unicode.IsSpace(r) {
			in = false
		} else if !in {
			in = true
			n++
		}
	}
	return n <= 6
}
