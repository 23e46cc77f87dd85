package knowledge

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/policybot/policybot/knowledge/thesaurus"
	"github.com/policybot/policybot/knowledge/vectors"
)

// sharedTable is loaded once for the package's tests: it takes a while.
var sharedTable = sync.OnceValues(thesaurus.Load)

func newTestRetriever(t testing.TB) *Retriever {
	t.Helper()
	th, err := sharedTable()
	if err != nil {
		t.Fatal(err)
	}
	return NewRetriever(Embedded(), RetrieverOptions{Related: th, Vectors: vectors.Embedded()})
}

func evalFile(t *testing.T, r *Retriever, path string) EvalReport {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cases, err := ReadEvalCases(f)
	if err != nil {
		t.Fatal(err)
	}
	return Evaluate(r, cases)
}

// Floors at the level reached when the method last changed, so that a
// change that makes answers worse fails here: the development set's are
// the targets; the others guard paraphrase, decline and chat
// handling. chat.jsonl lives in ../shared/eval beside the repository.
func TestQuality(t *testing.T) {
	r := newTestRetriever(t)
	for _, c := range []struct {
		file                             string
		top1, recall3, noAnswer, falseNo float64
	}{
		{"testdata/dev.jsonl", 1.0, 1.0, 1.0, 0},
		{"testdata/extra.jsonl", 1.0, 1.0, 0.9, 0},
		{"testdata/paraphrase.jsonl", 0.96, 0.96, 1.0, 0.04},
		// Common-component removal (dense.go) put one question of 34
		// out of the top 3 here while bringing two into it on each
		// of chat.jsonl and paraphrase.jsonl.
		{"testdata/chat-own.jsonl", 0.94, 0.97, 0.9, 0.03},
		// The targets.
		{"../../shared/eval/chat.jsonl", 0.92, 0.97, 0.95, 0.01},
		// Written in the chat style before the retriever was run on
		// them, as a check that a change carries over.
		{"testdata/chat-own2.jsonl", 0.88, 1.0, 1.0, 0},
		{"testdata/chat-own3.jsonl", 0.82, 0.88, 1.0, 0},
		// Short questions about one concept in everyday words, and
		// off-topic ones of the same shape ("Does he mention …?").
		{"testdata/chat-own4.jsonl", 0.86, 0.95, 0.84, 0.05},
		// Written blind, in the chat style, for the reading rules of
		// handles, attitudes, amounts and requests.
		{"testdata/chat-own5.jsonl", 0.96, 0.96, 0.9, 0.04},
		{"testdata/chat-own6.jsonl", 0.87, 1.0, 0.8, 0},
		{"testdata/chat-own7.jsonl", 0.88, 0.92, 0.6, 0.04},
		{"testdata/chat-own8.jsonl", 0.96, 1.0, 0.7, 0},
		{"testdata/chat-own9.jsonl", 0.91, 0.95, 0.7, 0.05},
		// Long messages: greetings, context, then the question. "The
		// internet being used for military purposes" left the top 3
		// when "Internet" and "cyber space" became one thing (stop 24).
		{"testdata/chat-own11.jsonl", 0.71, 0.85, 0.66, 0.08},
		// Paraphrase in everyday words, as chat.jsonl's weakest kind.
		{"testdata/chat-own12.jsonl", 0.76, 0.8, 0.62, 0.08},
		// Long messages again: preambles, apologies, "that".
		{"testdata/chat-own14.jsonl", 1.0, 1.0, 0.4, 0},
		// About the statement itself and its shape.
		{"testdata/chat-own13.jsonl", 0.9, 0.9, 0.66, 0.05},
		// Typos and keywords, and off-topic keywords.
		{"testdata/chat-own10.jsonl", 1.0, 1.0, 0.62, 0},
		// Everyday paraphrase, meta and on-topic out-of-scope questions,
		// written blind.
		{"testdata/chat-own15.jsonl", 0.76, 0.88, 0.8, 0.04},
		// Mostly out of scope: on-topic questions for what it never
		// says, and office chatter.
		{"testdata/chat-own16.jsonl", 1.0, 1.0, 0.8, 0},
		// Typos only.
		{"testdata/chat-own17.jsonl", 1.0, 1.0, 0.6, 0},
		// Mixed kinds and personas, as chat.jsonl.
		{"testdata/chat-own18.jsonl", 0.92, 1.0, 0.62, 0},
		// Long messages, meta and paraphrase.
		{"testdata/chat-own19.jsonl", 0.87, 0.91, 0.66, 0.05},
		// Everyday paraphrase only, the hardest kind.
		{"testdata/chat-own20.jsonl", 0.62, 0.77, 0, 0.15},
		// The kinds in the proportions of the second held-out set.
		{"testdata/chat-own21.jsonl", 0.9, 1.0, 1.0, 0},
		// The statement itself, its shape and its occasion.
		{"testdata/chat-own22.jsonl", 1.0, 1.0, 1.0, 0},
		// Chat habits: quotes, links, handles, markup, two questions.
		{"testdata/chat-own23.jsonl", 1.0, 1.0, 0.5, 0},
		// Typos, two to a question, and keywords.
		{"testdata/chat-own24.jsonl", 1.0, 1.0, 1.0, 0},
		// Short everyday paraphrase, measured only.
		{"testdata/chat-own25.jsonl", 0.55, 0.8, 0.8, 0},
		// On-topic out-of-scope questions, measured only.
		{"testdata/chat-own26.jsonl", 1.0, 1.0, 0.6, 0},
		// Long messages from each persona.
		// "freedom of expression online" is answered since "online"
		// matches "cyber space" as well as "Internet" (stop 24).
		{"testdata/chat-own27.jsonl", 0.91, 1.0, 0.8, 0},
		// Mixed kinds.
		{"testdata/chat-own28.jsonl", 0.9, 0.95, 0.5, 0},
		// Mixed kinds, written blind at stop 22: its first run.
		{"testdata/chat-own29.jsonl", 0.92, 0.96, 1.0, 0},
		// Mixed kinds, written blind at stop 23 (first run 0.88, 0.92,
		// 6 of 7 out of scope without an answer).
		{"testdata/chat-own30.jsonl", 0.88, 0.96, 1.0, 0},
		// Mixed kinds, written blind at stop 23 (first run 0.68, 0.84,
		// 6 of 7, 4 false declines): everyday words for the statement's
		// ("poorer", "rulebook", "rich and poor"), the weakest class.
		{"testdata/chat-own31.jsonl", 0.68, 0.88, 0.85, 0.12},
		// Mixed kinds, written blind at stop 23 (first run 0.84, 0.88,
		// 6 of 7, 2 false declines).
		{"testdata/chat-own32.jsonl", 0.84, 0.88, 0.85, 0.04},
		// Mixed kinds, written blind at stop 23 after the rules above, and
		// not changed for but one (first run 0.84, 0.88, 5 of 7, 1 false
		// decline).
		{"testdata/chat-own33.jsonl", 0.84, 0.88, 0.85, 0.04},
		// Mixed kinds, written blind at the end of stop 23, measured only
		// (first run 0.80, 0.92, 5 of 7, 1 false decline; one label
		// widened after it, the ministry the speaker speaks for, which
		// the first paragraph names).
		{"testdata/chat-own34.jsonl", 0.84, 0.92, 0.71, 0.04},
		// Mixed kinds, written blind at stop 24 before any rule of it
		// (first runs 0.92, 1.0, 7 of 7, no false decline; 0.92, 1.0,
		// 5 of 7, none; 0.84, 0.92, 5 of 7, 2).
		{"testdata/chat-own35.jsonl", 0.92, 1.0, 1.0, 0},
		{"testdata/chat-own36.jsonl", 0.92, 1.0, 0.85, 0},
		{"testdata/chat-own37.jsonl", 0.84, 0.92, 1.0, 0.08},
		// Mixed kinds, written blind at stop 25 after its expansion
		// (first runs 0.96, 1.0, 7 of 7, none; 0.68, 0.88, 4 of 7, none,
		// then 0.76, 0.96 once its two metadata questions' labels named
		// the title's speaker and date, as chat.jsonl's do; 5 of 7 with
		// the rule for a topic nothing relates to).
		{"testdata/chat-own38.jsonl", 0.96, 1.0, 1.0, 0},
		{"testdata/chat-own39.jsonl", 0.76, 0.96, 0.71, 0},
		// Short questions in the development set's style, written blind.
		{"testdata/dev-own.jsonl", 0.96, 1.0, 1.0, 0},
		{"testdata/dev-own2.jsonl", 0.9, 1.0, 0.9, 0},
	} {
		if _, err := os.Stat(c.file); err != nil && strings.HasPrefix(c.file, "../") {
			t.Logf("%s not here (it lives beside the repository): %v", c.file, err)
			continue
		}
		rep := evalFile(t, r, c.file)
		if rep.Top1Rate() < c.top1 || rep.RecallAt3Rate() < c.recall3 || rep.DeclineRate() < c.noAnswer || rep.FalseDeclineRate() > c.falseNo {
			var b strings.Builder
			rep.WriteTo(&b)
			t.Errorf("%s below its floor (top-1 %.2f, recall@3 %.2f, no answer %.2f, false declines at most %.2f):\n%s", c.file, c.top1, c.recall3, c.noAnswer, c.falseNo, b.String())
		}
	}
}

