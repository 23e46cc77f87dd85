package knowledge

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A message as people send it in chat is more than a question: a greeting,
// some context about who asks and why, one or two questions, thanks. The
// retriever reads it first, so that the preamble's words do not outvote the
// question's and each question of a two-part message gets its own answer.

// contextWeight is how much a word of a sentence that is not a question
// counts when the message also asks one: context can tell what "it" is
// ("… the Code of Conduct in briefings. Who submitted it?"), but it is not
// what was asked.
const contextWeight = 0.35

// maxParts bounds the questions of one message answered separately.
const maxParts = 3

// part is one question of a message, with the words that count for it.
type part struct {
	text string
	toks []weightedToken
}

type weightedToken struct {
	token
	weight  float64
	display string // as written
	name    bool   // written as a name, an acronym or a number
	stop    bool   // carries no topic
}

// annotate reads how a token was written in its sentence.
func annotate(t token, sentence string, weight float64) weightedToken {
	wt := weightedToken{token: t, weight: weight, display: sentence[t.start:t.end]}
	caps := allCaps(wt.display)
	// "US" and "IT" written in capitals are names, not "us" and "it".
	wt.stop = isStop(t.word) && !caps
	r, _ := utf8.DecodeRuneInString(wt.display)
	wt.name = caps || unicode.IsDigit(r) || (unicode.IsUpper(r) && t.start > 0 && wt.display != "I") || calendarNames.has(t.word)
	return wt
}

// calendarNames are the names of days and months, names however they are
// typed ("lunch on friday"); "may", "march" and "august" are words too.
var calendarNames = wordSet(`monday tuesday wednesday thursday friday saturday sunday january february april june july september october november december`)

