package knowledge

import (
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/policybot/policybot/knowledge/thesaurus"
	"github.com/policybot/policybot/knowledge/vectors"
)

// MaxQuestionBytes bounds the question that is read: a chat message with
// a long preamble and two questions fits, and the bound keeps hostile
// input cheap. Ask reads the first MaxQuestionBytes of a longer one; the
// bot core refuses such a message instead, saying this limit.
const MaxQuestionBytes = 4000

// DefaultPassages is how many passages an answer has at most unless the
// caller says otherwise: the one default the core and the configuration
// share.
const DefaultPassages = 3

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
	// disables thesaurus matching.
	Related RelatedWords
	// Vectors matches question words to statement words near in
	// meaning, and tells how specific a word is; nil disables both.
	Vectors *vectors.Table
	// Decline tunes when the retriever declines; zero fields take the
	// defaults of DefaultDecline().
	Decline DeclineRule
}

// Retriever answers questions with ranked paragraphs of one statement.
// It does not change after construction, but for the working storage it
// reuses, and is safe for concurrent use.
type Retriever struct {
	doc  *Document
	ix   *index
	opts RetrieverOptions
	// speaker holds the words of the speaker's name, lower case.
	speaker map[string]bool
	// occasion holds the words that name the statement itself and the
	// occasion it was given at ("speech", "workshop").
	occasion map[string]bool
	// eventHead is the noun naming the occasion ("workshop"), which a
	// question may call by any name for one ("event", "conference").
	eventHead string
	// scratch holds *scratch buffers, so that a question allocates
	// little of what it only needs while it is answered.
	scratch sync.Pool
	// citations are the paragraphs' citations by number (0 for the
	// title and date lines), written once rather than for every answer.
	citations []string
	// hostSent is the sentence saying who holds the occasion
	// (hostSentence), or -1.
	hostSent int
	// metaText is the title, speaker, office and event, lower case: what
	// a question about the statement itself may name.
	metaText string
	// ownRelated holds the relations of the statement's own words, looked
	// up once: half the words a question is resolved by are the
	// statement's, and a lookup costs a search of the thesaurus.
	ownRelated map[string][]thesaurus.Related
	// synonyms relates each compound the statement writes open
	// ("cyberspace" of "cyber space") and the statement words it is a
	// synonym of ("internet") both ways (closedSynonyms).
	synonyms map[termID][]termID
}

// scratch is the working storage of answering one message. What is in it
// is valid until the message is answered and the scratch is put back.
type scratch struct {
	// The question words of a part, and the matches of the message's
	// words, which the words of every part may share (analyseIn).
	words []queryWord
	alts  []alt
	// For matching a word by meaning (meaningAlts).
	probe vectors.Probe
	dist  []uint8
	cands []int
	cos   []float64
	// For ranking: the ranking's slices and rank's own (rankIn), and
	// the dense scores' (denseScores).
	rank     []float64
	ints     []int
	byScore  []scored
	centroid centroid
	rows     [][]float32
	ends     []rowEnd
	sims     []float64
}

func (r *Retriever) getScratch() *scratch {
	if sc, ok := r.scratch.Get().(*scratch); ok {
		return sc
	}
	return new(scratch)
}

func (r *Retriever) putScratch(sc *scratch) { r.scratch.Put(sc) }

// grow returns buf resized to n elements, which are not cleared.
func grow[T any](buf []T, n int) []T {
	if cap(buf) < n {
		return make([]T, n)
	}
	return buf[:n]
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
	}, opts.Vectors)
	speaker := map[string]bool{}
	for _, t := range tokenize(nil, doc.Meta.Speaker) {
		speaker[t.word] = true
	}
	citations := make([]string, len(doc.Paragraphs)+1)
	citations[0] = doc.MetaCitation()
	for _, p := range doc.Paragraphs {
		citations[p.Number] = doc.Citation(p)
	}
	m := doc.Meta
	if len(m.Date) >= 4 {
		ix.year, _ = strconv.Atoi(m.Date[:4]) // 0 when it is no year
	}
	var related map[string][]thesaurus.Related
	if opts.Related != nil {
		related = make(map[string][]thesaurus.Related, len(ix.surface))
		for w := range ix.surface {
			if rel := opts.Related.Lookup(w); len(rel) > 0 {
				// Capped, so that appending to it copies.
				related[w] = rel[:len(rel):len(rel)]
			}
		}
	}
	return &Retriever{doc: doc, ix: ix, opts: opts, speaker: speaker, synonyms: closedSynonyms(ix, related), occasion: occasionWords(m.Event), eventHead: eventHead(m.Event),
		citations: citations, metaText: strings.ToLower(m.Source + " " + m.Speaker + " " + m.Office + " " + m.Event), hostSent: ix.hostSentence(),
		ownRelated: related}
}

