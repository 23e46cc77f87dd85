package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/policybot/policybot/knowledge"
)

// commands is the command set, in help order.
func (b *Bot) commands() []Command {
	return []Command{
		{Name: "ask", Args: "<question>", Summary: "answer a question with quoted, cited passages", Example: "who should govern the internet?", Run: b.ask},
		{Name: "principle", Aliases: []string{"area"}, Args: "[name]", Summary: "quote one of the statement's principles or areas of effort", Example: "sovereignty", Run: b.principle},
		{Name: "principles", Aliases: []string{"areas"}, Summary: "list the principles and areas of effort", Run: b.principles},
		{Name: "quote", Args: "[topic]", Summary: "one quotable paragraph, at random or on a topic", Example: "digital divide", Run: b.quote},
		{Name: "cite", Aliases: []string{"paragraph", "para"}, Args: "<n>", Summary: "paragraph n of the statement (also ¶6, p6)", Example: "6", Run: b.cite},
		{Name: "digest", Args: "on [HH:MM] [zone] | off | status", Summary: "a daily quote in this conversation", Example: "on 09:00 Europe/Berlin", Run: b.digest},
		{Name: "leave", Summary: "leave this room (moderators only)", Run: b.leave},
		{Name: "help", Aliases: []string{"commands"}, Summary: "this list", Run: b.help},
	}
}

func (b *Bot) ask(_ context.Context, m Message, q string) (Reply, error) {
	if q == "" {
		return Reply{Kind: KindError, Text: "Ask me a question about the statement.", Hint: fmt.Sprintf("For example: %spolicy ask who should govern the internet?", m.Prefix)}, nil
	}
	// One more than fits, so that the reply can say something was left out.
	ans := b.ret.Ask(q, b.opts.MaxPassages+1)
	switch ans.Outcome {
	case knowledge.Answered:
		return b.answer(m, ans), nil
	case knowledge.NotAddressed:
		return b.notAddressed(m, ans), nil
	}
	r := b.decline(m)
	if len(ans.Missing) > 0 {
		r.Text = "Nothing in the statement answers that. It " + strings.TrimPrefix(missingSentence(ans.Missing), "The statement ")
	}
	return r, nil
}

// strongRatio is how close to the best passage's score a further passage
// must come to be shown: one strong passage beats three weak ones.
const strongRatio = 0.8

// answer quotes the sentences that answer, best first: the best passage of
// each question asked, and a further passage only when it is nearly as
// strong and matches something the ones before it do not.
func (b *Bot) answer(m Message, ans knowledge.Answer) Reply {
	r := Reply{Kind: KindAnswer, Text: ans.Summary}
	if ans.About {
		meta := b.doc.Meta
		r.Text = fmt.Sprintf("%s delivered this address on %s.", joinNonEmpty(" ", meta.Office, meta.Speaker), meta.DateHuman)
		if meta.Event != "" {
			r.Text = fmt.Sprintf("%s delivered this address on %s at the %s.", joinNonEmpty(" ", meta.Office, meta.Speaker), meta.DateHuman, meta.Event)
		}
	}
	seenPart := map[int]bool{}
	matched := map[string]bool{}
	var approx []string
	best := 0.0
	for i, p := range ans.Passages {
		novel := false
		for _, mt := range p.Matches {
			novel = novel || !matched[mt.Query]
		}
		if i > 0 && seenPart[p.Part] && (p.Score < best*strongRatio || !novel) {
			continue
		}
		if i == 0 {
			best = p.Score
		}
		seenPart[p.Part] = true
		for _, mt := range p.Matches {
			matched[mt.Query] = true
		}
		r.Passages = append(r.Passages, fromKnowledge(p))
		for _, mt := range p.Matches {
			if mt.Kind == knowledge.MatchFuzzy && !contains(approx, mt.Query) {
				approx = append(approx, mt.Query)
				r.Note = joinNonEmpty(" ", r.Note, fmt.Sprintf("(Read %q as %q.)", mt.Query, mt.Word))
			}
		}
	}
	r.Hint = wholeHint(m, r.Passages)
	return r
}

