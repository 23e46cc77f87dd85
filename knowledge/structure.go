package knowledge

import (
	"fmt"
	"strings"
)

// Questions about the statement's shape (how it opens, how it ends, how
// many principles it sets out, what follows them) are answered from the
// document model, not by matching words: "how does he open?" shares no
// topic word with the opening paragraph.

var (
	openCues = wordSet(`open opens opening begin begins beginning start starts started kick kicks intro introduction introduce introduces`)
	endCues  = wordSet(`end ends ending close closes closing conclude concludes concluding conclusion finish finishes wrap wraps last final`)
	// shapeRefs name the speech or its speaker: with one of them a cue is
	// about the speech ("how does he end?"), without it about the topic
	// ("end the arms race").
	shapeRefs    = wordSet(`he his speaker speech address remarks statement talk li minister thing words line lines sentence sentences paragraph`)
	countCues    = wordSet(`many number count`)
	orderCues    = wordSet(`order sequence`)
	afterCues    = wordSet(`after following follow follows next`)
	kindByWord   = map[string]ItemKind{"principle": Principle, "principles": Principle, "area": Area, "areas": Area}
	ordinalWords = map[string]int{"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "6th": 6}
	cardinals    = map[string]int{"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "2": 2, "3": 3, "4": 4, "5": 5, "6": 6}
)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// structural answers a question about the statement's shape, if it is one.
func (r *Retriever) structural(rd reading, top int) (Answer, bool) {
	var words []string
	for _, t := range rd.all {
		if t.weight == 1 && !t.joined {
			words = append(words, t.word)
		}
	}
	has := func(set map[string]bool) int {
		for i, w := range words {
			if set[w] {
				return i
			}
		}
		return -1
	}
	// A list asked about: the item word nearest after a count or order
	// cue, or after "after" for what follows it.
	kindAfter := func(from int) (ItemKind, bool) {
		for _, w := range words[from+1:] {
			if k, ok := kindByWord[w]; ok && len(r.doc.ItemsOf(k)) > 0 {
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
	// "the second area of effort", "the four principles".
	for i, w := range words {
		k, ok := kindByWord[w]
		if !ok || i == 0 {
			continue
		}
		items := r.doc.ItemsOf(k)
		if len(items) == 0 {
			continue
		}
		prev := words[i-1]
		if n := ordinalWords[prev]; n > 0 || prev == "last" {
			if prev == "last" {
				n = len(items)
			}
			if n > len(items) {
				continue
			}
			if has(afterCues) >= 0 && has(afterCues) < i-1 {
				if n == len(items) {
					continue
				}
				n++
			}
			if p, ok := r.doc.Paragraph(items[n-1].Paragraph); ok {
				return Answer{Outcome: Answered, Passages: []Passage{r.wholePassage(p, true)}}, true
			}
		}
		if cardinals[prev] > 0 && strings.HasSuffix(w, "s") {
			return r.listAnswer(k), true
		}
	}
	if i := has(orderCues); i >= 0 {
		if k, ok := kindAfter(i); ok {
			return r.listAnswer(k), true
		}
	}
	if i := has(afterCues); i >= 0 {
		if k, ok := kindAfter(i); ok {
			if next, ok := r.listAfter(k); ok {
				return r.listAnswer(next), true
			}
		}
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

// nearRef reports a cue within two words of a word naming the speech or
// its speaker: "how does he open", "opening remarks", "the last thing he
// says", but not "a place of open resources". A cue whose object is a
// topic of the statement is about the topic: "does he talk about closing
// the digital gap?".
func (r *Retriever) nearRef(words []string, cues map[string]bool) bool {
	for i, w := range words {
		if !cues[w] || r.takesTopic(words[i+1:]) {
			continue
		}
		for j := max(0, i-2); j <= min(len(words)-1, i+2); j++ {
			if j != i && shapeRefs[words[j]] {
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
	out := Passage{Paragraph: p, Citation: r.doc.Citation(p), Score: 1, Quote: Span{0, len(p.Text)}}
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
		if shapeRefs[w] || r.occasion[w] || openCues[w] || endCues[w] || r.speaker[w] {
			return false
		}
		_, _, ok := r.ix.lookup(w)
		return ok
	}
	return false
}

// onlyCue reports a cue in words whose other words are all stop words.
func onlyCue(words []string, cues map[string]bool) bool {
	found := false
	for _, w := range words {
		switch {
		case cues[w]:
			found = true
		case !isStop(w) && !shapeRefs[w]:
			return false
		}
	}
	return found
}