// closedSynonyms relates the closed form of each compound the statement
// writes open to the statement words that are its synonyms, both ways.
// The statement's own words are the thesaurus's targets, so no relation
// leads to the closed form, which it does not write: "internet" reaches
// "cyber" and "space" apart, each at half weight, but not "cyber space".
// With these, a question's word that matches "Internet" matches "cyber
// space" as strongly, and the other way: the statement calls one thing by
// both names.
func closedSynonyms(ix *index, related map[string][]thesaurus.Related) map[termID][]termID {
	var out map[termID][]termID
	for _, w := range slices.Sorted(maps.Keys(ix.closed)) {
		a, ok := ix.surface[w]
		if !ok {
			continue
		}
		for _, x := range related[w] {
			b, ok := ix.surface[x.Word]
			if x.Weight < 1 || !ok || b == a || slices.Contains(out[a], b) {
				continue
			}
			if out == nil {
				out = map[termID][]termID{}
			}
			out[a] = append(out[a], b)
			out[b] = append(out[b], a)
		}
	}
	return out
}

// relatedOf is what the thesaurus relates w to.
func (r *Retriever) relatedOf(w string) []thesaurus.Related {
	if _, ok := r.ix.surface[w]; ok {
		return r.ownRelated[w]
	}
	return r.opts.Related.Lookup(w)
}

// Document is the statement the retriever answers from.
func (r *Retriever) Document() *Document { return r.doc }

// Ask returns up to top passages answering question, best first, or the
// outcome that says why there are none.
func (r *Retriever) Ask(question string, top int) Answer {
	question = clampQuestion(question)
	ans := Answer{Question: question}
	if top <= 0 {
		top = DefaultPassages
	}
	rd := read(question)
	if len(rd.all) == 0 {
		return ans
	}
	r.fixSlips(&rd)
	// Structure first: "how does the speaker open?" names the speaker but
	// asks about the speech.
	if st, ok := r.structural(rd, top); ok {
		return st.withQuestion(question)
	}
	if e := r.venueAsked(rd); e != "" && r.doc.Meta.Source != "" {
		// The title names the event, which is the nearest reading.
		ans.Outcome = NotAddressed
		ans.Missing = []string{"where the " + e + " took place"}
		ans.Related = []Passage{r.titlePassage(map[string]bool{"event": true})}
		return ans
	}
	if about := r.aboutStatement(rd); about != nil {
		ans.About = true
		ans.Outcome = Answered
		ans.Passages = append(ans.Passages, *about)
		return ans
	}
	results := make([]Answer, 0, len(rd.parts))
	var seen map[string]queryWord
	if len(rd.parts) > 1 {
		seen = map[string]queryWord{}
	}
	sc := r.getScratch()
	defer r.putScratch(sc)
	sc.alts = sc.alts[:0]
	for i, p := range rd.parts {
		a := r.askPart(p, rd.phrases, top, seen, sc)
		for j := range a.Passages {
			a.Passages[j].Part = i
		}
		results = append(results, a)
	}
	return merge(question, results, top)
}

func (a Answer) withQuestion(q string) Answer {
	a.Question = q
	return a
}

