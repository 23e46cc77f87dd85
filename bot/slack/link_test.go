package slack

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/policybot/policybot/bot"
)

// With a public URL every citation context becomes a mrkdwn link to the
// paragraph's anchor; the fallback text keeps the citation as text.
func TestRenderPublicURLLinks(t *testing.T) {
	r := sovereignty(t)
	got := Render(r, renderOptions{PublicURL: "https://policy.example.org/"})
	b, _ := json.Marshal(got.Blocks)
	var blocks []map[string]any
	_ = json.Unmarshal(b, &blocks)
	for _, blk := range blocks {
		for _, el := range append([]any{blk["text"]}, anySlice(blk["elements"])...) {
			m, _ := el.(map[string]any)
			text, _ := m["text"].(string)
			for _, live := range regexp.MustCompile(`<[^>]*>`).FindAllString(text, -1) {
				if !regexp.MustCompile(`^<https://policy\.example\.org/#p\d+\|[^<>|]+>$`).MatchString(live) {
					t.Errorf("live Slack markup other than a citation link: %q", live)
				}
			}
		}
	}
	want := "— <https://policy.example.org/#p6|Li Baodong, 5 June 2014 · Part II: Four principles › Principle 2: Sovereignty · ¶6>"
	if !strings.Contains(string(b), jsonString(want)) {
		t.Errorf("no citation link %q in blocks:\n%s", want, b)
	}
	if plain := Render(r, renderOptions{}); plain.Text != got.Text {
		t.Errorf("fallback text changed by the link:\n%s", got.Text)
	}

	// A citation cannot break out of its link or ping anyone.
	h := bot.Reply{Passages: []bot.Passage{{Text: "x", Citation: "a|b> <!channel>", Paragraph: 2}}}
	hb, _ := json.Marshal(Render(h, renderOptions{PublicURL: "https://x.example.org"}).Blocks)
	if !strings.Contains(string(hb), jsonString("<https://x.example.org/#p2|a¦b&gt; &lt;!channel&gt;>")) {
		t.Errorf("hostile citation in link: %s", hb)
	}

	checkGolden(t, "answer_linked", got)
}

func anySlice(v any) []any { s, _ := v.([]any); return s }

// jsonString is s as it appears inside a JSON string (json.Marshal escapes
// <, > and &).
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// Digests link their citations too.
func TestDeliverLinksCitations(t *testing.T) {
	e := newTestEnv(t, func(o *Options) { o.PublicURL = "https://policy.example.org" })
	reply := bot.Reply{Kind: bot.KindAnswer, Title: "Daily quote", Passages: []bot.Passage{{Text: "Mankind does not need a new battlefield.", Citation: "¶5", Paragraph: 5}}}
	if err := e.a.Deliver(t.Context(), "C1", reply, "digest-1-2026-12-01", false); err != nil {
		t.Fatal(err)
	}
	post := e.api.next(t)
	if !strings.Contains(post.blocks(), "<https://policy.example.org/#p5|¶5>") {
		t.Errorf("digest citation not linked: %s", post.blocks())
	}
}
