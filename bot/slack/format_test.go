package slack

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	slackgo "github.com/slack-go/slack"

	"github.com/policybot/policybot/bot"
	"github.com/policybot/policybot/knowledge"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// highlight marks every whole-word occurrence of the words in text.
func highlight(text string, words ...string) []bot.Span {
	var spans []bot.Span
	re := regexp.MustCompile(`(?i)\b(` + strings.Join(words, "|") + `)\b`)
	for _, m := range re.FindAllStringIndex(text, -1) {
		spans = append(spans, bot.Span{Start: m[0], End: m[1]})
	}
	return spans
}

// sovereignty is a realistic answer: the statement's sovereignty
// paragraph, quoted verbatim, with the asked word highlighted.
func sovereignty(t *testing.T) bot.Reply {
	doc := knowledge.Embedded()
	for _, p := range doc.Paragraphs {
		if strings.HasPrefix(p.Text, "Second, the principle of sovereignty") {
			pa := bot.PassageOf(doc, p)
			pa.Highlights = highlight(pa.Text, "sovereignty")
			return bot.Reply{Kind: bot.KindAnswer, Title: "Principle 2: Sovereignty", Passages: []bot.Passage{pa}, Hint: "Try /principle peace or /policy quote trust."}
		}
	}
	t.Fatal("embedded statement has no sovereignty paragraph")
	return bot.Reply{}
}

func TestRenderGolden(t *testing.T) {
	long := strings.Repeat("The international community has a shared responsibility to maintain security. ", 60) // ~4.7 kB
	tests := []struct {
		name  string
		reply func(t *testing.T) bot.Reply
		opts  renderOptions
	}{
		{"answer", sovereignty, renderOptions{}},
		{"answer_ephemeral", sovereignty, renderOptions{ShareValue: "0123456789abcdef /principle sov"}},
		{"answer_shared", sovereignty, renderOptions{SharedBy: "U2CERLKJA"}},
		{"help", func(*testing.T) bot.Reply {
			return bot.Reply{Kind: bot.KindInfo, Title: "policybot", Text: "I quote Li Baodong's 2014 address. Commands:",
				List: []bot.Item{{Label: "/policy ask <question>", Text: "answer with quotes"}, {Label: "/principle [name]", Text: "one principle"}, {Label: "/policy help"}, {Text: "Mention @policybot in a channel"}}}
		}, renderOptions{}},
		{"decline", func(*testing.T) bot.Reply {
			return bot.Reply{Kind: bot.KindDecline, Text: "The statement does not talk about cats & dogs.", Hint: "Ask about sovereignty, peace, co-governance or universal benefit."}
		}, renderOptions{}},
		{"hostile", func(*testing.T) bot.Reply {
			// Text a user or statement could smuggle in: none of it may
			// reach Slack with real angle brackets.
			return bot.Reply{Kind: bot.KindError, Title: "<!here> alert", Text: "You typed <!channel> and <@U123> & <https://evil.example|click>.",
				Passages: []bot.Passage{{Text: "a <!everyone> b *c* d", Citation: "<@U999>", Highlights: []bot.Span{{Start: 2, End: 13}}}},
				Note:     "<!subteam^S1>", Hint: "</policy help>"}
		}, renderOptions{}},
		{"excerpt", func(*testing.T) bot.Reply {
			text := "Mankind does not need a new battlefield."
			return bot.Reply{Kind: bot.KindAnswer, Passages: []bot.Passage{{Text: text, Citation: "Li Baodong, 5 June 2014 · Principle 1: Peace · ¶5",
				Paragraph: 5, Excerpt: true, Highlights: highlight(text, "battlefield")}}, Hint: "Whole paragraph: /policy cite 5."}
		}, renderOptions{}},
		{"not_addressed", func(*testing.T) bot.Reply {
			return bot.Reply{Kind: bot.KindNotAddressed, Text: "The statement does not mention the Tallinn Manual. Related reading, not an answer:",
				Passages: []bot.Passage{{Text: "We should continue to study how to apply existing international laws to cyber space.", Citation: "Li Baodong, 5 June 2014 · ¶11", Paragraph: 11, Excerpt: true}},
				Hint:     "Whole paragraph: /policy cite 11. Try /principles for what it does cover."}
		}, renderOptions{}},
		{"long_passage", func(*testing.T) bot.Reply {
			return bot.Reply{Kind: bot.KindAnswer, Passages: []bot.Passage{{Text: long, Citation: "test ¶1", Highlights: highlight(long, "security")}},
				Omitted: 1, Note: "1 more passage left out."}
		}, renderOptions{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Render(tt.reply(t), tt.opts)
			checkLimits(t, got)
			checkGolden(t, tt.name, got)
		})
	}
}