// allCaps reports a word of two or more letters all in capitals ("UN",
// "ICANN", "CBMs" counts: its letters before the plural are capitals).
func allCaps(s string) bool {
	s = strings.TrimSuffix(s, "s")
	n := 0
	for _, r := range s {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n >= 2
}

// phrase is a quoted phrase of the question: its tokens must meet in the
// statement in order.
type phrase struct {
	text string
	toks []token
	// name says it is a name written in capitals (namePhrases), not
	// quoted: what is missing is the name, not a quotation.
	name bool
}

// reading is a message read for retrieval.
type reading struct {
	parts   []part
	phrases []phrase
	// all is every token of the message with its weight, for questions
	// answered as a whole (structure, metadata).
	all []weightedToken
}

// courtesy words open and close messages without asking anything.
var courtesy = wordSet(`hi hello hey hiya yo greetings morning afternoon evening good dear
thanks thank thx ty cheers appreciated appreciate sorry bot folks guys pls plz please bye regards ta`)

// thanks open a sentence that only thanks, whatever follows.
var thanks = wordSet(`thanks thank thx ty cheers great perfect brilliant`)

// isCourtesy reports whether a sentence only greets, thanks or signs off:
// it has a courtesy word and nothing but stop words besides.
func isCourtesy(toks []token) bool {
	polite := false
	for _, t := range toks {
		switch {
		case courtesy.has(t.word):
			polite = true
		case !isStop(t.word):
			return false
		}
	}
	return polite
}

// read splits a message into its questions and context.
func read(msg string) reading {
	var rd reading
	rd.phrases = append(quotedPhrases(msg), namePhrases(msg)...)
	type sentence struct {
		text     string
		toks     []weightedToken // read at weight 1
		question bool
	}
	// A message that shouts is not all acronyms.
	shouting := allCaps(strings.TrimRightFunc(msg, unicode.IsSpace))
	var sents []sentence
	asks := 0
	for _, c := range questionClauses(msg, Sentences(msg)) {
		text, toks := msg[c.Start:c.End], c.toks
		q := !c.lead && strings.HasSuffix(strings.TrimRight(msg[c.Start:c.sentenceEnd], "\"'”’) "), "?")
		polite := len(toks) > 0 && isCourtesy(toks)
		if polite && (whWords.has(toks[0].word) && (q || len(toks) > 2 && auxiliaries.has(toks[1].word)) || courtesyVerb(text, toks)) {
			// "Who does he thank?" asks, and so do "who did he
			// thank" unmarked and "does he thank anyone"; "Thanks,
			// bot!" does not.
		} else if len(toks) == 0 || polite || !q && thanks.has(toks[0].word) {
			// "Thanks, that's helpful!" signs off; it asks nothing.
			continue
		}
		if q {
			asks++
		}
		sents = append(sents, sentence{text, weigh(text, toks, polite, shouting), q})
	}
	// Context counts for every question; a question with no topic word
	// of its own ("Is that in this speech?") leans on it fully.
	var context []weightedToken
	for _, s := range sents {
		if asks > 0 && !s.question {
			context = appendScaled(context, s.toks, contextWeight)
		}
	}
	// lastTopical is the own words of the latest question that had a
	// topic: what a question without one ("And when?") is about. Only
	// its own, never what it leaned on, so that a message of a thousand
	// "a?" costs a thousand words, not half a million.
	var lastTopical []weightedToken
	var prev []weightedToken // the latest sentence of context before this question
	n := 0
	for _, s := range sents {
		n += len(s.toks)
	}
	rd.all = make([]weightedToken, 0, n)
	for _, s := range sents {
		if asks > 0 && !s.question {
			rd.all = appendScaled(rd.all, s.toks, contextWeight)
			prev = s.toks
			continue
		}
		rd.all = append(rd.all, s.toks...)
		if asks == 0 {
			// No question mark: the whole message is one query.
			if len(rd.parts) == 0 {
				rd.parts = append(rd.parts, part{text: s.text})
			} else {
				rd.parts[0].text += " " + s.text
			}
			rd.parts[0].toks = append(rd.parts[0].toks, s.toks...)
			continue
		}
		// The part's own copy: context and earlier words are appended
		// to it.
		p := part{text: s.text, toks: s.toks[:len(s.toks):len(s.toks)]}
		if topical(p.toks) == 0 {
			// Lean on the context, and on the question before. The
			// sentence just before is what "that" points at ("She
			// wants to understand … Does the speech cover that?"):
			// when it has a topic, it is the question.
			if topical(prev) > 0 {
				p.toks = append(p.toks, raise(prev)...)
			} else {
				p.toks = append(p.toks, raise(context)...)
			}
			p.toks = append(p.toks, lastTopical...)
		} else {
			lastTopical = p.toks
			p.toks = append(p.toks, context...)
		}
		rd.parts = append(rd.parts, p)
		prev = nil // a later "that" points at this question, not past it
	}
	if len(rd.parts) > maxParts {
		// More questions than a reply should answer separately: read
		// the rest as one.
		last := &rd.parts[maxParts-1]
		for _, p := range rd.parts[maxParts:] {
			last.text += " " + p.text
			last.toks = append(last.toks, p.toks...)
		}
		rd.parts = rd.parts[:maxParts]
	}
	return rd
}

// weigh reads a sentence's tokens at weight 1: courtesy words dropped
// unless they are its topic (polite), what it sets aside weighed down,
// names and stop words marked.
func weigh(text string, toks []token, polite, shouting bool) []weightedToken {
	aside := setAside(text, toks)
	skip := markup(text)
	out := make([]weightedToken, 0, len(toks))
	for i, t := range toks {
		if courtesy.has(t.word) && !t.joined && !polite && !courtesyVerbAt(text, toks, i) {
			// "Thanks!" signs off; "where he thanks somebody" and "who
			// does Li thank" ask.
			continue
		}
		if skip != nil && skip[t.start] {
			// Who is addressed, and emoji, are not what is asked.
			continue
		}
		wt := annotate(t, text, 1)
		if aside[i] {
			wt.weight *= asideWeight
		}
		if shouting {
			wt.name, wt.stop = false, isStop(t.word)
		}
		if wt.stop && pluralNoun(toks, i) {
			wt.stop = false
		}
		if prefixPart(text, t) {
			// "anti" of "anti-poverty" is no topic of its own.
			wt.stop = true
		}
		if framingNoun(toks, i) {
			// "Is there a line about …" asks for a passage about it.
			wt.stop = true
		}
		if stance(toks, i) || viewNoun(toks, i) {
			// "Is he optimistic about technology?" and "what's his
			// take on technology?" ask what he says of technology; the
			// statement need not use the word.
			wt.stop = true
		}
		out = append(out, wt)
	}
	return out
}

// markup marks the bytes of text that are chat markup, not words: a
// handle, from its "@" up to the next space ("@policybot",
// "@alice:example.org"), and an emoji shortcode (":thinking_face:",
// ":+1:"). It is nil when text has neither, as most messages do not.
func markup(text string) []bool {
	at, colon := strings.IndexByte(text, '@'), strings.IndexByte(text, ':')
	if at < 0 && colon < 0 {
		return nil
	}
	var marks []bool
	mark := func(from, to int) {
		if marks == nil {
			marks = make([]bool, len(text))
		}
		for i := from; i < to; i++ {
			marks[i] = true
		}
	}
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '@':
			j := i
			for j < len(text) && !isSpaceByte(text[j]) {
				j++
			}
			mark(i, j)
			i = j
		case ':':
			// A shortcode stands apart from words, and its name is
			// two or more lower-case letters, digits, "_", "+" and
			// "-", not all digits: "10:30:00" is a time, "a:b" no
			// emoji.
			if i > 0 && wordByte(text[i-1]) {
				continue
			}
			j, digits := i+1, true
			for j < len(text) && shortcodeByte(text[j]) {
				digits = digits && text[j] >= '0' && text[j] <= '9'
				j++
			}
			if j < len(text) && text[j] == ':' && j >= i+3 && !digits && (j+1 == len(text) || !wordByte(text[j+1])) {
				mark(i, j+1)
				i = j
			}
		}
	}
	return marks
}