// No kind of chat.jsonl's questions is answered right less often than
// the issue allows.
func TestChatKinds(t *testing.T) {
	const file, floor = "../../shared/eval/chat.jsonl", 0.8
	if _, err := os.Stat(file); err != nil {
		t.Skipf("%s not here (it lives beside the repository): %v", file, err)
	}
	rep := evalFile(t, newTestRetriever(t), file)
	if len(rep.Kinds) == 0 {
		t.Fatalf("%s: no kinds counted", file)
	}
	for _, k := range rep.Kinds {
		if float64(k.Right) < floor*float64(k.Cases) {
			t.Errorf("%s: kind %q right %d of %d, below %.2f", file, k.Kind, k.Right, k.Cases, floor)
		}
	}
}

// Every text is a verbatim paragraph of the statement and every quote a
// verbatim run of whole sentences of it, for every question we have.
func TestQuotesAreVerbatim(t *testing.T) {
	r := newTestRetriever(t)
	doc := r.Document()
	files, _ := filepath.Glob("testdata/*.jsonl")
	files = append(files, "../../shared/eval/chat.jsonl", "../../shared/eval/dev.jsonl")
	n := 0
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			continue
		}
		cases, err := ReadEvalCases(fh)
		fh.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			a := r.Ask(c.Q, 3)
			for _, p := range append(a.Passages, a.Related...) {
				n++
				if p.Paragraph.Number > 0 {
					if want, _ := doc.Paragraph(p.Paragraph.Number); want.Text != p.Paragraph.Text {
						t.Errorf("%q: ¶%d text is not the statement's paragraph", c.Q, p.Paragraph.Number)
					}
				} else if !strings.Contains(doc.Source, p.Paragraph.Text) {
					t.Errorf("%q: title passage not in the source", c.Q)
				}
				q := p.QuoteText()
				if q == "" || !strings.Contains(p.Paragraph.Text, q) {
					t.Errorf("%q: quote %q not in ¶%d", c.Q, q, p.Paragraph.Number)
					continue
				}
				if !sentenceAligned(p.Paragraph.Text, p.Quote) {
					t.Errorf("%q: quote %q of ¶%d does not start and end on sentence boundaries", c.Q, q, p.Paragraph.Number)
				}
			}
		}
	}
	if n < 100 {
		t.Fatalf("only %d passages checked", n)
	}
}