// wholeHint points to the whole paragraph of the first excerpt.
func wholeHint(m Message, ps []Passage) string {
	for _, p := range ps {
		if p.Excerpt && p.Paragraph > 0 {
			return fmt.Sprintf("Whole paragraph: %s.", m.Command(fmt.Sprintf("cite %d", p.Paragraph)))
		}
	}
	return ""
}

// notAddressed says plainly what the statement does not say, naming the
// missing concept, and offers the closest passage as related reading.
func (b *Bot) notAddressed(m Message, ans knowledge.Answer) Reply {
	r := Reply{Kind: KindNotAddressed, Text: missingSentence(ans.Missing)}
	for _, p := range ans.Related {
		r.Passages = append(r.Passages, fromKnowledge(p))
	}
	if len(r.Passages) > 0 {
		r.Text += " Related reading, not an answer:"
	}
	r.Hint = joinNonEmpty(" ", wholeHint(m, r.Passages), fmt.Sprintf("Try %s for what it does cover.", m.Command("principles")))
	return r
}

// missingSentence names what the statement lacks: "The statement does not
// mention the Tallinn Manual." or "… does not give a date or time for
// that." Kinds of fact come from the retriever as "a …" labels, and what
// no statement can tell as a "what …" clause ("… does not say what
// happened after the speech.").
func missingSentence(missing []string) string {
	var facts, things []string
	for _, x := range missing {
		if strings.HasPrefix(x, "what ") {
			return "The statement does not say " + x + "."
		}
		if strings.HasPrefix(x, "a ") {
			facts = append(facts, x)
		} else {
			things = append(things, quoted(clip(x, 60)))
		}
	}
	switch {
	case len(things) > 0 && len(facts) > 0:
		return fmt.Sprintf("The statement does not mention %s, and gives no %s for that.", orList(things), strings.TrimPrefix(facts[0], "a "))
	case len(things) > 0:
		return fmt.Sprintf("The statement does not mention %s.", orList(things))
	case len(facts) > 0:
		return fmt.Sprintf("The statement does not give %s for that.", facts[0])
	}
	return "The statement does not say that."
}

// quoted puts the asker's own words in quotes, unless they are already
// (a quoted phrase of the question).
func quoted(s string) string {
	if strings.HasPrefix(s, "“") {
		return s
	}
	return "“" + s + "”"
}