// wordByte reports an ASCII letter or digit, or a byte of a non-ASCII
// rune, which may be a letter.
func wordByte(c byte) bool { return c >= utf8.RuneSelf || asciiWord[c] }

func shortcodeByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '+' || c == '-'
}

// appendScaled appends toks to dst with their weights scaled by w.
func appendScaled(dst, toks []weightedToken, w float64) []weightedToken {
	dst = slices.Grow(dst, len(toks))
	for _, t := range toks {
		t.weight *= w
		dst = append(dst, t)
	}
	return dst
}

// asideWeight scales the words a question sets aside ("Apart from
// spying, what other risks …"): the asker knows about them already, so the
// answer is the passage about the rest, though they still tell which part
// of the statement is meant.
const asideWeight = 0.35

// setAside marks the tokens a question sets aside: those after "apart
// from", "aside from", "besides", "other than", "except" or "excluding",
// up to the next comma, semicolon or dash, or the end of the sentence.
func setAside(text string, toks []token) map[int]bool {
	var out map[int]bool
	for i := 0; i < len(toks); i++ {
		n := asideMarker(toks, i)
		if n == 0 {
			continue
		}
		from := i + n
		for j := from; j < len(toks); j++ {
			// A compound's joined form overlaps its parts ("Besides-0"
			// reads "besides", "0", "besides0"): only a gap between
			// words can hold a comma.
			if j > from && toks[j-1].end <= toks[j].start && strings.ContainsAny(text[toks[j-1].end:toks[j].start], ",;:—–") {
				break
			}
			if out == nil {
				out = map[int]bool{}
			}
			out[j] = true
			i = j
		}
	}
	return out
}