func sentenceAligned(text string, q Span) bool {
	starts, ends := false, false
	for _, s := range Sentences(text) {
		starts = starts || s.Start == q.Start
		ends = ends || s.End == q.End
	}
	return starts && ends || q.Start == 0 && q.End == len(text)
}

func TestCompoundsAndSpacingsAgree(t *testing.T) {
	r := newTestRetriever(t)
	top := func(q string) int {
		a := r.Ask(q, 1)
		if len(a.Passages) == 0 {
			t.Fatalf("%q: declined", q)
		}
		return a.Passages[0].Paragraph.Number
	}
	for _, group := range [][]string{
		{"co-governance", "co governance", "cogovernance", "Co-Governance!"},
		{"cyberspace peace", "cyber space peace", "cyber-space peace"},
	} {
		want := top(group[0])
		for _, q := range group[1:] {
			if got := top(q); got != want {
				t.Errorf("%q → ¶%d, but %q → ¶%d", q, got, group[0], want)
			}
		}
	}
}

func TestMatchKindsAndHighlights(t *testing.T) {
	r := newTestRetriever(t)
	for _, c := range []struct {
		q    string
		kind MatchKind
	}{
		{"sovereignty", MatchExact},
		{"governed internet", MatchExact},
		{"who governs it", MatchStem},
		{"soveriegnty", MatchFuzzy},
		// The statement writes "cyber security", which the vector
		// table does not know run together.
		{"cybersecurity", MatchCompound},
		{"spying on other countries", MatchSynonym},
	} {
		a := r.Ask(c.q, 3)
		if len(a.Passages) == 0 {
			t.Errorf("%q: declined", c.q)
			continue
		}
		found := false
		for _, p := range a.Passages {
			for _, m := range p.Matches {
				found = found || m.Kind == c.kind
			}
			last := 0
			for _, h := range p.Highlights {
				if h.Start < last || h.End > len(p.Paragraph.Text) || h.Start >= h.End {
					t.Errorf("%q: bad highlight %+v in ¶%d", c.q, h, p.Paragraph.Number)
				}
				last = h.End
			}
			if len(p.Matches) > 0 && len(p.Highlights) == 0 && p.Paragraph.Number != 0 {
				t.Errorf("%q: ¶%d matched %v but highlights nothing", c.q, p.Paragraph.Number, p.Matches)
			}
		}
		if !found {
			t.Errorf("%q: no %s match in %+v", c.q, c.kind, a.Passages[0].Matches)
		}
	}
}

