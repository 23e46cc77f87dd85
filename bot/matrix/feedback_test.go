package matrix_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"maunium.net/go/mautrix/id"
)

const insightsToken = "matrix-it-insights-token-0123"

// TestReactionFeedback runs the bot with insights and a public URL: its
// answer in an encrypted room links the citation to the statement page,
// and 👍/👎 reactions to the answer show in /insights, each person once
// however often they react; reactions to other events do not count.
func TestReactionFeedback(t *testing.T) {
	skipShort(t)
	ctx := context.Background()
	w.proc.stop()
	p, err := launchBot(ctx, []string{
		"POLICYBOT_INSIGHTS_TOKEN=" + insightsToken,
		"POLICYBOT_INSIGHTS_KEEP_QUESTIONS=true",
		"POLICYBOT_PUBLIC_URL=https://policy.example.org",
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	w.proc = p
	defer func() {
		w.proc.stop()
		if w.proc, err = startBot(ctx); err != nil {
			t.Errorf("restart the shared bot: %v", err)
		}
	}()

	a := w.alice
	room := newRoom(t, true, false, w.bob)
	q := a.say(t, room, "!ask "+question)
	r := a.waitFor(t, "answer", replyWait, replyTo(w.bot, q))
	c := checkReply(t, r, q)
	if !strings.Contains(c.FormattedBody, `<p>— <em><a href="https://policy.example.org/#p6">`) || strings.Contains(c.Body, "https://") {
		t.Errorf("citation not linked in HTML only:\nHTML %s\nbody %s", c.FormattedBody, c.Body)
	}

	react := func(who *human, target id.EventID, key string) {
		t.Helper()
		if _, err := who.cli.SendReaction(ctx, room, target, key); err != nil {
			// A homeserver may refuse a duplicate annotation; that is
			// the same as the bot ignoring it.
			t.Logf("%s reacting %s: %v", who.cli.UserID, key, err)
		}
	}
	react(a, r.ID, "👍")
	react(a, r.ID, "👍️") // again, with the emoji presentation selector
	react(w.bob, r.ID, "👎🏽")
	react(w.bob, q, "👎") // on alice's question, not an answer
	react(a, r.ID, "🎉")  // not a vote

	want := "<tr><td>matrix</td><td>1</td><td>1</td></tr>"
	var body string
	deadline := time.Now().Add(replyWait)
	for time.Now().Before(deadline) {
		body = insights(t, p.addr)
		if strings.Contains(body, want) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if !strings.Contains(body, want) {
		t.Fatalf("/insights has no matrix votes 1 up, 1 down (%s):\n%s", want, body)
	}
	if !strings.Contains(body, question) {
		t.Errorf("the 👎 answer's question is not listed (keep_questions is on):\n%s", body)
	}
	// Another reaction by alice does not change the count.
	react(a, r.ID, "👍🏻")
	final := a.say(t, room, "!policy help")
	a.waitFor(t, "a later reply", replyWait, replyTo(w.bot, final))
	if body := insights(t, p.addr); !strings.Contains(body, want) {
		t.Errorf("after alice reacted again the votes changed:\n%s", body)
	}
}

func insights(t *testing.T, addr string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/insights", nil)
	req.Header.Set("Authorization", "Bearer "+insightsToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/insights: %d %s", res.StatusCode, b)
	}
	return string(b)
}