// asideMarker is the length in tokens of the marker at toks[i], or 0.
func asideMarker(toks []token, i int) int {
	next := func(w string) bool { return i+1 < len(toks) && toks[i+1].word == w }
	switch toks[i].word {
	case "apart", "aside":
		if next("from") {
			return 2
		}
	case "other":
		if next("than") {
			return 2
		}
	case "besides", "except", "excluding":
		return 1
	}
	return 0
}

// clause is a question of a sentence that asks two ("who organised the
// workshop, and what does he say about norms?"), with the end of its
// sentence, whose mark tells whether it asks.
type clause struct {
	Span
	sentenceEnd int
	toks        []token // offsets into the clause's text
	// lead is a lead-in before a colon and the question after it ("For
	// our report: what does he say …"): context, not a question.
	lead bool
}

// questionClauses splits each sentence where a second question begins
// after a comma and a conjunction, or after a semicolon: ", and what …",
// "; who …". A comma alone ("countries that, when attacked, …") splits
// nothing.
func questionClauses(msg string, sents []Span) []clause {
	out := make([]clause, 0, len(sents))
	for _, sp := range sents {
		text := msg[sp.Start:sp.End]
		toks := tokenize(nil, text)
		from, first := 0, 0
		if j := leadIn(text, toks); j > 0 {
			out = append(out, clause{Span{sp.Start, sp.Start + toks[j-1].end}, sp.End, toks[:j:j], true})
			from, first = toks[j].start, j
		}
		for j := 2; j < len(toks); j++ {
			if !whWords.has(toks[j].word) && toks[j].word != "how" || toks[j].joined {
				continue
			}
			gap := text[toks[j-1].end:toks[j].start]
			if toks[j-1].end > toks[j].start || toks[j-2].end > toks[j-1].start || joinedBy(gap) {
				continue // inside a compound ("or-how" is one word)
			}
			cut, next := -1, j-1
			switch {
			case strings.Contains(gap, ";"):
				cut, next = toks[j-1].end, j
			case clauseJoiners.has(toks[j-1].word) && strings.Contains(text[toks[j-2].end:toks[j-1].start], ","):
				cut = toks[j-2].end
			}
			if cut > from {
				// An apology or a greeting before it is no question of
				// its own: "Sorry for the dumb question, but when …"
				// asks one thing.
				lead := opensCourtesy(toks[first:next])
				out = append(out, clause{Span{sp.Start + from, sp.Start + cut}, sp.End, rebase(toks[first:next], from), lead})
				from, first = toks[j].start, j
			}
		}
		out = append(out, clause{Span{sp.Start + from, sp.End}, sp.End, rebase(toks[first:], from), false})
	}
	return out
}

// opensCourtesy reports whether toks open with a courtesy word ("sorry",
// "hi", "thanks").
func opensCourtesy(toks []token) bool {
	return len(toks) > 0 && courtesy.has(toks[0].word)
}

// leadIn returns the index of the token that opens a question after a
// colon ("quick q before the call: does the speech …", "Question: what
// …"), or 0 when the sentence has no such lead-in.
func leadIn(text string, toks []token) int {
	for j := 1; j < len(toks); j++ {
		w := toks[j].word
		if toks[j].joined || !whWords.has(w) && w != "how" && !auxiliaries.has(w) {
			continue
		}
		gap := text[toks[j-1].end:toks[j].start]
		if toks[j-1].end <= toks[j].start && strings.Contains(gap, ":") && !strings.Contains(text[:toks[j].start], "?") {
			return j
		}
	}
	return 0
}

// joinedBy reports whether the text between two tokens is one joiner, a
// hyphen or dash within a compound.
func joinedBy(gap string) bool {
	r, n := utf8.DecodeRuneInString(gap)
	return n == len(gap) && isJoiner(r)
}

// rebase shifts tokens' offsets to a text that starts at from.
func rebase(toks []token, from int) []token {
	if from == 0 {
		return toks
	}
	for i := range toks {
		toks[i].start -= from
		toks[i].end -= from
	}
	return toks
}

