package knowledge

import (
	"math"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/policybot/policybot/knowledge/thesaurus"
)

// MaxQuestionBytes bounds the part of a question that is read: no real
// question is longer, and the bound keeps hostile input cheap.
const MaxQuestionBytes = 1000

// maxQueryWords bounds the words of a question that are matched.
const maxQueryWords = 40

// RelatedWords maps a word to related words of the statement, for
// paraphrased questions. *thesaurus.Table implements it.
type RelatedWords interface {
	Lookup(word string) []thesaurus.Related
}

// RetrieverOptions tunes a Retriever. Zero values take the defaults.
type RetrieverOptions struct {
	// Related expands question words to related statement words; nil
	// disables paraphrase matching.
	Related RelatedWords
	// Decline tunes when the retriever declines; zero fields take the
	// defaults of DefaultDecline().
	Decline DeclineRule
}

// DeclineRule decides whether the best passage answers the question at
// all. Coverage is the share of the question's topic words, each weighted
// by its rarity in the statement (unknown words weigh as the rarest), that
// the passage matches, each match counted at its weight (exact 1, typo
// about 0.8, related word 0.6 × the relation's weight). Direct coverage
// counts only exact, stemmed, compound and typo matches.
//
// The retriever answers when the passage matches some of the question
// directly and enough of it overall, or, with no direct match, when
// related words cover a large share; otherwise it declines.
type DeclineRule struct {
	MinCoverage       float64 // with at least one direct match
	MinRelatedOnly    float64 // with related-word matches only
	MinDirectCoverage float64 // the least direct coverage that counts as a direct match
}

// DefaultDecline was calibrated on the development questions and a second
// set written for the purpose (knowledge/testdata): every out-of-scope
// question there has no direct match or a coverage under 0.31, while the
// in-scope ones with the weakest wording have direct matches and coverage
// of 0.26 and up. See the README's "How answers are chosen".
func DefaultDecline() DeclineRule {
	return DeclineRule{MinCoverage: 0.25, MinRelatedOnly: 0.4, MinDirectCoverage: 0.1}
}

func (d DeclineRule) withDefaults() DeclineRule {
	def := DefaultDecline()
	if d.MinCoverage <= 0 {
		d.MinCoverage = def.MinCoverage
	}
	if d.MinRelatedOnly <= 0 {
		d.MinRelatedOnly = def.MinRelatedOnly
	}
	if d.MinDirectCoverage <= 0 {
		d.MinDirectCoverage = def.MinDirectCoverage
	}
	return d
}

// answers applies the rule to a passage's coverage figures.
func (d DeclineRule) answers(cover, direct float64) bool {
	if direct >= d.MinDirectCoverage {
		return cover >= d.MinCoverage
	}
	return cover >= d.MinRelatedOnly
}

// Match weights: how much a non-exact match counts against an exact one.
// Typos and paraphrases are less certain, so they rank below exact words
// and count for less when deciding whether to answer.
const (
	weightCompound = 0.9
	weightTypo     = 0.8
	weightRelated  = 0.6 // times the relation's own weight
	// A word the statement uses exactly is expanded to related words only
	// faintly: the user's own word is the better evidence.
	weightRelatedOfKnown = 0.25
	// titleWeight scales the title and date lines' score for questions
	// about the content.
	titleWeight = 0.5
)

// Retriever answers questions with ranked paragraphs of one statement.
// It is immutable after construction and safe for concurrent use.
type Retriever struct {
	doc  *Document
	ix   *index
	opts RetrieverOptions
}

// NewRetriever indexes a statement.
func NewRetriever(doc *Document, opts RetrieverOptions) *Retriever {
	opts.Decline = opts.Decline.withDefaults()
	passages := make([]Paragraph, 0, len(doc.Paragraphs)+1)
	if doc.Meta.Source != "" {
		passages = append(passages, Paragraph{Number: 0, Text: doc.Meta.Source, Offset: strings.Index(doc.Source, doc.Meta.Source)})
	}
	passages = append(passages, doc.Paragraphs...)
	ix := buildIndex(passages, func(p Paragraph) string {
		if p.Item != nil {
			return p.Item.Name
		}
		return ""
	})
	return &Retriever{doc: doc, ix: ix, opts: opts}
}

// Document is the statement the retriever answers from.
func (r *Retriever) Document() *Document { return r.doc }

// alt is one way a question word matches the statement.
type alt struct {
	term   termID
	weight float64
	kind   MatchKind
	word   string // the statement's word
}

// queryWord is one topical word of the question with its matches.
type queryWord struct {
	text string
	alts []alt
	idf  float64 // how much the word weighs in the question
}

// Ask returns up to top passages answering question, best first, or none
// when the statement does not address it.
func (r *Retriever) Ask(question string, top int) Answer {
	question = clampQuestion(question)
	ans := Answer{Question: question}
	if top <= 0 {
		top = 3
	}
	words := r.analyse(question)
	if about := r.aboutStatement(question, words); about != nil {
		ans.About = true
		ans.Passages = append(ans.Passages, *about)
		return ans
	}
	if len(words) == 0 {
		return ans
	}
	scores, cover, direct := r.score(words)
	// The title and date lines are the source for questions about the
	// statement itself; for any other question they are a weak match
	// ("minister" is in the title, but the body says what he said).
	for d, doc := range r.ix.docs {
		if doc.para.Number == 0 {
			scores[d] *= titleWeight
		}
	}
	order := make([]int, 0, len(scores))
	for d, s := range scores {
		if s > 0 {
			order = append(order, d)
		}
	}
	sort.Slice(order, func(i, j int) bool {
		a, b := order[i], order[j]
		if scores[a] != scores[b] {
			return scores[a] > scores[b]
		}
		return a < b
	})
	if len(order) == 0 || !r.opts.Decline.answers(cover[order[0]], direct[order[0]]) {
		return ans
	}
	best := scores[order[0]]
	for _, d := range order {
		if len(ans.Passages) == top || scores[d] < best*0.2 {
			break
		}
		ans.Passages = append(ans.Passages, r.passage(d, words, scores[d]))
	}
	return ans
}

