package insights

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/policybot/policybot/bot"
	"github.com/policybot/policybot/bot/store"
)

func TestNormalizeAndQuestion(t *testing.T) {
	for _, tt := range []struct{ in, question, norm string }{
		{"Apple pie?", "Apple pie?", "apple pie"},
		{"  apple   PIE!!", "apple   PIE!!", "apple pie"},
		{"/policy ask Who governs?", "Who governs?", "who governs"},
		{"!ask who governs", "who governs", "who governs"},
		{"/ask   what's the  deal", "what's the  deal", "what s the deal"},
		{"/principle peace", "/principle peace", "principle peace"},
		{"", "", ""},
	} {
		q := Question(tt.in)
		if q != tt.question || Normalize(q) != tt.norm {
			t.Errorf("%q: Question %q Normalize %q; want %q %q", tt.in, q, Normalize(q), tt.question, tt.norm)
		}
	}
}

func TestOutcome(t *testing.T) {
	for k, want := range map[bot.Kind]string{bot.KindAnswer: "answer", bot.KindDecline: "decline", bot.KindInfo: "", bot.KindError: ""} {
		if got := Outcome(bot.Reply{Kind: k}); got != want {
			t.Errorf("Outcome(%s) = %q, want %q", k, got, want)
		}
	}
}

// Question text is kept only when asked for, and only for questions the
// statement did not answer; votes count once per person.
func TestRecorder(t *testing.T) {
	ctx := context.Background()
	for _, keep := range []bool{false, true} {
		st, err := store.Open(ctx, filepath.Join(t.TempDir(), "s.db"))
		if err != nil {
			t.Fatal(err)
		}
		var votes []bool
		r, err := New(Options{Store: st, KeepQuestions: keep, OnVote: func(_ string, up bool) { votes = append(votes, up) }})
		if err != nil {
			t.Fatal(err)
		}
		m := bot.Message{Platform: "slack", Text: "/policy ask Apple pie?"}
		must(t, r.Observe(ctx, m, bot.Reply{Kind: bot.KindDecline}))
		must(t, r.Observe(ctx, bot.Message{Platform: "slack", Text: "who governs?"}, bot.Reply{Kind: bot.KindAnswer, Passages: []bot.Passage{{Paragraph: 7}}}))
		must(t, r.Observe(ctx, m, bot.Reply{Kind: bot.KindInfo}))
		must(t, r.Answered(ctx, "slack", "ref1", bot.Message{Text: "who governs?"}, bot.Reply{Kind: bot.KindAnswer, Passages: []bot.Passage{{Paragraph: 7}}}))
		for _, user := range []string{"U1", "U1", "U2"} {
			if _, err := r.Vote(ctx, "slack", "ref1", user, false); err != nil {
				t.Fatal(err)
			}
		}
		must(t, r.Reason(ctx, "slack", "ref1", "U2", "  wrong\x1fparagraph  "))
		in, err := r.Report(ctx)
		if err != nil {
			t.Fatal(err)
		}
		wantQ, wantRated := "", ""
		if keep {
			wantQ, wantRated = "Apple pie?", "who governs?"
		}
		if len(in.Unanswered) != 1 || in.Unanswered[0].Question != wantQ || in.Unanswered[0].Count != 1 {
			t.Errorf("keep=%v: unanswered %+v, want one with question %q", keep, in.Unanswered, wantQ)
		}
		if len(in.Disliked) != 1 || in.Disliked[0].Down != 2 || in.Disliked[0].Question != wantRated {
			t.Errorf("keep=%v: disliked %+v", keep, in.Disliked)
		}
		wantReasons := 0
		if keep {
			wantReasons = 1
		}
		if len(in.Disliked) == 1 && (len(in.Disliked[0].Reasons) != wantReasons || keep && in.Disliked[0].Reasons[0] != "wrong paragraph") {
			t.Errorf("keep=%v: reasons %q", keep, in.Disliked[0].Reasons)
		}
		if len(votes) != 2 {
			t.Errorf("keep=%v: OnVote told %d times, want 2 (U1 twice counts once)", keep, len(votes))
		}
		if len(in.Cited) != 1 || in.Cited[0] != (store.Cited{Paragraph: 7, Count: 1}) {
			t.Errorf("cited %+v", in.Cited)
		}
		st.Close()
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

var _ = time.Second