// clauseJoiners join a second question to a first after a comma.
var clauseJoiners = wordSet(`and or plus also but`)

func raise(toks []weightedToken) []weightedToken {
	out := make([]weightedToken, len(toks))
	for i, t := range toks {
		out[i] = t
		out[i].weight = 1
	}
	return out
}

// topical counts the words that can carry a topic.
func topical(toks []weightedToken) int {
	n := 0
	for _, t := range toks {
		if !t.joined && !t.stop {
			n++
		}
	}
	return n
}

// quotedPhrases finds phrases of two or more words in quotes: 'community
// of common destiny', "cyber terrorism", “major cyber state”. A lone
// apostrophe inside a word ("China's") opens nothing.
func quotedPhrases(msg string) []phrase {
	var out []phrase
	pairs := []struct{ open, close string }{{"\"", "\""}, {"“", "”"}, {"‘", "’"}, {"'", "'"}}
	for _, p := range pairs {
		rest := msg
		for {
			i := strings.Index(rest, p.open)
			if i < 0 {
				break
			}
			// An opening quote starts a word: nothing or a non-letter
			// before it.
			if i > 0 && isWordRune(lastRune(rest[:i])) {
				rest = rest[i+len(p.open):]
				continue
			}
			body := rest[i+len(p.open):]
			j := closingQuote(body, p.close)
			if j < 0 {
				break
			}
			text := body[:j]
			toks := tokenize(nil, text)
			content := 0
			for _, t := range toks {
				if !t.joined && !isStop(t.word) {
					content++
				}
			}
			if content >= 2 && len(text) <= 120 {
				out = append(out, phrase{text: text, toks: toks})
			}
			rest = body[j+len(p.close):]
		}
	}
	return out
}

// instrumentHeads end the names of laws, treaties, plans and bodies:
// "the Data Security Law", "the Tallinn Manual", "the Belt and Road
// Initiative". Such a name is one thing, which the statement names as a
// whole or not at all: that it says "data", "security" and "law"
// somewhere does not make it speak of the law.
var instrumentHeads = wordSet(`law laws act acts convention conventions treaty treaties strategy manual agreement accord declaration charter code
initiative plan programme program regulation regulations framework report resolution protocol directive forum conference summit council
commission agency organization organisation alliance partnership roadmap guidelines group`)

// nameConnectors may stand inside a name between its capitalised words
// ("Code of Conduct", "Belt and Road").
var nameConnectors = wordSet(`of on for and the in`)

// namePhrases finds the names of instruments and bodies written in
// capitals, as phrases the statement must hold: two or more capitalised
// words ending in an instrument's head ("China's Cybersecurity Law" →
// "Cybersecurity Law"). A sentence's first word, and a message in title
// case, say nothing of names.
func namePhrases(msg string) []phrase {
	// Most messages have no two capitals past their first letter.
	capitals := 0
	for i := 1; i < len(msg) && capitals < 2; i++ {
		if msg[i] >= 'A' && msg[i] <= 'Z' || msg[i] >= utf8.RuneSelf {
			capitals++
		}
	}
	if capitals < 2 {
		return nil
	}
	toks := tokenize(nil, msg)
	upper := func(t token) bool { return unicode.IsUpper(firstRune(msg[t.start:t.end])) }
	words, caps := 0, 0
	for _, t := range toks {
		if !t.joined {
			words++
			if upper(t) && !sentenceStart(msg, t.start) {
				caps++
			}
		}
	}
	if words == 0 || 3*caps > 2*words {
		return nil
	}
	var out []phrase
	for i := 0; i < len(toks); {
		t := toks[i]
		if t.joined || !upper(t) || sentenceStart(msg, t.start) {
			i++
			continue
		}
		// The run of capitalised words from t, with connectors inside,
		// up to its last head: "the Budapest Convention on Cybercrime"
		// is a convention.
		// headAt counts the words up to the last head, headEnd is where
		// it ends.
		start, n, headAt, headEnd, prev := t.start, 1, 0, 0, t
		j := i + 1
		for j < len(toks) {
			u := toks[j]
			if u.joined {
				j++
				continue
			}
			written := msg[prev.start:prev.end]
			if strings.TrimLeft(msg[prev.end:u.start], " -") != "" || strings.ContainsAny(written, "'’") {
				// Punctuation, or a possessive ("China's"), ends it.
				break
			}
			if upper(u) {
				n++
				if instrumentHeads.has(u.word) {
					headAt, headEnd = n, u.end
				}
			} else if !nameConnectors.has(u.word) || j+1 >= len(toks) || !upper(toks[j+1]) {
				break
			}
			prev = u
			j++
		}
		if headAt >= 2 {
			text := msg[start:headEnd]
			out = append(out, phrase{text: text, toks: tokenize(nil, text), name: true})
		}
		i = j
	}
	return out
}

