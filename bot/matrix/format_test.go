package matrix

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"maunium.net/go/mautrix/id"

	"github.com/policybot/policybot/bot"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// replies are the shapes the core produces, one golden file each.
var replies = map[string]bot.Reply{
	"answer": {
		Kind: bot.KindAnswer,
		Text: "The statement says:",
		Passages: []bot.Passage{{
			Text:       "Cyber security is a global issue.\nNo country can stay aloof.",
			Citation:   "Li Baodong, 2014, para. 3",
			Paragraph:  3,
			Highlights: []bot.Span{{Start: 0, End: 14}, {Start: 49, End: 53}},
		}, {
			Text:      "We should respect sovereignty…",
			Citation:  "Li Baodong, 2014, para. 5",
			Paragraph: 5,
			Cut:       true,
		}},
		Note: "1 more passage omitted.",
		Hint: "Try !cite 4 for the full paragraph.",
	},
	"list": {
		Kind:  bot.KindInfo,
		Title: "Commands",
		List: []bot.Item{
			{Label: "!policy ask <question>", Text: "answer from the statement"},
			{Label: "!principles"},
			{Text: "plain row"},
		},
	},
	"excerpt": {
		Kind: bot.KindAnswer,
		Passages: []bot.Passage{{
			Text:       "Mankind does not need a new battlefield.",
			Citation:   "Li Baodong, 5 June 2014 · Part II: Four principles › Principle 1: Peace · ¶5",
			Paragraph:  5,
			Highlights: []bot.Span{{Start: 29, End: 39}},
			Excerpt:    true,
		}},
		Hint: "Whole paragraph: !cite 5.",
	},
	"not_addressed": {
		Kind: bot.KindNotAddressed,
		Text: "The statement does not mention the Tallinn Manual. Related reading, not an answer:",
		Passages: []bot.Passage{{
			Text:      "We should continue to study how to apply existing international laws to cyber space.",
			Citation:  "Li Baodong, 5 June 2014 · ¶11",
			Paragraph: 11,
			Excerpt:   true,
		}},
		Hint: "Whole paragraph: !cite 11. Try !principles for what it does cover.",
	},
	"escaping": {
		Kind: bot.KindError,
		Text: `<script>alert("x")</script> & <b>bold</b>`,
		Passages: []bot.Passage{{
			Text:       "a <tag> & \"quote\"",
			Citation:   "<cite>",
			Highlights: []bot.Span{{Start: 2, End: 7}},
		}},
	},
}

func TestRenderGolden(t *testing.T) {
	for name, r := range replies {
		t.Run(name, func(t *testing.T) {
			// Unescaped HTML, so that the golden files read as what
			// clients get.
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(Render(r)); err != nil {
				t.Fatal(err)
			}
			got := bytes.TrimSpace(buf.Bytes())
			path := filepath.Join("testdata", name+".golden.json")
			if *update {
				if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -tags goolm ./bot/matrix -run Golden -update to create it)", err)
			}
			if strings.TrimSpace(string(want)) != string(got) {
				t.Errorf("Render(%s) =\n%s\nwant (%s)\n%s", name, got, path, want)
			}
		})
	}
}

func TestRenderProperties(t *testing.T) {
	c := Render(replies["answer"])
	if c.MsgType != "m.notice" || c.Format != "org.matrix.custom.html" {
		t.Errorf("msgtype %q format %q, want m.notice with HTML", c.MsgType, c.Format)
	}
	if c.Body != replies["answer"].PlainText("*", "*") {
		t.Errorf("body is not the reply's plain text:\n%s", c.Body)
	}
	for _, want := range []string{"<blockquote><p><strong>Cyber security</strong>", "<br>No country can <strong>stay</strong> aloof.", "<p>— <em>Li Baodong, 2014, para. 3</em></p>"} {
		if !strings.Contains(c.FormattedBody, want) {
			t.Errorf("formatted body lacks %q:\n%s", want, c.FormattedBody)
		}
	}
	e := Render(replies["escaping"]).FormattedBody
	for _, bad := range []string{"<script>", "<b>", "<tag>", "<cite>"} {
		if strings.Contains(e, bad) {
			t.Errorf("unescaped %q in %s", bad, e)
		}
	}
}

func TestReplyContentRelations(t *testing.T) {
	plain := replyContent(replies["list"], "$q", "@alice:x", "")
	if plain.RelatesTo.InReplyTo.EventID != "$q" || plain.RelatesTo.Type != "" {
		t.Errorf("plain reply relation = %+v", plain.RelatesTo)
	}
	if len(plain.Mentions.UserIDs) != 1 || plain.Mentions.UserIDs[0] != id.UserID("@alice:x") {
		t.Errorf("mentions = %+v, want the asker", plain.Mentions)
	}
	th := replyContent(replies["list"], "$q", "@alice:x", "$root")
	if th.RelatesTo.Type != "m.thread" || th.RelatesTo.EventID != "$root" || !th.RelatesTo.IsFallingBack || th.RelatesTo.InReplyTo.EventID != "$q" {
		t.Errorf("thread reply relation = %+v", th.RelatesTo)
	}
}

func BenchmarkRender(b *testing.B) {
	r := replies["answer"]
	for b.Loop() {
		_ = Render(r)
	}
}