// merge combines the answers to the parts of a message: each part's best
// passage first, in the order asked, then the rest by score.
func merge(question string, parts []Answer, top int) Answer {
	if len(parts) == 1 {
		return parts[0].withQuestion(question)
	}
	out := Answer{Question: question}
	seen := map[int]bool{}
	add := func(dst *[]Passage, p Passage) {
		if !seen[p.Paragraph.Number] && len(*dst) < top {
			seen[p.Paragraph.Number] = true
			*dst = append(*dst, p)
		}
	}
	for i, a := range parts {
		if len(a.Passages) > 0 {
			add(&out.Passages, a.Passages[leadOf(parts, i)])
		}
	}
	var rest []Passage
	for _, a := range parts {
		if len(a.Passages) > 1 {
			rest = append(rest, a.Passages[1:]...)
		}
	}
	sort.SliceStable(rest, func(i, j int) bool { return rest[i].Score > rest[j].Score })
	for _, p := range rest {
		add(&out.Passages, p)
	}
	if len(out.Passages) > 0 {
		out.Outcome = Answered
		return out
	}
	// No part answered: not addressed if any part was, else a decline.
	clear(seen)
	for _, a := range parts {
		if a.Outcome != NotAddressed {
			continue
		}
		out.Outcome = NotAddressed
		for _, p := range a.Related {
			add(&out.Related, p)
		}
		for _, m := range a.Missing {
			if !containsString(out.Missing, m) {
				out.Missing = append(out.Missing, m)
			}
		}
	}
	return out
}

// leadOf is the passage that leads part i's answer: its best, unless a
// passage scoring nearly as well (tieRatio) is another part's best, which
// then answers both ("… how non-government actors should take part? And
// … on an equal footing with governments?").
func leadOf(parts []Answer, i int) int {
	ps := parts[i].Passages
	for k, p := range ps {
		if k == 0 {
			continue
		}
		if p.Score < tieRatio*ps[0].Score {
			break
		}
		for j, o := range parts {
			if j != i && len(o.Passages) > 0 && o.Passages[0].Paragraph.Number == p.Paragraph.Number {
				return k
			}
		}
	}
	return 0
}

// tieRatio: see leadOf.
const tieRatio = 0.95

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
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

