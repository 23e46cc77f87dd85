package knowledge

import (
	"slices"
	"strings"

	"github.com/policybot/policybot/knowledge/editdist"

	"github.com/policybot/policybot/knowledge/thesaurus"
	"github.com/policybot/policybot/knowledge/vectors"
)

// The words of a question and how each matches the statement: exactly, by
// stem, as a compound, a typo, a thesaurus relation or a word near in
// meaning (meaning.go); and how specific each is.

// Match weights: how much a non-exact match counts against an exact one.
// Typos and paraphrases are less certain, so they rank below exact words
// and count for less when deciding whether to answer.
const (
	weightCompound = 0.9
	weightTypo     = 0.8
	// weightDerived: another derivation of the same base ("behave",
	// "behaviors"), which the stemmer keeps apart.
	weightDerived = 0.8
	// weightStemDerived: a stem match between different derivations
	// ("acceptable", "accepted"); see stemWeight.
	weightStemDerived = weightDerived
	// A word the statement uses exactly is expanded to related words only
	// faintly: the user's own word is the better evidence.
	weightRelatedOfKnown = 0.25
	// weightEvent: "event" or "conference" for the statement's own name
	// of its occasion ("workshop").
	weightEvent = 0.9
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
	// vec is the word's vector as the table spells it (lookupVec), with
	// its rank, for the question's centroid; inTable says it has one.
	vec     vectors.Vec
	rank    int
	inTable bool
}

// analyseIn resolves each topical word of a question to its matches, with
// its storage in sc: the words are valid until the next call, their
// matches until sc is put back. The resolutions of a message's words are
// kept in cache, when it is not nil, so that context shared by several
// questions is resolved once.
func (r *Retriever) analyseIn(sc *scratch, toks []weightedToken, cache map[string]queryWord) []queryWord {
	n := 0
	for _, t := range toks {
		if !t.joined && !t.stop {
			n++
		}
	}
	n = min(n, maxQueryWords)
	words := slices.Grow(sc.words[:0], n)
	sc.words = words
	// Each word's matches are appended in place to sc.alts, after those
	// of the message's other parts, which cached words may hold.
	if need := altsPerWord * n; cap(sc.alts)-len(sc.alts) < need {
		sc.alts = make([]alt, 0, max(need, 2*cap(sc.alts)))
	}
	altBuf := sc.alts
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
			if wordAt(words, a.word) >= 0 {
				continue
			}
			qw := queryWord{text: a.word, display: t.display, weight: t.weight, name: true, idf: r.ix.idf[a.term], reach: 1, pos: i,
				alts: []alt{{a.term, 1, MatchCompound, a.word}}}
			qw.setVec(r.ix)
			qw.spec = r.specOfWord(&qw)
			words = append(words, qw)
			continue
		}
		if qw, j, ok := r.phrase(toks, i); ok {
			// "take part" means to participate, not to take a part.
			if k := wordAt(words, qw.text); k >= 0 {
				words[k].weight = max(words[k].weight, qw.weight)
			} else {
				words = append(words, qw)
			}
			i = j
			continue
		}
		if j := wordAt(words, t.word); j >= 0 {
			words[j].weight = max(words[j].weight, t.weight)
			continue
		}
		qw, ok := cache[t.word]
		if ok && qw.name == t.name {
			qw.display, qw.weight, qw.pos = t.display, t.weight, i
		} else {
			qw = queryWord{text: t.word, display: t.display, weight: t.weight, name: t.name, pos: i}
			k := len(altBuf)
			qw.alts = altBuf[k:k:min(k+altsPerWord, cap(altBuf))]
			r.resolve(&qw, toks, i, sc)
			if len(qw.alts) <= altsPerWord {
				// Still in altBuf: the next word's matches follow.
				altBuf = altBuf[:k+len(qw.alts)]
			}
			qw.alts = qw.alts[:len(qw.alts):len(qw.alts)]
			if cache != nil {
				cache[t.word] = qw
			}
		}
		if len(qw.alts) == 0 && !t.name && !qw.inTable && r.misspeltStop(t.word) {
			// "evry", "becuase": scaffolding, not a missing topic.
			continue
		}
		words = append(words, qw) // only a word kept: a repeat finds it
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
	sc.alts = altBuf
	return words
}

// altsPerWord is the room for matches each word is given in analyseIn's
// buffer; a word with more has them moved out of it by append.
const altsPerWord = 12

// wordAt is the index of the word text among words, or -1. A question
// has few words, and each text is there at most once.
func wordAt(words []queryWord, text string) int {
	for i := range words {
		if words[i].text == text {
			return i
		}
	}
	return -1
}

// misspeltStop reports a word that is no English word the vector table
// knows but one typing mistake from a stop word ("evry", "becuase",
// "waht"); a word of four letters or fewer only by a dropped letter or
// two letters swapped ("teh"), since a substitution in so short a word
// makes another word. Without a table nothing is.
// misspeltStopRank: a word of the vector table this frequent is a word,
// never a slip for a stop word.
const misspeltStopRank = 12000

