package knowledge

import (
	"os"
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

// The development set's targets are the issue's; the two sets written for
// this project guard against regressions in paraphrase and decline
// handling at the level reached when the method was last changed.
func TestQuality(t *testing.T) {
	r := newTestRetriever(t)
	for _, c := range []struct {
		file                    string
		top1, recall3, declined float64
	}{
		{"testdata/dev.jsonl", 0.95, 1.0, 1.0},
		{"testdata/extra.jsonl", 0.9, 1.0, 0.8},
		{"testdata/paraphrase.jsonl", 0.65, 0.8, 1.0},
	} {
		rep := evalFile(t, r, c.file)
		if rep.Top1Rate() < c.top1 || rep.RecallAt3Rate() < c.recall3 || rep.DeclineRate() < c.declined {
			var b strings.Builder
			rep.WriteTo(&b)
			t.Errorf("%s below target (top-1 %.2f, recall@3 %.2f, declined %.2f):\n%s", c.file, c.top1, c.recall3, c.declined, b.String())
		}
	}
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
		{"cyberspace", MatchCompound},
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

func TestAboutTheStatement(t *testing.T) {
	r := newTestRetriever(t)
	for _, q := range []string{"Who gave this speech?", "When was the address delivered?", "In what role did Li Baodong speak?", "At which event was the speech given?"} {
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
	f.Fuzz(func(t *testing.T, q string) {
		a := r.Ask(q, 3)
		for _, p := range a.Passages {
			for _, h := range p.Highlights {
				if h.Start < 0 || h.End > len(p.Paragraph.Text) || h.Start >= h.End {
					t.Fatalf("bad highlight %+v", h)
				}
			}
		}
	})
}
