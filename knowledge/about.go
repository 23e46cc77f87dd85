package knowledge

import (
	"regexp"
	"strings"
)

// Questions about the statement itself — who gave it, in what role, when,
// at which event — are answered from its metadata and cite the title and
// date lines. They are recognised by an asking word for one of those facts
// together with a word that refers to the statement or its speaker, so
// that "who is hosting this workshop?" (about the event's content) still
// goes to the body.
var (
	aboutAsks = map[string]string{
		"who": "speaker", "whom": "speaker", "speaker": "speaker", "author": "speaker", "name": "speaker",
		"role": "office", "position": "office", "office": "office", "title": "office", "job": "office", "post": "office", "capacity": "office", "rank": "office",
		"represent": "office", "represents": "office", "representing": "office",
		"when": "date", "date": "date", "day": "date", "year": "date", "month": "date", "dated": "date", "time": "date", "hour": "date",
		"event": "event", "occasion": "event", "venue": "event", "where": "event", "conference": "event", "ceremony": "event",
	}
	aboutRefs = wordSet(`speech address statement talk remarks keynote speaker spoke speak speaking delivered deliver
delivering gave give given giving author wrote written he his him held official formal`)
)

// officeWords only place an office asked about: "his position in the
// government", "what post did he hold".
var officeWords = wordSet(`government governments ministry administration cabinet state country china chinese official hold holds holding occupy occupies occupied serve serves served serving`)

// aboutStatement returns the metadata passage when the question asks about
// the statement itself, else nil.
func (r *Retriever) aboutStatement(rd reading) *Passage {
	m := r.doc.Meta
	if m.Source == "" {
		return nil
	}
	toks := make([]weightedToken, 0, len(rd.all))
	for _, t := range rd.all {
		if t.weight == 1 {
			toks = append(toks, t)
		}
	}
	// "How does the speaker define it?" and "why did he give it?" ask
	// about the content, whoever is named; "who spoke after Li?" about
	// what no statement can tell.
	if len(toks) > 0 && (toks[0].word == "how" || toks[0].word == "why") || r.afterOccasion(toks) != "" {
		return nil
	}
	asks := map[string]bool{}
	refs := false
	topics := 0
	for _, t := range toks {
		if f, ok := aboutAsks[t.word]; ok {
			asks[f] = true
		} else if !t.joined && !t.stop {
			topics++
		}
		if aboutRefs.has(t.word) || r.occasion[t.word] {
			refs = true
		}
	}
	// A question of nothing but the fact it asks for ("What was the
	// occasion?") can only be about the statement, unless the message's
	// other sentences give it a topic that is not the statement ("… find
	// the part where he thanks somebody. Where is it?").
	refs = refs || topics == 0 && !r.contentContext(rd)
	// Naming the speaker counts as referring to the statement.
	for _, t := range toks {
		refs = refs || r.speaker[t.word]
	}
	if len(asks) == 0 || !refs {
		return nil
	}
	// A question whose topic words lie outside the metadata is about the
	// content ("when did China establish the leading group?").
	metaText := r.metaText
	for _, t := range toks {
		if t.joined || t.stop {
			continue
		}
		if _, ask := aboutAsks[t.word]; ask || aboutRefs.has(t.word) || asks["office"] && officeWords.has(t.word) {
			continue
		}
		if !strings.Contains(metaText, t.word) {
			return nil
		}
	}
	p := r.titlePassage(asks)
	return &p
}

// titlePassage is the title and date lines as a passage, with the
// metadata fields asked about ("office", "speaker", "event", "date")
// highlighted.
func (r *Retriever) titlePassage(asks map[string]bool) Passage {
	m := r.doc.Meta
	p := Passage{
		Paragraph: Paragraph{Number: 0, Text: m.Source, Offset: strings.Index(r.doc.Source, m.Source)},
		Citation:  r.citations[0],
		Score:     1,
		Quote:     Span{0, len(m.Source)},
	}
	mark := func(field, s string) {
		if !asks[field] || s == "" {
			return
		}
		if i := strings.Index(m.Source, s); i >= 0 {
			p.Highlights = append(p.Highlights, Span{i, i + len(s)})
			p.Matches = append(p.Matches, Match{Query: field, Word: strings.ToLower(s), Kind: MatchExact})
		}
	}
	mark("office", m.Office)
	mark("speaker", m.Speaker)
	mark("event", m.Event)
	mark("date", m.Date)
	sortSpans(p.Highlights)
	return p
}

// venueAsked returns the occasion's noun when the question asks where
// the occasion itself took place ("where was the workshop held?"): the
// metadata names the occasion, not its place, so "where did he speak?"
// is answered by the event and this is not. Otherwise "".
func (r *Retriever) venueAsked(rd reading) string {
	where, event, statement := false, "", false
	for i, t := range rd.all {
		switch {
		case t.weight < 1 || t.joined:
		case t.word == "where":
			where = true
		case (t.word == "which" || t.word == "what") && i+1 < len(rd.all) && placeNouns.has(rd.all[i+1].word):
			// "Which city was the workshop in?"
			where = true
		case statementNouns.has(t.word) || aboutRefs.has(t.word) && t.word != "held":
			// The speech, or he: where it was given.
			statement = true
		case t.word == r.eventHead || eventNouns.has(t.word):
			event = t.word
		}
	}
	if !where || statement {
		return ""
	}
	return event
}