// askPart answers one question of a message, in sc.
func (r *Retriever) askPart(p part, phrases []phrase, top int, seen map[string]queryWord, sc *scratch) Answer {
	words := r.analyseIn(sc, p.toks, seen)
	ans := Answer{}
	if len(words) == 0 {
		return ans
	}
	rk := r.rankIn(sc, words, phrases)
	if len(rk.order) == 0 {
		return ans
	}
	if r.hostSent >= 0 && hostAsked(p.toks) {
		// Who held the occasion: the sentence that says so, when its
		// passage is among the strong ones.
		r.promote(&rk, decideLook, secondRatio, func(d int) int {
			if d == int(r.ix.sents[r.hostSent].doc) {
				return r.hostSent
			}
			return -1
		})
	}
	if subject := characterised(p.toks, words); len(subject) > 0 {
		// "How does he describe cyberspace?", "does he characterise
		// cyberspace as …": the sentence that says what it is.
		r.promote(&rk, decideLook, secondRatio, func(d int) int { return r.copularSentence(d, subject) })
	}
	// A statement cannot tell what happened after it was given.
	if w := r.afterOccasion(p.toks); w != "" {
		ans.Outcome = NotAddressed
		ans.Missing = []string{"what happened " + w}
		ans.Related = r.related(words, rk, top)
		return ans
	}
	// Nor what was said at another occasion ("last year's workshop").
	if w := r.otherOccasion(p.toks); w != "" {
		ans.Outcome = NotAddressed
		ans.Missing = []string{"another " + w}
		ans.Related = r.related(words, rk, top)
		return ans
	}
	// Nor what someone other than its speaker said.
	if who := r.otherSayer(p.toks); who != "" {
		ans.Outcome = NotAddressed
		ans.Missing = []string{who}
		ans.Related = r.related(words, rk, top)
		return ans
	}
	// A question asking for a kind of fact is answered by the strongest
	// passage whose quoted sentence holds one.
	if kind := askedFact(p.toks); kind != anyFact {
		if kind == placeFact || kind == nameFact || kind == bodyFact {
			// "Which European countries …": the name the question
			// gives bounds the one asked for, and the statement must
			// write it; a neighbour in meaning ("Asia") is another.
			for _, qw := range words {
				if qw.name && qw.weight == 1 && !hasDirect(qw) {
					ans.Outcome = NotAddressed
					ans.Missing = []string{qw.display, factLabel(kind)}
					ans.Related = r.related(words, rk, top)
					return ans
				}
			}
		}
		asked := map[string]bool{}
		for _, t := range p.toks {
			asked[t.word] = true
		}
		bestCover := rk.cover[rk.order[0]]
		if r.promote(&rk, factLook, factRatio, func(d int) int { return r.factSentence(d, kind, asked, words, bestCover, rk) }) {
			goto decide
		}
		missing := append(r.missingNames(words), factLabel(kind))
		ans.Outcome = NotAddressed
		ans.Missing = missing
		ans.Related = r.related(words, rk, top)
		return ans
	}
decide:
	b := rk.order[0]
	missing, missingShare, names := r.missing(words, rk.phraseMissing)
	if len(rk.phraseMissing) > 0 {
		// A quoted phrase the statement lacks is what to name.
		missing = rk.phraseMissing
	}
	rule := r.opts.Decline
	// Whether to answer is judged on the best coverage among the strong
	// passages: the first by score may match the question less fully.
	cover, answers := rk.cover[b], false
	for i, d := range rk.order {
		if i == decideLook || rk.scores[d] < rk.scores[b]*secondRatio {
			break
		}
		cover = max(cover, rk.cover[d])
		answers = answers || rule.answers(rk.cover[d], rk.direct[d], len(words))
	}
	focusMissing := false
	f, mention := focus(p.toks, words)
	if f == nil && len(words) == 1 && words[0].weight == 1 && words[0].name {
		// A name that is the whole topic ("What did he say about
		// Taiwan?") is a focus mentioned or not.
		f, mention = &words[0], true
	}
	if f != nil && (f.isMissing() && (f.spec >= minFocusSpec || f.reach == 0) || mention && (f.name && !hasDirect(*f) || f.reach == 0 && f.weight == 1)) {
		// A name is mentioned or not: "Does he mention Taiwan?" is not
		// answered by what he says of China, however near the two.
		// What was asked about is what is missing: name that, and the
		// names and phrases, not every other unmatched word.
		focusMissing = true
		keep := []string{nameRun(p.toks, f)}
		for _, qw := range words {
			if qw.isMissing() && qw.missingName() && qw.display != f.display {
				keep = append(keep, qw.display)
			}
		}
		missing = append(append([]string(nil), rk.phraseMissing...), keep...)
	}
	switch {
	case answers && (missingShare < rule.MaxMissing || cover >= rule.MissingCover) && !names && !focusMissing:
		ans.Outcome = Answered
		ans.Passages = make([]Passage, 0, min(top, len(rk.order)))
		best := rk.scores[b]
		for _, d := range rk.order {
			if len(ans.Passages) == top || rk.scores[d] < best*secondRatio {
				break
			}
			ans.Passages = append(ans.Passages, r.passage(d, words, rk))
		}
	case len(missing) > 0 && cover >= rule.MinRelated:
		ans.Outcome = NotAddressed
		ans.Missing = missing
		ans.Related = r.related(words, rk, top)
	default:
		// A decline still says what the statement lacks, if it knows.
		ans.Missing = missing
	}
	return ans
}

// promote moves to the front the first passage for which sentence
// returns a sentence (an index into ix.sents, or -1), quoting it, among
// the look strongest that score at least ratio of the best; it reports
// whether one was.
func (r *Retriever) promote(rk *ranking, look int, ratio float64, sentence func(d int) int) bool {
	best := rk.scores[rk.order[0]]
	for i, d := range rk.order {
		if i == look || rk.scores[d] < best*ratio {
			return false
		}
		if s := sentence(d); s >= 0 {
			copy(rk.order[1:i+1], rk.order[:i])
			rk.order[0] = d
			rk.bestSent[d] = s
			return true
		}
	}
	return false
}

// characteriseVerbs ask what something is said to be.
var characteriseVerbs = wordSet(`describe describes described characterise characterises characterised characterize characterizes characterized
portray portrays portrayed depict depicts depicted`)