func (r *Retriever) misspeltStop(w string) bool {
	if r.ix.vecs == nil || len(w) < 3 || len(w) > maxTypoWord || !isASCIILetters(w) {
		return false
	}
	// The table holds the commonest slips ("teh") as words, but rare
	// ones.
	if _, rank, ok := r.ix.lookupVec(w); ok && rank < misspeltStopRank {
		return false
	}
	for _, s := range stopList {
		if len(s) < 3 {
			continue
		}
		d := len(s) - len(w)
		switch {
		case len(w) > 4 && d >= -1 && d <= 1, len(w) <= 4 && d == 1:
			if editdist.One(w, s) {
				return true
			}
		case len(w) <= 4 && d == 0:
			if swapped(w, s) {
				return true
			}
		}
	}
	return false
}

// swapped reports whether a and b differ by two adjacent letters swapped.
func swapped(a, b string) bool {
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
}

// PhraseWords relates two words used as one ("take part", "set up") to
// statement words. *thesaurus.Table implements it.
type PhraseWords interface {
	LookupPhrase(first, second string) []thesaurus.Related
}

// phrase reads toks[i] and the word after it as one when the thesaurus
// knows them as a phrase whose words the statement does not have side by
// side, and returns it as one query word with the index of its last
// token.
func (r *Retriever) phrase(toks []weightedToken, i int) (queryWord, int, bool) {
	pw, ok := r.opts.Related.(PhraseWords)
	j := i + 1
	if !ok || j >= len(toks) || toks[j].joined || toks[j].weight != toks[i].weight ||
		toks[j].start < toks[i].end || toks[j].start-toks[i].end > 2 || toks[i].name || toks[j].name {
		return queryWord{}, 0, false
	}
	a, b := toks[i].word, toks[j].word
	rel := pw.LookupPhrase(a, b)
	if len(rel) == 0 || r.ix.adjacent(a, b) {
		return queryWord{}, 0, false
	}
	qw := queryWord{text: a + " " + b, display: toks[i].display + " " + toks[j].display, weight: toks[i].weight, pos: i, idf: r.ix.maxIDF}
	qw.setVec(r.ix)
	qw.spec = r.specOf(a)
	if !toks[j].stop {
		qw.spec = max(qw.spec, r.specOf(b))
	}
	for _, x := range rel {
		if id, _, ok := r.ix.lookup(x.Word); ok && !hasTerm(qw.alts, id) {
			qw.alts = append(qw.alts, alt{id, weightRelated * x.Weight, MatchSynonym, x.Word})
			qw.reach = max(qw.reach, weightRelated*x.Weight)
		}
	}
	if len(qw.alts) == 0 {
		return queryWord{}, 0, false
	}
	return qw, j, true
}