// clampQuestion keeps the first MaxQuestionBytes of valid UTF-8.
func clampQuestion(q string) string {
	if len(q) > MaxQuestionBytes {
		q = q[:MaxQuestionBytes]
		for len(q) > 0 && !utf8.RuneStart(q[len(q)-1]) {
			q = q[:len(q)-1]
		}
		if len(q) > 0 {
			if r, _ := utf8.DecodeLastRuneInString(q); r == utf8.RuneError {
				q = q[:len(q)-1]
			}
		}
	}
	if !utf8.ValidString(q) {
		q = strings.ToValidUTF8(q, " ")
	}
	return strings.TrimSpace(q)
}

// analyse resolves each topical word of the question to its matches.
func (r *Retriever) analyse(question string) []queryWord {
	toks := tokenize(nil, question)
	var words []queryWord
	seen := map[string]bool{}
	for i := 0; i < len(toks) && len(words) < maxQueryWords; i++ {
		t := toks[i]
		if t.joined || isStop(t.word) || seen[t.word] {
			continue
		}
		seen[t.word] = true
		qw := queryWord{text: t.word}
		r.resolve(&qw, toks, i)
		words = append(words, qw)
	}
	return words
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
	var related []thesaurus.Related
	if r.opts.Related != nil {
		related = r.opts.Related.Lookup(w)
	}
	// A word the thesaurus knows is a real word, not a typo: "united" is
	// not a misspelling of "unified".
	if !known && len(related) == 0 {
		for _, m := range ix.typos(w) {
			id := ix.surface[m.word]
			qw.alts = append(qw.alts, alt{id, weightTypo * (1 - float64(m.dist)/float64(len(w))), MatchFuzzy, m.word})
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
	// The word's weight in the question: its rarity in the statement if
	// the statement has it, else as rare as the rarest word, so that an
	// unknown topic ("Brazil") weighs fully against answering.
	qw.idf = ix.maxIDF
	for _, a := range qw.alts {
		if a.weight == 1 {
			qw.idf = ix.idf[a.term]
			break
		}
	}
}

func hasTerm(alts []alt, id termID) bool {
	for _, a := range alts {
		if a.term == id {
			return true
		}
	}
	return false
}

// score computes each passage's BM25 score, where each question word
// counts once per passage through its best match, and the share of the
// question's weight that the passage matches (its coverage), overall and
// by direct matches only.
func (r *Retriever) score(words []queryWord) (scores, cover, direct []float64) {
	ix := r.ix
	n := len(ix.docs)
	scores = make([]float64, n)
	cover = make([]float64, n)
	direct = make([]float64, n)
	best := make([]float64, n)
	bestW := make([]float64, n)
	bestD := make([]float64, n)
	var total float64
	for _, qw := range words {
		total += qw.idf
		clear(best)
		clear(bestW)
		clear(bestD)
		for _, a := range qw.alts {
			for _, p := range ix.postings[a.term] {
				s := a.weight * ix.bm25(p.tf, ix.docs[p.doc].length, a.term)
				best[p.doc] = max(best[p.doc], s)
				bestW[p.doc] = max(bestW[p.doc], a.weight)
				if a.kind != MatchSynonym {
					bestD[p.doc] = max(bestD[p.doc], a.weight)
				}
			}
		}
		for d := range best {
			scores[d] += best[d]
			cover[d] += bestW[d] * qw.idf
			direct[d] += bestD[d] * qw.idf
		}
	}
	if total > 0 {
		for d := range cover {
			cover[d] /= total
			direct[d] /= total
		}
	}
	return scores, cover, direct
}

// passage builds the answer passage for document d: its citation, the
// matches that hit it and the spans to highlight.
func (r *Retriever) passage(d int, words []queryWord, score float64) Passage {
	doc := r.ix.docs[d]
	p := Passage{Paragraph: doc.para, Score: math.Round(score*1000) / 1000}
	if doc.para.Number == 0 {
		p.Citation = r.doc.MetaCitation()
	} else {
		p.Citation = r.doc.Citation(doc.para)
	}
	hit := map[termID]bool{}
	for _, qw := range words {
		for _, a := range qw.alts {
			if r.ix.has(d, a.term) {
				p.Matches = append(p.Matches, Match{Query: qw.text, Word: a.word, Kind: a.kind})
				hit[a.term] = true
				break
			}
		}
	}
	for _, s := range doc.spans {
		if !hit[s.term] {
			continue
		}
		sp := Span{int(s.start), int(s.end)}
		if k := len(p.Highlights); k > 0 && p.Highlights[k-1].End >= sp.Start {
			p.Highlights[k-1].End = max(p.Highlights[k-1].End, sp.End)
			continue
		}
		p.Highlights = append(p.Highlights, sp)
	}
	return p
}

func (ix *index) has(d int, id termID) bool {
	ps := ix.postings[id]
	i := sort.Search(len(ps), func(i int) bool { return ps[i].doc >= int32(d) })
	return i < len(ps) && ps[i].doc == int32(d)
}