// checkGolden compares a rendering with testdata/<name>.golden.json, and
// rewrites the file with -update.
func checkGolden(t *testing.T, name string, got Rendered) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep &lt; readable in the golden files
	enc.SetIndent("", "  ")
	if err := enc.Encode(map[string]any{"text": got.Text, "blocks": got.Blocks}); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(b, want) {
		t.Errorf("rendering differs from %s (rerun with -update if intended):\n%s", path, b)
	}
}

// checkLimits asserts Slack's Block Kit limits and that nothing can ping.
func checkLimits(t *testing.T, r Rendered) {
	t.Helper()
	if len(r.Blocks) > maxBlocks {
		t.Errorf("%d blocks, Slack allows %d", len(r.Blocks), maxBlocks)
	}
	if r.Text == "" {
		t.Error("no text fallback")
	}
	b, _ := json.Marshal(r.Blocks)
	var texts []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if s, ok := v["text"].(string); ok {
				texts = append(texts, s)
				if typ, _ := v["type"].(string); typ == "plain_text" && utf8.RuneCountInString(s) > maxHeaderRunes {
					// only headers carry plain text besides the short button label
					t.Errorf("plain text of %d characters: %.40q…", utf8.RuneCountInString(s), s)
				}
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	var blocks any
	_ = json.Unmarshal(b, &blocks)
	walk(blocks)
	if len(r.Text) > maxFallbackText {
		t.Errorf("text fallback of %d bytes exceeds %d", len(r.Text), maxFallbackText)
	}
	for _, s := range append(texts, r.Text) {
		if s != r.Text && len(s) > maxSectionText {
			t.Errorf("text of %d bytes exceeds %d: %.40q…", len(s), maxSectionText, s)
		}
		for _, m := range regexp.MustCompile(`<[^>]*>`).FindAllString(s, -1) {
			if !regexp.MustCompile(`^<@U2CERLKJA>$`).MatchString(m) {
				t.Errorf("live Slack markup %q in %.60q", m, s)
			}
		}
	}
}

func TestRenderBlockLimit(t *testing.T) {
	var r bot.Reply
	for i := 0; i < 40; i++ {
		r.Passages = append(r.Passages, bot.Passage{Text: "quote", Citation: "¶"})
	}
	got := Render(r, renderOptions{ShareValue: "x"})
	if len(got.Blocks) != maxBlocks {
		t.Fatalf("%d blocks, want exactly %d (cut to fit)", len(got.Blocks), maxBlocks)
	}
	if _, ok := got.Blocks[len(got.Blocks)-1].(*slackgo.ActionBlock); !ok {
		t.Errorf("the Share button must survive the cut; last block is %T", got.Blocks[len(got.Blocks)-1])
	}
	// The fallback is escaped too; Slack reads "&gt; " at a line start as a
	// quote, as it stores quotes itself.
	if n := strings.Count(got.Text, "&gt; quote"); n != 40 {
		t.Errorf("text fallback should keep every passage, got %d", n)
	}
}

func TestQuoteLines(t *testing.T) {
	tests := []struct {
		text  string
		spans []bot.Span
		want  []string
	}{
		{"peace and trust", []bot.Span{sp(0, 5)}, []string{"> *peace* and trust"}},
		{"sovereignty", []bot.Span{sp(0, 9)}, []string{"> sovereignty"}},    // mid-word: not bold
		{"a b\nc d", []bot.Span{sp(2, 5)}, []string{"> a b", "> c d"}},      // spans a line break: not bold
		{"x <y> z", []bot.Span{sp(2, 5)}, []string{"> x *&lt;y&gt;* z"}},    // escaped inside bold
		{"one\n\ntwo", nil, []string{"> one", "> ", "> two"}},               // blank lines keep the quote
		{"cyber-space", []bot.Span{sp(6, 11)}, []string{"> cyber-*space*"}}, // hyphen is a boundary
		{"Über alles", []bot.Span{sp(0, 5)}, []string{"> *Über* alles"}},    // multibyte
		{"a  b", []bot.Span{sp(1, 3)}, []string{"> a  b"}},                  // whitespace only
		{"bad", []bot.Span{sp(2, 1), sp(5, 9)}, []string{"> bad"}},          // invalid spans ignored
	}
	for _, tt := range tests {
		got := quoteLines(bot.Passage{Text: tt.text, Highlights: tt.spans})
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("quoteLines(%q, %v) = %q, want %q", tt.text, tt.spans, got, tt.want)
		}
	}
}

func TestHeaderText(t *testing.T) {
	long := strings.Repeat("&", 200)
	got := headerText(long)
	if n := utf8.RuneCountInString(got); n > maxHeaderRunes {
		t.Fatalf("header of %d characters", n)
	}
	if strings.Contains(strings.ReplaceAll(got, "&amp;", ""), "&") && !strings.HasSuffix(got, "…") {
		t.Fatalf("escape sequence cut: %q", got)
	}
	if headerText("a < b") != "a &lt; b" {
		t.Fatalf("headerText(a < b) = %q", headerText("a < b"))
	}
}

func sp(start, end int) bot.Span { return bot.Span{Start: start, End: end} }