func sortSpans(s []Span) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j].Start < s[j-1].Start; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// placeNouns after "which" ask where: "which city".
var placeNouns = wordSet(`city town country place venue location building hotel`)

// statementNouns are what people call a statement.
var statementNouns = wordSet(`speech address remarks statement talk`)

// occasionWords are statementNouns and the head noun of the event the
// statement was given at: "workshop" in "the International Workshop on
// Information and Cyber Security", the word before its first preposition.
func occasionWords(event string) map[string]bool {
	out := map[string]bool{}
	for w := range statementNouns.m {
		out[w] = true
	}
	if h := eventHead(event); h != "" {
		out[h] = true
	}
	return out
}

// eventHead is the head noun of an event's name: the word before its
// first preposition, else its last word.
func eventHead(event string) string {
	toks := tokenize(nil, event)
	for i, t := range toks {
		if i > 0 && (t.word == "on" || t.word == "of" || t.word == "for") {
			return toks[i-1].word
		}
	}
	if len(toks) > 0 {
		return toks[len(toks)-1].word
	}
	return ""
}

// eventNouns name an occasion of any kind: in a question about this
// statement they mean its occasion, whatever the statement calls it.
var eventNouns = wordSet(`event conference meeting forum seminar symposium summit workshop ceremony`)

// afterOccasion returns when the question asks about, relative to the
// statement or its occasion ("after the workshop" for "since the
// workshop", "before the speech" for "who spoke before Li?"), and ""
// otherwise. "After the principles" asks about the statement's order and
// is no such question.
func (r *Retriever) afterOccasion(toks []weightedToken) string {
	for i, t := range toks {
		if t.weight < 1 || t.joined || (t.word != "after" && t.word != "since" && t.word != "following" && t.word != "before") {
			continue
		}
		rel := "after"
		if t.word == "before" {
			rel = "before"
		}
		for _, u := range toks[i+1 : min(len(toks), i+4)] {
			switch {
			case r.occasion[u.word]:
				return rel + " the " + u.word
			case r.speaker[u.word] || u.word == "him":
				// "Who spoke after Li Baodong?"
				return rel + " the speech"
			case u.word == "the" || u.word == "this" || u.word == "his" || u.word == "that":
				continue
			}
			break
		}
	}
	return ""
}

// otherWords mark an occasion as another one than the statement's: "last
// year's workshop", "the next conference", "his earlier speech".
var otherWords = wordSet(`last previous next earlier prior upcoming future former`)

// otherOccasion returns the occasion word when the question is about
// another occasion than the statement's, and "" otherwise.
func (r *Retriever) otherOccasion(toks []weightedToken) string {
	for i, t := range toks {
		if t.weight < 1 || t.joined || !otherWords.has(t.word) {
			continue
		}
		for _, u := range toks[i+1 : min(len(toks), i+3)] {
			if u.joined {
				continue
			}
			if r.occasion[u.word] || eventNouns.has(u.word) {
				return u.word
			}
			if u.word != "year" && u.word != "years" && u.word != "week" && u.word != "month" {
				break
			}
		}
	}
	return ""
}

// contentContext reports whether the message's context (its sentences
// that ask nothing) is about the content: it has a topic word the
// statement itself uses ("… where Li describes the other side as a
// *victim*"), or topic words and no name for the statement, its occasion
// or its speaker ("I'm reading the speech for class" is about the
// speech).
func (r *Retriever) contentContext(rd reading) bool {
	topical, names := false, false
	for _, t := range rd.all {
		if t.weight >= 1 || t.joined {
			continue
		}
		if r.occasion[t.word] || eventNouns.has(t.word) || r.speaker[t.word] || aboutRefs.has(t.word) && !pronouns.has(t.word) && t.word != "him" && t.word != "his" {
			names = true
			continue
		}
		if t.stop {
			continue
		}
		if _, _, ok := r.ix.lookup(t.word); ok && !courtesy.has(t.word) && r.specOf(t.word) >= minMissingSpec {
			// Specific enough to be a topic: "victim", not "lead".
			return true
		}
		topical = true
	}
	return topical && !names
}

// Who held the occasion is in the statement's opening words, not in its
// title ("this workshop co-hosted by the Department of …"): a question
// asking who hosted it is answered by that sentence, though a shorter
// paragraph that also says "co-host" scores higher.
var (
	hostVerbs = wordSet(`host hosts hosted hosting cohost cohosts cohosted cohosting organise organises organised organising organize organizes
organized organizing organiser organisers organizer organizers convene convenes convened convener conveners`)
	hostAsks = wordSet(`who whom which`)
	// hostBy is how a statement says who holds its occasion.
	hostBy = regexp.MustCompile(`(?i)\b(?:co-?)?(?:hosted|organi[sz]ed|convened)\s+(?:jointly\s+)?by\b`)
)