// A month, a number or an ordinal never matches another of its set,
// however near their vectors: the statement's February answers no
// question about June.
func TestRivalsNeverMatch(t *testing.T) {
	r := newTestRetriever(t)
	for _, q := range []string{"What did China set up in June?", "what happened in april", "Did China set up the leading group in March?"} {
		a := r.Ask(q, 3)
		for _, p := range append(a.Passages, a.Related...) {
			for _, m := range p.Matches {
				if m.Word == "february" {
					t.Errorf("%q: ¶%d matched %q to February (%s)", q, p.Paragraph.Number, m.Query, m.Kind)
				}
			}
		}
	}
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"june", "february", true}, {"three", "four", true}, {"second", "third", true},
		{"june", "june", false}, {"june", "summer", false}, {"three", "principles", false},
	} {
		if got := rivals(c.a, c.b); got != c.want {
			t.Errorf("rivals(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestAboutTheStatement(t *testing.T) {
	r := newTestRetriever(t)
	for _, q := range []string{"Who gave this speech?", "When was the address delivered?", "In what role did Li Baodong speak?", "At which event was the speech given?",
		"What is Li Baodong's position in the government?", "What post did Li Baodong hold?",
		"Who gave the opening address?"} {
		a := r.Ask(q, 3)
		if !a.About || len(a.Passages) != 1 || a.Passages[0].Paragraph.Number != 0 || !strings.Contains(a.Passages[0].Citation, "Title and date") {
			t.Errorf("%q: want the title and date lines, got about=%v %+v", q, a.About, a.Passages)
		}
	}
	for _, q := range []string{"Who is hosting this workshop?", "When did China establish the leading group?"} {
		if a := r.Ask(q, 3); a.About {
			t.Errorf("%q: answered from metadata, want the body", q)
		}
	}
}

func TestHostileInput(t *testing.T) {
	r := newTestRetriever(t)
	inputs := []string{
		"", "   \t\n", strings.Repeat("sovereignty ", 100000), "\xff\xfe\xfd", "\x00\x01\x02 peace \x1b[31m",
		"🙂🙂🙂 🔥", "?!?!...,,,", "'; DROP TABLE paragraphs; --", "<script>alert(1)</script>", "**bold** _it_ [x](http://e)",
		"<!channel> @here <@U123>", strings.Repeat("a", 5000), strings.Repeat("co-", 3000) + "governance",
	}
	for _, in := range inputs {
		start := time.Now()
		a := r.Ask(in, 3)
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%.20q took %v", in, d)
		}
		if len(a.Question) > MaxQuestionBytes || !utf8.ValidString(a.Question) {
			t.Errorf("%.20q: question not clamped to valid UTF-8 of at most %d bytes", in, MaxQuestionBytes)
		}
		if len(a.Passages) > 3 {
			t.Errorf("%.20q: %d passages", in, len(a.Passages))
		}
	}
	for _, junk := range []string{"", "?!?!", "🙂🙂", "<script>alert(1)</script>", "qwertyuiop"} {
		if a := r.Ask(junk, 3); len(a.Passages) != 0 {
			t.Errorf("%q: answered ¶%d, want a decline", junk, a.Passages[0].Paragraph.Number)
		}
	}
}

func FuzzAsk(f *testing.F) {
	for _, s := range []string{"sovereignty", "co-governance", "\xff", "who spoke?", "a-b-c-d's", "¶6"} {
		f.Add(s)
	}
	r := newTestRetriever(f)
	for _, s := range []string{"Hi! Two things. What is 'co-governance'? And when?", "\"unclosed 'quote", "i.e. e.g. ... ?!?", "Thanks. Who? What? Why? When? How?",
		"Apart from, besides; except", "who, and what; why, or how?", "paragraph 0 ¶-1 ¶99999999999999999999 principle 9", "tl;dr", "what is it about",
		// This stop's reading steps: markup, lead-ins, apologies, amounts,
		// naming, other occasions, capitals.
		"@policybot :+1: @:: :a: 10:30:00 é:x:", "q: does he? : what:", "Sorry, but when? Hi, and who?", "how much $5 €3 40%? does he name the country",
		"last year's workshop; the next conference", "IT US it us", "Where is it?"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		a := r.Ask(q, 3)
		if (len(a.Passages) > 0) != (a.Outcome == Answered) || len(a.Related) > 0 && a.Outcome != NotAddressed {
			t.Fatalf("%s with %d passages and %d related", a.Outcome, len(a.Passages), len(a.Related))
		}
		for _, p := range append(a.Passages, a.Related...) {
			for _, h := range p.Highlights {
				if h.Start < 0 || h.End > len(p.Paragraph.Text) || h.Start >= h.End {
					t.Fatalf("bad highlight %+v", h)
				}
			}
			if p.Quote.Start < 0 || p.Quote.End > len(p.Paragraph.Text) || p.Quote.Start >= p.Quote.End {
				t.Fatalf("bad quote %+v in ¶%d", p.Quote, p.Paragraph.Number)
			}
		}
		// The reading steps on their own: parts are bounded and every
		// token lies inside the message.
		rd := read(clampQuestion(q))
		if len(rd.parts) > maxParts {
			t.Fatalf("%d parts", len(rd.parts))
		}
		for _, sp := range Sentences(q) {
			if sp.Start < 0 || sp.End > len(q) || sp.Start >= sp.End {
				t.Fatalf("bad sentence %+v", sp)
			}
		}
	})
}

