package matrix

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/policybot/policybot/bot"
)

// With a public URL the HTML body links each citation to its paragraph on
// the statement page and the plain body is unchanged; without one the
// rendering is exactly the unlinked golden (TestRenderGolden).
func TestRenderPublicURLLinks(t *testing.T) {
	r := replies["answer"]
	c := Render(r, WithPublicURL("https://policy.example.org/statement/"))
	for _, want := range []string{
		`<p>— <em><a href="https://policy.example.org/statement/#p3">Li Baodong, 2014, para. 3</a></em></p>`,
		`<a href="https://policy.example.org/statement/#p5">`,
	} {
		if !strings.Contains(c.FormattedBody, want) {
			t.Errorf("formatted body lacks %q:\n%s", want, c.FormattedBody)
		}
	}
	if c.Body != Render(r).Body || c.Body != r.PlainText("*", "*") {
		t.Errorf("plain body changed by the link:\n%s", c.Body)
	}
	if got, want := Render(r, WithPublicURL("")).FormattedBody, Render(r).FormattedBody; got != want {
		t.Errorf("an empty public URL changed the rendering:\n%s", got)
	}
	// Hostile citation text stays escaped inside the link.
	e := Render(replies["escaping"], WithPublicURL("https://x.example.org")).FormattedBody
	if strings.Contains(e, "<cite>") || !strings.Contains(e, `<a href="https://x.example.org/#title">&lt;cite&gt;</a>`) {
		t.Errorf("escaping with links: %s", e)
	}

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(Render(replies["answer"], WithPublicURL("https://policy.example.org"))); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "answer_linked.golden.json")
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("linked rendering differs from %s:\n%s", path, buf.Bytes())
	}
}

var _ = bot.Reply{}

func TestAdapterRenderOptions(t *testing.T) {
	a := &Adapter{opts: Options{PublicURL: "https://policy.example.org"}}
	c := replyContent(replies["answer"], "$q", "@alice:x", "", a.renderOptions()...)
	if !strings.Contains(c.FormattedBody, `href="https://policy.example.org/#p3"`) {
		t.Errorf("adapter's public URL not used: %s", c.FormattedBody)
	}
	if (&Adapter{}).renderOptions() != nil {
		t.Error("options without a public URL")
	}
}
