package knowledge

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/policybot/policybot/knowledge/editdist"
)

// Questions about the statement's shape (how it opens, how it ends, how
// many principles it sets out, what follows them) are answered from the
// document model, not by matching words: "how does he open?" shares no
// topic word with the opening paragraph.

var (
	openCues = wordSet(`open opens opening begin begins beginning start starts started kick kicks intro introduction introduce introduces first`)
	endCues  = wordSet(`end ends ending close closes closing conclude concludes concluding conclusion finish finishes wrap wraps last final`)
	// shapeRefs name the speech or its speaker: with one of them a cue is
	// about the speech ("how does he end?"), without it about the topic
	// ("end the arms race").
	shapeRefs = wordSet(`he his speaker speech address remarks statement talk li minister thing words line lines sentence sentences paragraph`)
	countCues = wordSet(`many number count`)
	orderCues = wordSet(`order sequence`)
	afterCues = wordSet(`after following follow follows next`)
	// intensifiers only sharpen a cue: "right after", "just before".
	intensifiers = wordSet(`right immediately just directly straight`)
	kindByWord   = map[string]ItemKind{"principle": Principle, "principles": Principle, "area": Area, "areas": Area}
	ordinalWords = map[string]int{"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "6th": 6}
	// ordinalSlips are words typed for an ordinal, read as one only just
	// before a list's name ("the forth principle"; "put forth the
	// principles" puts them forward).
	ordinalSlips = map[string]string{"forth": "fourth", "fith": "fifth", "thrid": "third", "secnd": "second", "frist": "first"}
	cardinals    = map[string]int{"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "2": 2, "3": 3, "4": 4, "5": 5, "6": 6}
)

// structuralCues holds every word without which no question is about the
// statement's shape (besides the list names kindOf knows).
var structuralCues = func() *lexicon {
	m := newLexicon("about", "tl", "long")
	for _, set := range []*lexicon{countCues, orderCues, afterCues, openCues, endCues, paragraphWords, overviewCues, mainWords, documentWords, lengthWords} {
		for w := range set.m {
			m.add(w)
		}
	}
	return m
}()

// wordSet is the set of the space-separated words of s.
func wordSet(s string) *lexicon { return newLexicon(strings.Fields(s)...) }

// lexicon is a fixed set of lower-case words. A question's words are checked
// against dozens of sets as it is read, and most are in none of them: has
// tells most of those apart by their length and first letter, without
// hashing them.
type lexicon struct {
	m map[string]bool
	// heads holds, by length (the last for longer words), a bit for the
	// first letter of each word of that length: bits 0–25 for a–z, bit
	// 26 for anything else.
	heads [16]uint32
}

func newLexicon(ws ...string) *lexicon {
	s := &lexicon{m: make(map[string]bool, len(ws))}
	for _, w := range ws {
		s.add(w)
	}
	return s
}

func (s *lexicon) add(w string) {
	s.m[w] = true
	if w != "" {
		s.heads[min(len(w), len(s.heads)-1)] |= headBit(w)
	}
}

// has reports whether w is in the set.
func (s *lexicon) has(w string) bool {
	return w != "" && s.heads[min(len(w), len(s.heads)-1)]&headBit(w) != 0 && s.m[w]
}

func headBit(w string) uint32 {
	if c := w[0]; c >= 'a' && c <= 'z' {
		return 1 << (c - 'a')
	}
	return 1 << 26
}

// structural answers a question about the statement's shape, if it is one.
func (r *Retriever) structural(rd reading, top int) (Answer, bool) {
	cueWords := func(toks []weightedToken) ([]string, bool) {
		words := make([]string, 0, len(toks))
		cued := false
		for _, t := range toks {
			if t.weight == 1 && !t.joined && !intensifiers.has(t.word) {
				words = append(words, t.word)
				_, kind := kindOf(t.word)
				cued = cued || kind || structuralCues.has(t.word)
			}
		}
		return words, cued
	}
	words, cued := cueWords(rd.all)
	if !cued && len(rd.parts) == 1 {
		// "… what the very last principle in the list is. Do you
		// know?": a question with no topic of its own reads the
		// context it leans on.
		words, cued = cueWords(rd.parts[0].toks)
	}
	for _, p := range rd.parts {
		cued = cued || strings.Contains(p.text, "¶")
	}
	if !cued {
		// Most questions are about the content: every way below of
		// reading one as about the shape needs one of these words.
		return Answer{}, false
	}
	has := func(set *lexicon) int {
		for i, w := range words {
			if set.has(w) {
				return i
			}
		}
		return -1
	}
	// A list asked about: the item word nearest after a count or order
	// cue, or after "after" for what follows it.
	kindAfter := func(from int) (ItemKind, bool) {
		for _, w := range words[from+1:] {
			if k, ok := kindOf(w); ok && len(r.doc.ItemsOf(k)) > 0 {
				return k, true
			}
		}
		return "", false
	}
	if i := has(countCues); i >= 0 {
		if k, ok := kindAfter(i); ok {
			return r.listAnswer(k), true
		}
	}
	// "What are the principles?" with nothing else asked.
	after := has(afterCues)
	if k, ok := r.asksList(words); ok && after < 0 {
		return r.listAnswer(k), true
	}
	if durationAsked(words) {
		// "How long did the speech last?" asks for a time, which the
		// content reading finds missing.
		return Answer{}, false
	}
	if r.asksLength(words) {
		return r.lengthAnswer(), true
	}
	// "the second area of effort", "the four principles", "the main
	// principles".
	for i, w := range words {
		k, ok := kindOf(w)
		if !ok || i == 0 && (len(words) < 2 || numberWord(words[1]) == 0 && ordinalWords[words[1]] == 0) {
			continue
		}
		if i > 0 && mainWords.has(words[i-1]) && len(r.doc.ItemsOf(k)) > 0 {
			return r.listAnswer(k), true
		}
		// "principle 3", "area two".
		if i+1 < len(words) && !strings.HasSuffix(w, "s") {
			n := ordinalWords[words[i+1]]
			if n == 0 {
				n = numberWord(words[i+1])
			}
			if ans, ok := r.itemAnswer(k, n); ok {
				return ans, true
			}
		}
		items := r.doc.ItemsOf(k)
		if len(items) == 0 {
			continue
		}
		if i == 0 {
			continue
		}
		prev := words[i-1]
		if o, ok := ordinalSlips[prev]; ok {
			prev = o
		}
		if n := ordinalWords[prev]; n > 0 || prev == "last" {
			if prev == "last" {
				n = len(items)
			}
			if n > len(items) {
				continue
			}
			if after >= 0 && after < i-1 {
				if n == len(items) {
					continue
				}
				n++
			}
			if ans, ok := r.itemAnswer(k, n); ok {
				return ans, true
			}
		}
		if cardinals[prev] > 0 && strings.HasSuffix(w, "s") && !(after >= 0 && after < i) {
			// "the four principles"; "after the four principles" is
			// what follows them, below.
			return r.listAnswer(k), true
		}
		// "which principle comes last", "which area is second".
		if !strings.HasSuffix(w, "s") {
			for _, v := range words[i+1 : min(len(words), i+3)] {
				n := ordinalWords[v]
				if v == "last" {
					n = len(items)
				}
				if ans, ok := r.itemAnswer(k, n); ok {
					return ans, true
				}
			}
		}
	}
	if i := has(orderCues); i >= 0 {
		if k, ok := kindAfter(i); ok {
			return r.listAnswer(k), true
		}
	}
	if after >= 0 {
		// "What comes right after the principle of peace?": the item
		// named after the cue, and the one that follows it.
		for _, it := range r.doc.Items {
			if it.Kind == "" || !namedIn(it.Name, words[after+1:]) {
				continue
			}
			if ans, ok := r.itemAnswer(it.Kind, it.Ordinal+1); ok {
				return ans, true
			}
		}
		if k, ok := kindAfter(after); ok {
			if next, ok := r.listAfter(k); ok {
				return r.listAnswer(next), true
			}
		}
	}
	// "paragraph 6", "¶6", "what's in para 9": the paragraph itself.
	if p, ok := r.numberedParagraph(rd, words); ok {
		return Answer{Outcome: Answered, Passages: []Passage{r.wholePassage(p, true)}}, true
	}
	if r.isOverview(words) && !r.contentContext(rd) {
		// "What does the speech say that covers?" after a sentence
		// about sovereignty asks about sovereignty.
		if ans, ok := r.overview(); ok {
			return ans, true
		}
	}
	if len(words) > 0 && (words[0] == "who" || words[0] == "whom" || words[0] == "when" || words[0] == "where") {
		// "Who gave the opening address?" asks for the speaker, not
		// for how the speech opens.
		return Answer{}, false
	}
	opens, ends := r.nearRef(words, openCues), r.nearRef(words, endCues)
	if !opens && !ends {
		// A question of nothing but a cue ("What does he say at the
		// start?", "how does it end?") is about the speech.
		opens, ends = onlyCue(words, openCues), onlyCue(words, endCues)
	}
	if !opens && !ends {
		return Answer{}, false
	}
	ans := Answer{Outcome: Answered}
	if opens {
		for _, p := range r.doc.Paragraphs {
			if p.Quotable() {
				ans.Passages = append(ans.Passages, r.wholePassage(p, true))
				break
			}
		}
	}
	if ends {
		// The closing run of short paragraphs ("Finally, I wish …",
		// "Thank you."), or the last paragraph when it is long.
		n := len(r.doc.Paragraphs)
		from := n
		for from > 1 && !r.doc.Paragraphs[from-2].Quotable() {
			from--
		}
		for i := max(from, 1); i <= n; i++ {
			ans.Passages = append(ans.Passages, r.wholePassage(r.doc.Paragraphs[i-1], false))
		}
	}
	if len(ans.Passages) > top {
		ans.Passages = ans.Passages[:top]
	}
	return ans, true
}

// kindOf is the kind of list a word names, "principles" as typed
// ("princples", "principels", and "principals", the usual slip) too: the
// word every question about the list uses.
func kindOf(w string) (ItemKind, bool) {
	if k, ok := kindByWord[w]; ok {
		return k, true
	}
	// Typists keep a word's first letters: only those go to the edit
	// distance, which every word of every question would otherwise pay.
	if len(w) < 7 || !strings.HasPrefix(w, "pr") {
		return "", false
	}
	for _, name := range []string{"principle", "principles"} {
		if editdist.Within(w, name, 2) <= 2 {
			return Principle, true
		}
	}
	return "", false
}

// asksList reports a question for a list and nothing else: "what are the
// principles?", "list the areas of effort", "principles?".
func (r *Retriever) asksList(words []string) (ItemKind, bool) {
	kind, found := ItemKind(""), false
	for _, w := range words {
		if k, ok := kindOf(w); ok && strings.HasSuffix(w, "s") {
			kind, found = k, true
		}
	}
	if !found || len(r.doc.ItemsOf(kind)) == 0 {
		return "", false
	}
	listed := func(w string) bool {
		_, ok := kindOf(w)
		return ok || mainWords.has(w) || cardinals[w] > 0 || listWords.has(w)
	}
	return kind, r.nothingElse(words, listed)
}

// listWords ask for a list.
var listWords = wordSet(`list name names effort efforts international all set sets out lay lays propose proposes proposed outline outlines put forward`)

// lengthWords are what a statement's length is counted in.
var lengthWords = wordSet(`paragraphs words pages parts sections`)

// asksLength reports "how long is the speech?" or "how many paragraphs
// (words, parts) are there?", with no other topic.
func (r *Retriever) asksLength(words []string) bool {
	ask := false
	for i, w := range words {
		if w == "long" && i > 0 && words[i-1] == "how" || lengthWords.has(w) && i > 0 && countCues.has(words[i-1]) {
			ask = true
		}
	}
	if !ask {
		return false
	}
	return r.nothingElse(words, func(w string) bool { return lengthWords.has(w) || countCues.has(w) || w == "long" })
}

// lengthAnswer counts the statement's paragraphs, words and parts,
// citing its title line.
func (r *Retriever) lengthAnswer() Answer {
	words := 0
	for _, p := range r.doc.Paragraphs {
		words += len(strings.Fields(p.Text))
	}
	ans := Answer{Outcome: Answered, Summary: fmt.Sprintf("The statement has %s, %s in all, in %s.",
		countNoun(len(r.doc.Paragraphs), "paragraph"), thousands(words)+" words", countNoun(len(r.doc.Sections), "part"))}
	if m := r.doc.Meta; m.Source != "" {
		ans.Passages = append(ans.Passages, Passage{
			Paragraph: Paragraph{Number: 0, Text: m.Source, Offset: strings.Index(r.doc.Source, m.Source)},
			Citation:  r.citations[0], Score: 1, Quote: Span{0, len(m.Source)},
		})
	} else if len(r.doc.Paragraphs) > 0 {
		ans.Passages = append(ans.Passages, r.wholePassage(r.doc.Paragraphs[0], true))
	}
	return ans
}

// thousands writes n with commas: 1,323.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// numberWord is the value of "3" or "three", or 0.
func numberWord(w string) int {
	if n, ok := cardinals[w]; ok {
		return n
	}
	if w == "1" || w == "one" {
		return 1
	}
	return 0
}

// paragraphWords name a paragraph of the statement.
var paragraphWords = wordSet(`paragraph para par`)

// numberedParagraph finds "paragraph N" or "¶N" in a question with no
// other topic, and paragraph N.
func (r *Retriever) numberedParagraph(rd reading, words []string) (Paragraph, bool) {
	n := 0
	for i, w := range words {
		if paragraphWords.has(w) && i+1 < len(words) {
			n, _ = strconv.Atoi(words[i+1])
			break
		}
	}
	if n == 0 {
		for _, p := range rd.parts {
			if _, after, ok := strings.Cut(p.text, "¶"); ok {
				after = strings.TrimSpace(after)
				end := 0
				for end < len(after) && after[end] >= '0' && after[end] <= '9' {
					end++
				}
				n, _ = strconv.Atoi(after[:end])
				break
			}
		}
	}
	if n <= 0 {
		return Paragraph{}, false
	}
	num := strconv.Itoa(n)
	if !r.nothingElse(words, func(w string) bool { return paragraphWords.has(w) || w == num }) {
		return Paragraph{}, false
	}
	return r.doc.Paragraph(n)
}

// Overview questions ask what the whole statement says: "summary
// please", "what are the main points?", "tl;dr", "what is the speech
// about?". No passage answers them by its words; the statement's lists
// do.
var (
	overviewCues = wordSet(`summary summaries summarise summarize summarised summarized summarising summarizing gist overview outline recap tldr takeaway takeaways nutshell rundown synopsis
structure structured organised organized`)
	mainWords  = wordSet(`main key central core chief principal major overall general basic broad big`)
	pointWords = wordSet(`point points message messages idea ideas argument arguments theme themes takeaway takeaways thrust picture`)
)

// isOverview reports a question for the statement's overview: a cue
// word, "main points" and the like, "tl;dr", or "what is it about?" with
// nothing but the speech named.
func (r *Retriever) isOverview(words []string) bool {
	cue, about, what := false, false, false
	for i, w := range words {
		switch {
		case overviewCues.has(w):
			cue = true
		case w == "tl" && i+1 < len(words) && words[i+1] == "dr":
			cue = true
		case mainWords.has(w) && i+1 < len(words) && pointWords.has(words[i+1]):
			cue = true
		}
		about = about || w == "about"
		what = what || w == "what"
	}
	// "What is the speech about?" asks for the overview when it ends
	// there, and "what is this document?" too.
	cue = cue || what && about && words[len(words)-1] == "about"
	for _, w := range words {
		cue = cue || what && documentWords.has(w)
	}
	if !cue {
		return false
	}
	// "summarise what he says about sovereignty" has a topic of its own;
	// "in one or two lines" only says how long the answer should be.
	return r.nothingElse(words, func(w string) bool {
		return overviewCues.has(w) || mainWords.has(w) || pointWords.has(w) || documentWords.has(w) || briefWords.has(w) || w == "tl" || w == "dr"
	})
}

// nothingElse reports whether a question has no words but stop words,
// words naming the speech, its speaker or its occasion, words of asking,
// slips for stop words ("waht") and the words cue accepts: a question
// about the statement's shape, not about a topic.
func (r *Retriever) nothingElse(words []string, cue func(string) bool) bool {
	for _, w := range words {
		if !isStop(w) && !shapeRefs.has(w) && !r.occasion[w] && !askingWords.has(w) && !r.speaker[w] && !cue(w) && !r.misspeltStop(w) {
			return false
		}
	}
	return true
}

// documentWords name the statement as a text.
var documentWords = wordSet(`document text transcript speech statement address`)

// briefWords say how short an overview should be: "in one or two lines",
// "in a few words" (lines and words are shapeRefs already).
var briefWords = wordSet(`one two three few couple word`)

// askingWords ask for something without naming a topic.
var askingWords = wordSet(`give tell show need want talking saying says said quick short brief please pls`)

// overview names the statement's lists and quotes the paragraphs that
// introduce them; a statement without lists has none.
func (r *Retriever) overview() (Answer, bool) {
	var parts []string
	ans := Answer{Outcome: Answered}
	for _, k := range []ItemKind{Principle, Area} {
		items := r.doc.ItemsOf(k)
		if len(items) == 0 {
			continue
		}
		names := make([]string, len(items))
		for i, it := range items {
			names[i] = it.Name
		}
		label := countNoun(len(items), "principle")
		if k == Area {
			label = countNoun(len(items), "area") + " of effort"
		}
		parts = append(parts, fmt.Sprintf("%s (%s)", label, joinAnd(names)))
		if p, ok := r.doc.Paragraph(items[0].Paragraph - 1); ok && p.Item == nil {
			// Each introduces its own list: say so, so that both are
			// shown, not only the first.
			intro := r.wholePassage(p, false)
			intro.Matches = []Match{{Query: string(k), Word: string(k), Kind: MatchExact}}
			ans.Passages = append(ans.Passages, intro)
		}
	}
	if len(parts) == 0 {
		return Answer{}, false
	}
	ans.Summary = fmt.Sprintf("The statement sets out %s.", joinAnd(parts))
	if ref := r.doc.ShortRef(); ref != "" {
		ans.Summary = fmt.Sprintf("The statement (%s) sets out %s.", ref, joinAnd(parts))
	}
	return ans, true
}

// nearRef reports a cue within two words of a word naming the speech or
// its speaker: "how does he open", "opening remarks", "the last thing he
// says", but not "a place of open resources". A cue whose object is a
// topic of the statement is about the topic: "does he talk about closing
// the digital gap?".
func (r *Retriever) nearRef(words []string, cues *lexicon) bool {
	for i, w := range words {
		if !cues.has(w) || r.takesTopic(words[i+1:]) {
			continue
		}
		for j := max(0, i-2); j <= min(len(words)-1, i+2); j++ {
			if j != i && shapeRefs.has(words[j]) {
				return true
			}
		}
	}
	return false
}

// listAfter is the kind of list that follows the list of kind k.
func (r *Retriever) listAfter(k ItemKind) (ItemKind, bool) {
	items := r.doc.ItemsOf(k)
	last := items[len(items)-1].Paragraph
	for _, it := range r.doc.Items {
		if it.Kind != k && it.Paragraph > last {
			return it.Kind, true
		}
	}
	return "", false
}

// listAnswer says how many items of a kind there are, and in what order,
// quoting the paragraph that introduces them.
func (r *Retriever) listAnswer(k ItemKind) Answer {
	items := r.doc.ItemsOf(k)
	names := make([]string, len(items))
	for i, it := range items {
		names[i] = it.Name
	}
	word := strings.ToLower(k.Label())
	if k == Area {
		word = "area"
	}
	ans := Answer{Outcome: Answered, Summary: fmt.Sprintf("The statement sets out %s, in this order: %s.", countNoun(len(items), word), joinAnd(names))}
	// The paragraph before the first item introduces the list ("… the
	// following principles:").
	if p, ok := r.doc.Paragraph(items[0].Paragraph - 1); ok && p.Item == nil {
		ans.Passages = append(ans.Passages, r.wholePassage(p, false))
	}
	last, _ := r.doc.Paragraph(items[len(items)-1].Paragraph)
	ans.Passages = append(ans.Passages, r.wholePassage(last, true))
	return ans
}

// wholePassage cites paragraph p, quoting its first sentence (opening) or
// its last (closing, introducing).
func (r *Retriever) wholePassage(p Paragraph, first bool) Passage {
	out := Passage{Paragraph: p, Citation: r.citation(p), Score: 1, Quote: Span{0, len(p.Text)}}
	if s := Sentences(p.Text); len(s) > 0 {
		if first {
			out.Quote = s[0]
			if isHeading(p.Text[s[0].Start:s[0].End]) && len(s) > 1 {
				out.Quote.End = s[1].End
			}
		} else {
			out.Quote = s[len(s)-1]
		}
	}
	return out
}

var smallNumbers = []string{"no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"}

func countNoun(n int, noun string) string {
	s := fmt.Sprint(n)
	if n < len(smallNumbers) {
		s = smallNumbers[n]
	}
	if n != 1 {
		noun += "s"
	}
	return s + " " + noun
}

func joinAnd(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}

// takesTopic reports whether the first word after a cue that is no stop
// word is a word of the statement other than one naming the speech, its
// occasion or its parts: the cue's object ("closing the digital gap",
// "the end of the arms race"), not "closing remarks" or "the end of the
// speech".
func (r *Retriever) takesTopic(rest []string) bool {
	for _, w := range rest {
		if isStop(w) {
			continue
		}
		if shapeRefs.has(w) || r.occasion[w] || openCues.has(w) || endCues.has(w) || r.speaker[w] {
			return false
		}
		_, _, ok := r.ix.lookup(w)
		return ok
	}
	return false
}

// onlyCue reports a cue in words whose other words are all stop words.
func onlyCue(words []string, cues *lexicon) bool {
	found := false
	for _, w := range words {
		switch {
		case cues.has(w):
			found = true
		case !isStop(w) && !shapeRefs.has(w):
			return false
		}
	}
	return found
}

// itemAnswer quotes the nth item of kind k (from 1), if there is one.
func (r *Retriever) itemAnswer(k ItemKind, n int) (Answer, bool) {
	items := r.doc.ItemsOf(k)
	if n <= 0 || n > len(items) {
		return Answer{}, false
	}
	p, ok := r.doc.Paragraph(items[n-1].Paragraph)
	if !ok {
		return Answer{}, false
	}
	return Answer{Outcome: Answered, Passages: []Passage{r.wholePassage(p, true)}}, true
}

// durationVerbs after "how long" ask for a length of time, not of text.
var durationVerbs = wordSet(`last lasted take took run ran`)

// durationAsked reports "how long" with a verb of duration after it.
func durationAsked(words []string) bool {
	for i := 0; i+1 < len(words); i++ {
		if words[i] == "how" && words[i+1] == "long" {
			for _, w := range words[i+2:] {
				if durationVerbs.has(w) {
					return true
				}
			}
		}
	}
	return false
}

// namedIn reports whether every word of an item's name is among words
// ("peace" in "after the principle of peace").
func namedIn(name string, words []string) bool {
	n := 0
	for _, t := range tokenize(nil, name) {
		if t.joined || isStop(t.word) {
			continue
		}
		if !slices.Contains(words, t.word) {
			return false
		}
		n++
	}
	return n > 0
}