// A passage nearly as strong as a part's best that is another part's best
// leads the reply: it answers both.
func TestLeadAnswersBothParts(t *testing.T) {
	p := func(n int, score float64) Passage { return Passage{Paragraph: Paragraph{Number: n}, Score: score} }
	parts := []Answer{
		{Outcome: Answered, Passages: []Passage{p(7, 7.4), p(12, 7.2), p(11, 4)}},
		{Outcome: Answered, Passages: []Passage{p(12, 9.5), p(7, 7.2)}},
	}
	a := merge("q", parts, 3)
	if got := paragraphs(a); len(got) < 2 || got[0] != 12 || got[1] != 7 {
		t.Errorf("got %v, want ¶12 first, then ¶7", got)
	}
	parts[0].Passages[1].Score = 5 // no longer nearly as strong
	if got := paragraphs(merge("q", parts, 3)); got[0] != 7 {
		t.Errorf("got %v, want ¶7 first", got)
	}
}

// A sentence's tokens, cut from its passage's at indexing, are what
// indexing the sentence alone reads: its words, with the closed forms of
// the compounds it writes open.
func TestSentenceTokens(t *testing.T) {
	r := newTestRetriever(t)
	if len(r.ix.sents) == 0 {
		t.Fatal("no sentences indexed")
	}
	for _, sd := range r.ix.sents {
		text := r.ix.docs[sd.doc].para.Text[sd.start:sd.end]
		if want := joinOpen(tokenize(nil, text), text, r.ix.vecs); !slices.Equal(sd.toks, want) {
			t.Errorf("sentence %q: tokens %v, want %v", text, sd.toks, want)
		}
	}
}