// characterised returns the words of what a question asks to be
// described: the topic words after a verb of describing, up to "as"
// ("characterise *cyberspace* as a novel domain"), at most three.
func characterised(toks []weightedToken, words []queryWord) []queryWord {
	for i, t := range toks {
		if t.weight < 1 || t.joined || !characteriseVerbs.has(t.word) {
			continue
		}
		var out []queryWord
		for _, u := range toks[i+1:] {
			if u.word == "as" || len(out) == 3 {
				break
			}
			if u.joined || u.stop {
				continue
			}
			if k := wordAt(words, u.word); k >= 0 {
				out = append(out, words[k])
			}
		}
		if len(out) == 0 {
			// "What is cyber space described as?": what comes before.
			for j := i - 1; j >= 0 && len(out) < 3; j-- {
				if u := toks[j]; !u.joined && !u.stop {
					if k := wordAt(words, u.word); k >= 0 {
						out = append(out, words[k])
					}
				}
			}
		}
		return out
	}
	return nil
}

// copulas link a subject to what it is said to be.
var copulas = wordSet(`is are remains remain`)

// copularSentence finds the sentence of passage d that says what a topic
// of the question is: its subject, the first words, matched directly,
// then "is" ("Cyber space is a new frontier …"), or -1.
func (r *Retriever) copularSentence(d int, words []queryWord) int {
	ix := r.ix
	doc := ix.docs[d]
	for _, s := range doc.sents {
		sd := ix.sents[s]
		n := 0
		for _, t := range sd.toks {
			if t.joined {
				continue
			}
			if copulas.has(t.word) {
				if n > 0 {
					return int(s)
				}
				break
			}
			if isStop(t.word) && n == 0 {
				continue // "The Internet is …"
			}
			if !subjectMatched(ix, sd.toks, t, words) || n == 3 {
				break
			}
			n++
		}
	}
	return -1
}

// subjectMatched reports whether the question matches a word of a
// sentence's subject directly, or the closed form of the compound it is
// part of ("cyber" of "cyber space" by "cyberspace").
func subjectMatched(ix *index, toks []token, t token, words []queryWord) bool {
	matched := func(w string) bool {
		id, _, ok := ix.lookup(w)
		return ok && directlyMatched(words, id)
	}
	if matched(t.word) {
		return true
	}
	for _, u := range toks {
		if u.joined && u.start <= t.start && t.end <= u.end && matched(u.word) {
			return true
		}
	}
	return false
}

// directlyMatched reports whether a question word matches term id
// directly.
func directlyMatched(words []queryWord, id termID) bool {
	for _, qw := range words {
		for _, a := range qw.alts {
			if a.term == id && a.kind.direct() {
				return true
			}
		}
	}
	return false
}

// nameRun is how the focus word was written, with the capitalised words
// right after it when it is a name: "United States", not "United".
func nameRun(toks []weightedToken, f *queryWord) string {
	if !f.name || f.pos >= len(toks) {
		return f.display
	}
	out := f.display
	for _, t := range toks[f.pos+1:] {
		if t.joined {
			continue
		}
		if !t.name || t.weight < 1 || !unicode.IsUpper(firstRune(t.display)) {
			break
		}
		out += " " + t.display
	}
	return out
}

// decideLook is how many of the strongest passages the decision to answer
// looks at.
const decideLook = 3

var focusWords = wordSet(`what which much many`)

// talkWords before "about" ask whether something comes up.
var talkWords = wordSet(`talk talks speak speaks`)

// frameTopics, between "what" and the first topic word, make that word
// the topic of what is said, not what is asked for.
var frameTopics = wordSet(`about regarding concerning`)

// mentionWords ask whether the statement speaks of something at all
// ("Does he mention gender gaps …", "Does it discuss sanctions?"): the
// word after one is what was asked about, as after "what".
var mentionWords = wordSet(`mention mentions mentioned discuss discusses discussed address addresses addressed cite cites cited name names named reference references referenced cover covers covered`)

// proposalWords ask whether the statement puts something forward ("Does
// he propose sanctions …", "does it recommend a treaty"): the word after
// one is what was asked about, as after "mention".
var proposalWords = wordSet(`propose proposes proposed recommend recommends recommended endorse endorses endorsed`)

// nextTopic is the question word of the first topic token of toks.
func nextTopic(toks []weightedToken, words []queryWord) *queryWord {
	for _, t := range toks {
		if t.joined || t.stop {
			continue
		}
		if k := wordAt(words, t.word); k >= 0 {
			return &words[k]
		}
		return nil
	}
	return nil
}