func orList(xs []string) string {
	if len(xs) > 3 {
		xs = xs[:3]
	}
	if len(xs) == 1 {
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " or " + xs[len(xs)-1]
}

func (b *Bot) decline(m Message) Reply {
	return Reply{
		Kind: KindDecline,
		Text: "Nothing in the statement answers that.",
		Hint: fmt.Sprintf("%s Try %s, or %s for what I can do.", b.coverage(), m.Command("principles"), m.Command("help")),
	}
}

// coverage says in one sentence what the statement covers, from its own
// structure.
func (b *Bot) coverage() string {
	var parts []string
	if n := len(b.doc.ItemsOf(knowledge.Principle)); n > 0 {
		parts = append(parts, plural(n, "principle"))
	}
	if n := len(b.doc.ItemsOf(knowledge.Area)); n > 0 {
		parts = append(parts, plural(n, "area")+" of effort")
	}
	if len(parts) == 0 {
		return fmt.Sprintf("The statement has %s.", plural(len(b.doc.Paragraphs), "paragraph"))
	}
	return "The statement sets out " + strings.Join(parts, " and ") + "."
}

func plural(n int, word string) string {
	if n == 1 {
		return "one " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// fromKnowledge quotes a passage's answering sentences, with the
// highlights that fall inside them.
func fromKnowledge(p knowledge.Passage) Passage {
	q := p.Quote
	if q.End <= q.Start || q.End > len(p.Paragraph.Text) {
		q = knowledge.Span{Start: 0, End: len(p.Paragraph.Text)}
	}
	out := Passage{Text: p.Paragraph.Text[q.Start:q.End], Citation: p.Citation, Paragraph: p.Paragraph.Number,
		Excerpt: q.End-q.Start < len(p.Paragraph.Text)}
	for _, h := range p.Highlights {
		if h.Start >= q.Start && h.End <= q.End {
			out.Highlights = append(out.Highlights, Span{h.Start - q.Start, h.End - q.Start})
		}
	}
	return out
}

func (b *Bot) principle(_ context.Context, m Message, name string) (Reply, error) {
	if name == "" {
		return b.itemList(m, "The statement's principles and areas of effort", true), nil
	}
	res := resolveItem(b.doc.Items, name)
	switch {
	case res.item != nil:
		p, _ := b.doc.Paragraph(res.item.Paragraph)
		return Reply{Kind: KindAnswer, Title: res.item.Label(), Passages: []Passage{PassageOf(b.doc, p)}}, nil
	case len(res.ambiguous) > 0:
		r := Reply{Kind: KindError, Text: fmt.Sprintf("%q could mean more than one:", clip(name, 40))}
		for _, it := range res.ambiguous {
			r.List = append(r.List, Item{Label: m.Command("principle " + it.Name), Text: it.Label()})
		}
		return r, nil
	}
	r := b.itemList(m, "", false)
	r.Kind = KindError
	r.Text = fmt.Sprintf("I don't know a principle or area called %q.", clip(name, 40))
	if res.suggest != nil {
		r.Text += fmt.Sprintf(" Did you mean %s?", res.suggest.Name)
	}
	r.Text += " These are the ones in the statement:"
	return r, nil
}

func (b *Bot) principles(_ context.Context, m Message, _ string) (Reply, error) {
	return b.itemList(m, "The statement's principles and areas of effort", true), nil
}

// itemList lists every principle and area with its paragraph number and,
// when summaries is set, a one-line summary.
func (b *Bot) itemList(m Message, title string, summaries bool) Reply {
	r := Reply{Kind: KindInfo, Title: title}
	for _, it := range b.doc.Items {
		label := fmt.Sprintf("%s (¶%d)", it.Label(), it.Paragraph)
		text := ""
		if summaries {
			p, _ := b.doc.Paragraph(it.Paragraph)
			text = summary(p.Text, it.Name)
		}
		r.List = append(r.List, Item{Label: label, Text: text})
	}
	r.Hint = fmt.Sprintf("Quote one with %s, e.g. %s.", m.Command("principle <name>"), m.Command("principle "+firstItemName(b.doc)))
	return r
}

func firstItemName(doc *knowledge.Document) string {
	if len(doc.Items) > 1 {
		return doc.Items[1].Name
	}
	if len(doc.Items) == 1 {
		return doc.Items[0].Name
	}
	return "peace"
}

// summary is a one-line gist of an item's paragraph: its first sentence
// without the ordinal, or the next one when the first only names the item
// ("First, the principle of peace.").
func summary(text, name string) string {
	sentences := splitSentences(text)
	if len(sentences) == 0 {
		return ""
	}
	first := sentences[0]
	if _, rest, ok := strings.Cut(first, ", "); ok {
		first = strings.ToUpper(rest[:1]) + rest[1:]
	}
	if len(strings.Fields(first)) <= len(strings.Fields(name))+4 && len(sentences) > 1 {
		first = sentences[1]
	}
	return clip(first, 160)
}

func splitSentences(text string) []string {
	var out []string
	for _, sp := range knowledge.Sentences(text) {
		out = append(out, text[sp.Start:sp.End])
	}
	return out
}

func (b *Bot) quote(_ context.Context, m Message, topic string) (Reply, error) {
	if topic != "" {
		ans := b.ret.Ask(topic, 1)
		if len(ans.Passages) == 0 {
			r := b.decline(m)
			r.Text = fmt.Sprintf("I found no passage about %q.", clip(topic, 60))
			return r, nil
		}
		return Reply{Kind: KindAnswer, Passages: []Passage{fromKnowledge(ans.Passages[0])}}, nil
	}
	var quotable []knowledge.Paragraph
	for _, p := range b.doc.Paragraphs {
		if p.Quotable() {
			quotable = append(quotable, p)
		}
	}
	if len(quotable) == 0 {
		return Reply{Kind: KindError, Text: "This statement has no paragraph long enough to quote."}, nil
	}
	p := quotable[b.opts.Rand(len(quotable))]
	return Reply{Kind: KindAnswer, Passages: []Passage{PassageOf(b.doc, p)}}, nil
}

func (b *Bot) cite(_ context.Context, m Message, arg string) (Reply, error) {
	n, ok := parseParagraphNumber(arg)
	last := len(b.doc.Paragraphs)
	if !ok {
		return Reply{Kind: KindError, Text: fmt.Sprintf("Tell me a paragraph number from 1 to %d.", last), Hint: fmt.Sprintf("For example: %s (or ¶6, p6).", m.Command("cite 6"))}, nil
	}
	p, found := b.doc.Paragraph(n)
	if !found {
		return Reply{Kind: KindError, Text: fmt.Sprintf("There is no paragraph %d: the statement has paragraphs ¶1 to ¶%d.", n, last)}, nil
	}
	return Reply{Kind: KindAnswer, Passages: []Passage{PassageOf(b.doc, p)}}, nil
}

// parseParagraphNumber reads "6", "¶6", "p6", "p.6", "para 6", "#6".
func parseParagraphNumber(s string) (int, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, prefix := range []string{"paragraph", "para", "¶", "p.", "p", "#"} {
		if strings.HasPrefix(s, prefix) {
			s = strings.TrimSpace(s[len(prefix):])
			break
		}
	}
	if s == "" || len(s) > 6 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

func (b *Bot) leave(_ context.Context, m Message, _ string) (Reply, error) {
	if !m.CanManage {
		return Reply{Kind: KindError, Text: "Only a moderator of this conversation can ask me to leave."}, nil
	}
	return Reply{Kind: KindInfo, Text: "Goodbye! Invite me back any time.", Action: ActionLeave}, nil
}

func (b *Bot) help(_ context.Context, m Message, _ string) (Reply, error) {
	r := Reply{Kind: KindInfo, Title: "policybot answers questions about " + b.describe() + " with quoted, cited passages."}
	for _, c := range b.cmds.Commands() {
		label := m.Prefix + "policy " + c.Name
		if c.Args != "" {
			label += " " + c.Args
		}
		text := c.Summary
		if c.Example != "" || c.Args == "" {
			text += " — e.g. " + m.Command(strings.TrimSpace(c.Name+" "+c.Example))
		}
		r.List = append(r.List, Item{Label: label, Text: text})
	}
	r.Hint = "In a direct message, or when you mention me, just ask your question."
	return r, nil
}

// describe names the statement: "the address by Vice Foreign Minister Li
// Baodong (5 June 2014)".
func (b *Bot) describe() string {
	m := b.doc.Meta
	who := joinNonEmpty(" ", m.Office, m.Speaker)
	if who == "" {
		return b.doc.ShortRef()
	}
	if m.DateHuman == "" {
		return "the address by " + who
	}
	return fmt.Sprintf("the address by %s (%s)", who, m.DateHuman)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// PassageOf quotes one paragraph of the statement with its citation.
func PassageOf(doc *knowledge.Document, p knowledge.Paragraph) Passage {
	return Passage{Text: p.Text, Citation: doc.Citation(p), Paragraph: p.Number}
}