// sentenceStart reports whether the word at byte i opens a sentence.
func sentenceStart(msg string, i int) bool {
	before := strings.TrimRight(msg[:i], " \t\n\"'“‘(")
	return before == "" || strings.ContainsRune(".?!:", lastRune(before))
}

// closingQuote finds the quote that closes a phrase: one not followed by a
// letter ("it's" does not close 'its').
func closingQuote(s, q string) int {
	at := 0
	for {
		j := strings.Index(s[at:], q)
		if j < 0 {
			return -1
		}
		j += at
		after := s[j+len(q):]
		if after == "" || !isWordRune(firstRune(after)) {
			return j
		}
		at = j + len(q)
	}
}

func lastRune(s string) rune {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] < 0x80 || s[i] >= 0xC0 {
			r := []rune(s[i:])
			if len(r) > 0 {
				return r[0]
			}
		}
	}
	return 0
}

// nounPlurals are question scaffolding as verbs ("he talks about") and
// topics as nouns ("internet talks", "the talks").
var nounPlurals = wordSet(`talks`)

// determiners open a noun phrase.
var determiners = wordSet(`a an the any these those such no their its his our`)

// pluralNoun reports whether toks[i], a scaffolding verb that is also a
// plural noun, is the noun: after a determiner, a lower-case content word
// or a verb that takes an object, and not before "about", "of" or "on"
// ("internet talks" and "want talks", but not "the speech talks about",
// "the minister talks about").
func pluralNoun(toks []token, i int) bool {
	if !nounPlurals.has(toks[i].word) || i == 0 || toks[i].joined {
		return false
	}
	prev := -1
	for j := i - 1; j >= 0; j-- {
		if !toks[j].joined {
			prev = j
			break
		}
	}
	if prev < 0 {
		return false
	}
	if i+1 < len(toks) && nounFollowers.has(toks[i+1].word) {
		return false
	}
	p := toks[prev].word
	return determiners.has(p) || objectVerbs.has(p) || !isStop(p) && !unicode.IsDigit(firstRune(p))
}

var nounFollowers = wordSet(`about of on`)

// objectVerbs are scaffolding verbs that take a noun after them: "does
// he want talks", "does it urge talks", where the verb reading of
// "talks" would need a subject before it ("he talks", "the speech talks").
var objectVerbs = wordSet(`want wants need needs needed urge urges urged suggest suggests suggested mention mentions mentioned get gets got give gives gave make makes made`)

// prefixPart reports a prefix written with a hyphen before the rest of
// its word ("anti-poverty", "multi-stakeholder").
func prefixPart(text string, t token) bool {
	return !t.joined && t.end < len(text) && isJoiner(firstRune(text[t.end:])) && slices.Contains(prefixes, t.word)
}

// auxiliaries follow the question word of an unmarked question ("who did
// he thank").
var auxiliaries = wordSet(`do does did is are was were has have had will would can could should`)