// minFocusSpec: a missing focus word this specific ("penalties",
// "deadline") means the question asks for what the statement lacks; so
// does a focus word nothing in the statement relates to at all ("What is
// the budget of …").
const minFocusSpec = minMissingSpec

// focus is the word a "what", "which" or "how much" question asks about:
// the first topic word after the question word ("What are the penalties
// for …" → "penalties", "How much money …" → "money"), or nil; mention
// says it follows a word like "mention", which asks whether the statement
// uses it at all.
func focus(toks []weightedToken, words []queryWord) (f *queryWord, mention bool) {
	for i, t := range toks {
		// "Does he talk about X?" asks whether X comes up, as "does he
		// mention X".
		talk := talkWords.has(t.word) && i+1 < len(toks) && toks[i+1].word == "about"
		if t.weight < 1 || !focusWords.has(t.word) && !mentionWords.has(t.word) && !proposalWords.has(t.word) && !talk {
			continue
		}
		mentioned := mentionWords.has(t.word) || proposalWords.has(t.word) || talk
		for j, u := range toks[i+1:] {
			if u.joined {
				continue
			}
			if u.stop {
				if frameTopics.has(u.word) && !mentioned {
					// "What does he say about spreading the
					// benefits?" asks what he says of it, not for a
					// thing the statement must name, unless nothing
					// in the statement relates to the topic at all:
					// then it asks whether it comes up.
					if w := nextTopic(toks[i+1+j+1:], words); w != nil && w.reach == 0 {
						return w, true
					}
					return nil, false
				}
				continue
			}
			if n := i + 1 + j + 1; n < len(toks) && toks[n].word == "with" {
				// "What's wrong with …", "what is new with …" ask
				// about what follows.
				return nil, false
			}
			if mentioned && strings.HasSuffix(u.word, "ing") {
				// "Does he talk about protecting elections?": the
				// gerund's object is what comes up or not.
				if n := i + 1 + j + 1; n < len(toks) && !toks[n].joined && !toks[n].stop {
					u = toks[n]
				}
			}
			if u.possessive {
				// "what is China's cyber budget": what is asked is
				// China's budget, the head after the possessor.
				head := ""
				for _, v := range toks[i+1+j+1:] {
					if v.joined {
						continue
					}
					if v.stop {
						break
					}
					head = v.word
				}
				if head != "" {
					u.word = head
				}
			}
			if k := wordAt(words, u.word); k >= 0 {
				return &words[k], mentioned
			}
			return nil, false
		}
		return nil, false
	}
	return nil, false
}

// Answer types: how many of the strongest passages are looked at for the
// fact asked, and how close to the best they must score.
const (
	factLook  = 3
	factRatio = 0.5
)

// factSentence finds the best-scoring sentence of passage d (an index into
// ix.sents, or -1) that holds a fact of the kind asked and covers at least
// factCover of what the best passage covers of the question: a date in a
// sentence about something else answers nothing.
func (r *Retriever) factSentence(d int, kind factKind, asked map[string]bool, words []queryWord, bestCover float64, rk ranking) int {
	doc := r.ix.docs[d]
	best := -1
	for _, s := range doc.sents {
		sd := r.ix.sents[s]
		if !r.ix.holdsFact(kind, doc.para.Text[sd.start:sd.end], sd.toks, asked) || r.sentCover(int(s), words) < factCover*bestCover || !r.aboutAsked(int(s), words) {
			continue
		}
		if best < 0 || rk.sent[s] > rk.sent[best] {
			best = int(s)
		}
	}
	return best
}

// aboutAsked reports whether sentence s matches every name the question
// gives and, when the question has other topic words, one of them at
// factWordMin or more: the fact asked is a fact about the names, and
// about what is asked of them, so "When was the UN founded?" is not
// answered by the year in a sentence about what was submitted to the UN.
func (r *Retriever) aboutAsked(s int, words []queryWord) bool {
	others, other := false, false
	for _, qw := range words {
		if qw.weight != 1 {
			continue
		}
		found := r.sentWeight(s, qw) >= factWordMin
		if qw.name {
			if !found {
				return false
			}
			continue
		}
		others = true
		other = other || found
	}
	return other || !others
}