// adjacent reports whether the statement writes a and b side by side.
func (ix *index) adjacent(a, b string) bool {
	ta, oka := ix.surface[a]
	tb, okb := ix.surface[b]
	if !oka || !okb {
		return false
	}
	for _, p := range ix.postings[ta] {
		spans := ix.docs[p.doc].spans
		for k := 0; k+1 < len(spans); k++ {
			if spans[k].term == ta && spans[k+1].term == tb {
				return true
			}
		}
	}
	return false
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
		for j < len(toks) && (toks[j].joined || toks[j].name && !allCaps(toks[j].display) || joiningWords.has(toks[j].word) && j+1 < len(toks) && toks[j+1].name) {
			if !toks[j].joined {
				run = append(run, j)
				if !joiningWords.has(toks[j].word) {
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
	_, rank, ok := r.ix.lookupVec(w)
	return specificity(rank, ok, false, true, len(w))
}

// specOfWord is specOf(qw.text) for a word whose vector is looked up.
func (r *Retriever) specOfWord(qw *queryWord) float64 {
	if r.ix.vecs == nil {
		return 1
	}
	return specificity(qw.rank, qw.inTable, false, true, len(qw.text))
}

// setVec looks up the word's vector, once, for everything that needs it.
func (qw *queryWord) setVec(ix *index) {
	if ix.vecs != nil {
		qw.vec, qw.rank, qw.inTable = ix.lookupVec(qw.text)
	}
}

func (r *Retriever) resolve(qw *queryWord, toks []weightedToken, i int, sc *scratch) {
	ix := r.ix
	w := qw.text
	known := false
	// As ix.lookup, keeping the stem of a word the statement does not
	// write as such for the further lookups below.
	var st string
	if id, ok := ix.surface[w]; ok {
		qw.alts = append(qw.alts, alt{id, 1, MatchExact, w})
		known = true
	} else {
		st = stem(w)
		if id, ok := ix.terms[st]; ok {
			qw.alts = append(qw.alts, alt{id, ix.stemWeight(w, id), MatchStem, w})
			known = true
		}
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
			a, ok := ix.surface[w[:cut]]
			if !ok || isStop(w[:cut]) {
				continue
			}
			b, ok := ix.surface[w[cut:]]
			if ok && !isStop(w[cut:]) {
				qw.alts = append(qw.alts, alt{a, weightCompound, MatchCompound, w[:cut]}, alt{b, weightCompound, MatchCompound, w[cut:]})
				known = true
				break
			}
		}
	}
	if !known {
		if id, word, ok := ix.derived(w, st); ok {
			qw.alts = append(qw.alts, alt{id, weightDerived, MatchStem, word})
			known = true
		}
	}
	if !known && !qw.name && eventNouns.has(w) {
		// "the event" is the workshop the statement was given at.
		if id, ok := ix.surface[r.eventHead]; ok && r.eventHead != w {
			qw.alts = append(qw.alts, alt{id, weightEvent, MatchSynonym, r.eventHead})
			known = true
		}
	}
	if !known && qw.name {
		// "ICT4D", "WSIS10": an acronym of the statement with a
		// number or a digit-for-a-word run after it.
		if id, word, ok := ix.acronymHead(w); ok {
			qw.alts = append(qw.alts, alt{id, weightCompound, MatchCompound, word})
			known = true
		}
	}
	if !known {
		if id, word, ok := ix.unprefixed(w); ok {
			qw.alts = append(qw.alts, alt{id, weightDerived, MatchStem, word})
			known = true
		}
	}
	// The word keeps its own vector, for the question's centroid; its
	// base's stands in for it only here.
	qw.setVec(ix)
	vec, rank, inTable := qw.vec, qw.rank, qw.inTable
	if ix.vecs != nil {
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
		if u := unfolded(w); len(related) == 0 && u != w {
			// "revizing" is "revising" folded.
			related = r.opts.Related.Lookup(u)
		}
	}
	if !known && len(related) == 0 && !inTable && r.opts.Related != nil && ix.vecs != nil && len(w) >= 7 && isASCIILetters(w) {
		// "rulebook": a closed compound of two English words that
		// nothing knows whole relates to what its parts relate to, at
		// half weight.
		for cut := 3; cut <= len(w)-3; cut++ {
			a, b := w[:cut], w[cut:]
			if isStop(a) || isStop(b) {
				continue
			}
			_, ra, okA := ix.vecs.Lookup(a)
			_, rb, okB := ix.vecs.Lookup(b)
			if !okA || !okB || ra > typoRank || rb > typoRank {
				continue
			}
			for _, part := range [2]string{a, b} {
				for _, x := range r.relatedOf(part) {
					related = append(related, thesaurus.Related{Word: x.Word, Weight: x.Weight / 2})
				}
			}
			if len(related) > 0 {
				break
			}
		}
	}
	// A word the thesaurus or the vector table knows is a real word, not
	// a typo: "united" is not a misspelling of "unified".
	if !known && len(related) == 0 && (!inTable || rank > typoRank) {
		for _, m := range ix.typosOf(w, st) {
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
			if rivals(qw.text, rel.Word) {
				// WordNet makes the months sisters.
				continue
			}
			if id, _, ok := ix.lookup(rel.Word); ok && !hasTerm(qw.alts, id) {
				qw.alts = append(qw.alts, alt{id, scale * rel.Weight, MatchSynonym, rel.Word})
			}
		}
	}
	if !known && inTable {
		r.meaningAlts(qw, vec, sc)
	}
	// "Internet" and "cyber space" are one thing by two names.
	for k, n := 0, len(qw.alts); k < n && r.synonyms != nil; k++ {
		a := qw.alts[k]
		for _, b := range r.synonyms[a.term] {
			if m := altOf(qw.alts, b); m >= 0 {
				qw.alts[m].weight = max(qw.alts[m].weight, a.weight)
				continue
			}
			qw.alts = append(qw.alts, alt{b, a.weight, a.kind, ix.forms[b][0]})
		}
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

// prefixes are the productive prefixes that make a word closed up from
// another ("multistakeholder", "nongovernmental", "counterterrorism"):
// what is left is the topic. Short ones ("re", "un", "de") are left out:
// too many words only look prefixed ("record", "under").
var prefixes = []string{"multi", "non", "anti", "counter", "inter", "intra", "trans", "super", "sub", "pre", "post", "over", "semi", "pan", "pro", "cyber"}

// unprefixed finds the statement's word for w without a prefix, when
// what is left is a word of five letters or more.
func (ix *index) unprefixed(w string) (termID, string, bool) {
	for _, p := range prefixes {
		rest, ok := strings.CutPrefix(w, p)
		if !ok || len(rest) < 5 {
			continue
		}
		rest = strings.TrimPrefix(rest, "-")
		if id, _, ok := ix.lookup(rest); ok {
			return id, rest, true
		}
		// "multistakeholderism": another derivation of what is left.
		if id, word, ok := ix.derived(rest, stem(rest)); ok {
			return id, word, true
		}
	}
	return 0, "", false
}

// acronymHead finds the statement's word in the letters that open a word
// of letters and digits ("ict" of "ict4d"), when they are two or more.
func (ix *index) acronymHead(w string) (termID, string, bool) {
	n := 0
	for n < len(w) && w[n] >= 'a' && w[n] <= 'z' {
		n++
	}
	if n < 2 || n == len(w) || w[n] < '0' || w[n] > '9' {
		return 0, "", false
	}
	id, ok := ix.surface[w[:n]]
	return id, w[:n], ok
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