// hostSentence finds the first body sentence saying who holds the
// occasion, as an index into ix.sents, or -1.
func (ix *index) hostSentence() int {
	for _, doc := range ix.docs {
		if doc.para.Number == 0 {
			continue
		}
		for _, s := range doc.sents {
			sd := ix.sents[s]
			if hostBy.MatchString(doc.para.Text[sd.start:sd.end]) {
				return int(s)
			}
		}
	}
	return -1
}

// hostAsked reports whether a question asks who held the occasion: a
// host verb with "who" or "which", or opened by "what" ("what part of the
// UN co-hosted it").
func hostAsked(toks []weightedToken) bool {
	host, ask := false, false
	first := true
	for _, t := range toks {
		if t.weight < 1 || t.joined {
			continue
		}
		host = host || hostVerbs.has(t.word)
		ask = ask || hostAsks.has(t.word) || first && t.word == "what"
		first = false
	}
	return host && ask
}

// sayingVerbs ask what someone said; answerVerbs how they answered.
var (
	sayingVerbs = wordSet(`say said says`)
	answerVerbs = wordSet(`respond responded responds reply replied replies react reacted reacts`)
)

// sayingAux are the auxiliaries of a question asking what someone said:
// "what did X say". Not "is" or "are", as auxiliaries has them: in "what
// are the things it says" the subject of "says" is not between them.
var sayingAux = wordSet(`did does do would will`)

// sayingAsks open such a question, chat spellings among them.
var sayingAsks = wordSet(`what how wat wht`)

// agentNouns are speakers other than the statement's by what they are:
// "the Russian delegate", "other delegations", "the audience".
var agentNouns = wordSet(`delegate delegates delegation delegations ambassador ambassadors envoy envoys representative representatives audience participants attendees panelists diplomat diplomats embassy spokesman spokeswoman spokesperson critics others`)

// ownSide is how many passages must name someone for the question "what
// did X say" to be about the statement's own side, which it speaks for
// ("what does China say about …"), rather than about another speaker.
const ownSide = 3

// otherSayer returns what a question asks about the words of someone
// other than the statement's speaker ("what did the Russian delegate say
// in reply", "how did other delegates respond"), and "" otherwise. A
// statement holds its speaker's words only: it tells what another said
// only where it quotes them ("As President Xi said"), and it speaks for
// its own side. The one asked about is another speaker by what they are
// (a delegate, the audience) or as a name the statement never writes
// ("Obama"): a name it does write may be a text ("what does the Code of
// Conduct say"), which a question may fairly ask it about.
func (r *Retriever) otherSayer(toks []weightedToken) string {
	for v, t := range toks {
		if t.weight < 1 || t.joined || !sayingVerbs.has(t.word) && !answerVerbs.has(t.word) {
			continue
		}
		// The auxiliary before the subject: "did" in "what did the
		// Russian delegate say".
		a := -1
		for j := v - 1; j > 0 && j >= v-6; j-- {
			if !toks[j].joined && sayingAux.has(toks[j].word) {
				a = j
				break
			}
		}
		if a < 0 || a+1 == v || !sayingAsks.has(toks[a-1].word) {
			continue
		}
		var who []string
		head, unknown, topical := "", true, false
		for _, u := range toks[a+1 : v] {
			if u.joined {
				continue
			}
			who = append(who, u.display)
			if u.stop {
				// "he", "the speech", "this": the speaker or the
				// text, unless a topic word says who else.
				continue
			}
			if aboutRefs.has(u.word) || r.speaker[u.word] || r.inMeta(u.word) {
				// "what did the speaker say", "what did the
				// minister say": the statement's own.
				return ""
			}
			topical, head = true, u.word
			if id, _, ok := r.ix.lookup(u.word); ok {
				if len(r.ix.postings[id]) >= ownSide || r.ix.quotes(id) {
					// Its own side, or someone it quotes.
					return ""
				}
				unknown = false
			}
		}
		if !topical || !agentNouns.has(head) && !unknown {
			continue
		}
		if answerVerbs.has(t.word) {
			return "how " + strings.Join(who, " ") + " responded"
		}
		return "what " + strings.Join(who, " ") + " said"
	}
	return ""
}

// inMeta reports whether w is a word of the statement's title, speaker,
// office or event: "what did the minister say" asks about the speaker.
func (r *Retriever) inMeta(w string) bool {
	for _, t := range tokenize(nil, r.metaText) {
		if t.word == w {
			return true
		}
	}
	return false
}

// quotedSayers are the words with which a statement reports what someone
// else said.
var quotedSayers = wordSet(`said say says stated noted remarked declared`)

// quotes reports whether a sentence of the statements has term id and a
// word reporting speech ("As President Xi said").
func (ix *index) quotes(id termID) bool {
	for _, s := range ix.sents {
		has, says := false, false
		for _, t := range s.toks {
			if t.joined {
				continue
			}
			if quotedSayers.has(t.word) {
				says = true
			} else if tid, _, ok := ix.lookup(t.word); ok && tid == id {
				has = true
			}
		}
		if has && says {
			return true
		}
	}
	return false
}