// whWords open a question that asks for something.
var whWords = wordSet(`who whom what which why when`)

// stanceWords name an attitude. Before what it is towards ("optimistic
// about", "critical of") one asks for the speaker's view of that, which
// the passage on it gives in its own words.
var stanceWords = wordSet(`optimistic pessimistic hopeful worried concerned anxious positive negative critical sceptical skeptical
upbeat confident enthusiastic keen supportive dismissive hostile friendly angry happy unhappy satisfied dissatisfied fearful afraid
nervous bullish bearish cynical`)

// framingNouns name a piece of the statement; before "about" or "on"
// they ask for the piece about that ("a line about", "the bit on"), and
// name no topic.
var framingNouns = wordSet(`line lines bit bits passage passages section sections sentence sentences quote quotes paragraph paragraphs`)

// framingNoun reports whether toks[i] is a framing noun before what the
// piece is about.
func framingNoun(toks []token, i int) bool { return before(toks, i, framingNouns, framingTargets) }

// framingTargets introduce what a piece of the statement is about.
var framingTargets = wordSet(`about on where regarding concerning`)

// before reports whether toks[i] is a word of heads whose next word is
// one of next.
func before(toks []token, i int, heads, next *lexicon) bool {
	if !heads.has(toks[i].word) || toks[i].joined {
		return false
	}
	for _, t := range toks[i+1:] {
		if !t.joined {
			return next.has(t.word)
		}
	}
	return false
}

// stanceTargets introduce what an attitude is towards.
var stanceTargets = wordSet(`about of on over towards toward regarding with`)

// viewNouns name a view. Before what it is of ("his take on", "his
// thoughts about", "the pitch on") one asks for what he says of that.
// "his line on" is a framing noun's reading already.
var viewNouns = wordSet(`view views take stance stances position positions pitch thoughts thinking opinion opinions verdict message argument arguments attitude feelings perspective outlook standpoint angle spin`)

// viewTargets introduce what a view is of.
var viewTargets = wordSet(`about on regarding concerning towards toward`)

// viewNoun reports whether toks[i] is a view noun with what the view is of
// after it.
func viewNoun(toks []token, i int) bool { return before(toks, i, viewNouns, viewTargets) }

// stance reports whether toks[i] is an attitude word with what it is
// towards right after it ("optimistic about", "critical of").
func stance(toks []token, i int) bool { return before(toks, i, stanceWords, stanceTargets) }

// pronouns before a courtesy word make it a verb: "he thanks".
var pronouns = wordSet(`he she they it who`)

// courtesyVerb reports whether a courtesy word of the sentence has a
// subject just before it ("does he thank anyone"), which makes it a verb.
func courtesyVerb(text string, toks []token) bool {
	for i := range toks {
		if courtesyVerbAt(text, toks, i) {
			return true
		}
	}
	return false
}

// courtesyVerbAt reports whether toks[i] is a courtesy word with its
// subject just before it.
func courtesyVerbAt(text string, toks []token, i int) bool {
	return i > 0 && courtesy.has(toks[i].word) && !toks[i].joined && courtesySubject(text, toks[i-1], toks[i])
}

// courtesySubject reports whether t, just before a courtesy word, is its
// subject, which makes it a verb: a pronoun, the speaker as the question
// calls him ("the minister thanks"), or a name ("does Li thank").
func courtesySubject(text string, t, courtesy token) bool {
	if t.end > courtesy.start || strings.TrimSpace(text[t.end:courtesy.start]) != "" {
		// A part of the same compound ("t-a"), or punctuation between:
		// "Li, thanks" thanks Li.
		return false
	}
	written := text[t.start:t.end]
	return pronouns.has(t.word) || shapeRefs.has(t.word) && !isStop(t.word) ||
		t.start > 0 && unicode.IsUpper(firstRune(written)) && written != "I" && !sentenceStart(text, t.start)
}