// factWordMin is the least weight of a match that makes a sentence about
// a question word: a loose relation does not.
const factWordMin = 0.3

// sentWeight is the weight of a question word's strongest match in
// sentence s, 0 when it has none there.
func (r *Retriever) sentWeight(s int, qw queryWord) float64 {
	best := 0.0
	for _, a := range qw.alts {
		if a.weight > best && r.ix.sentenceHas(s, a.term) {
			best = a.weight
		}
	}
	return best
}

// factCover: see factSentence.
const factCover = 0.5

// sentCover is the share of the question's weight that sentence s matches.
func (r *Retriever) sentCover(s int, words []queryWord) float64 {
	var total, got float64
	for _, qw := range words {
		wq := qw.weight * qw.spec
		total += wq
		got += r.sentWeight(s, qw) * wq
	}
	if total == 0 {
		return 0
	}
	return got / total
}

func factLabel(k factKind) string {
	switch k {
	case timeFact:
		return "a date or time"
	case numberFact:
		return "a figure"
	case amountFact:
		return "an amount"
	case durationFact:
		return "a length of time"
	case shareFact:
		return "a share or percentage"
	case futureFact:
		return "a date after the statement"
	case placeFact:
		return "a country's name"
	}
	return "a name"
}

// related are the passages offered as reading when the statement does not
// address a question: the best one or two.
func (r *Retriever) related(words []queryWord, rk ranking, top int) []Passage {
	var out []Passage
	if len(rk.order) == 0 {
		return out
	}
	best := rk.scores[rk.order[0]]
	for _, d := range rk.order {
		if len(out) == min(top, 2) || rk.scores[d] < best*0.6 {
			break
		}
		out = append(out, r.passage(d, words, rk))
	}
	return out
}

// secondRatio is how close to the best score a further passage must come
// to be returned at all.
const secondRatio = 0.35

// passage builds the answer passage for document d: its citation, the
// matches that hit it, the spans to highlight and the sentences to quote.
func (r *Retriever) passage(d int, words []queryWord, rk ranking) Passage {
	doc := r.ix.docs[d]
	p := Passage{Paragraph: doc.para, Score: math.Round(rk.scores[d]*1000) / 1000}
	p.Citation = r.citation(doc.para)
	// The matches and highlights are gathered on the stack and copied
	// out once.
	var hitBuf [maxQueryWords]termID
	var matchBuf [16]Match
	hit, matches := hitBuf[:0], matchBuf[:0]
	for _, qw := range words {
		for _, a := range qw.alts {
			if r.ix.has(d, a.term) {
				matches = append(matches, Match{Query: qw.text, Word: a.word, Kind: a.kind})
				hit = append(hit, a.term)
				break
			}
		}
	}
	if len(matches) > 0 {
		p.Matches = append([]Match(nil), matches...)
	}
	var spanBuf [32]Span
	highlights := spanBuf[:0]
	for _, s := range doc.spans {
		if !slices.Contains(hit, s.term) {
			continue
		}
		sp := Span{int(s.start), int(s.end)}
		if k := len(highlights); k > 0 && highlights[k-1].End >= sp.Start {
			highlights[k-1].End = max(highlights[k-1].End, sp.End)
			continue
		}
		highlights = append(highlights, sp)
	}
	if len(highlights) > 0 {
		p.Highlights = append([]Span(nil), highlights...)
	}
	p.Quote = r.quote(d, rk)
	return p
}

// has reports whether passage d has term id, and sentenceHas whether
// sentence s has it.
func (ix *index) has(d int, id termID) bool { return posted(ix.postings[id], d) }

func (ix *index) sentenceHas(s int, id termID) bool { return posted(ix.spostings[id], s) }

// posted reports whether a posting list, sorted by doc, holds doc d.
func posted(ps []posting, d int) bool {
	i := sort.Search(len(ps), func(i int) bool { return ps[i].doc >= int32(d) })
	return i < len(ps) && ps[i].doc == int32(d)
}

// citation is paragraph p's citation.
func (r *Retriever) citation(p Paragraph) string {
	if p.Number >= 0 && p.Number < len(r.citations) {
		return r.citations[p.Number]
	}
	return r.doc.Citation(p)
}
