package slack

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/policybot/policybot/bot"
)

// fakeFeedback records what the adapter tells it; it panics on calls the
// test did not expect, like the other fakes.
type fakeFeedback struct {
	mu       sync.Mutex
	answered []string // refs
	votes    []string // "ref user up|down"
	reasons  []string // "ref user text"
}

func (f *fakeFeedback) Reason(_ context.Context, platform, ref, user, text string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reasons = append(f.reasons, ref+" "+user+" "+text)
	return nil
}

func (f *fakeFeedback) Answered(_ context.Context, platform, ref string, _ bot.Message, r bot.Reply) error {
	if platform != Platform || r.Kind != bot.KindAnswer {
		panic("Answered for " + platform + " " + r.Kind.String())
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answered = append(f.answered, ref)
	return nil
}

func (f *fakeFeedback) Vote(_ context.Context, platform, ref, user string, up bool) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v := map[bool]string{true: "up", false: "down"}[up]
	f.votes = append(f.votes, ref+" "+user+" "+v)
	return true, nil
}

func voteBody(user, channel, actionID, value string) string {
	p, _ := json.Marshal(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": user}, "channel": map[string]any{"id": channel},
		"container": map[string]any{"type": "message", "channel_id": channel},
		"actions":   []map[string]any{{"action_id": actionID, "value": value, "type": "button"}},
	})
	return url.Values{"payload": {string(p)}}.Encode()
}

func TestFeedbackButtons(t *testing.T) {
	fb := &fakeFeedback{}
	e := newTestEnv(t, func(o *Options) {
		o.Feedback = fb
		o.NewID = func() string { return "ref1" }
	})
	e.core.respond = func(m bot.Message) (bot.Reply, bool) {
		if strings.Contains(m.Text, "help") {
			return bot.Reply{Kind: bot.KindInfo, Text: "help"}, true
		}
		return bot.Reply{Kind: bot.KindAnswer, Passages: []bot.Passage{{Text: "a quote", Citation: "¶6", Paragraph: 6}}}, true
	}
	w := e.serve(e.signed("/slack/commands", formType, commandForm("/principle", "sov", "C1", e.api.hookURL())))
	body := w.Body.String()
	for _, want := range []string{`"action_id":"policybot_vote_up","value":"ref1"`, `"action_id":"policybot_vote_down","value":"ref1"`, `"action_id":"policybot_share"`} {
		if !strings.Contains(body, want) {
			t.Errorf("answer lacks %s:\n%s", want, body)
		}
	}
	if w := e.serve(e.signed("/slack/commands", formType, commandForm("/policy", "help", "C1", e.api.hookURL()))); strings.Contains(w.Body.String(), "policybot_vote") {
		t.Errorf("a help reply got vote buttons: %s", w.Body)
	}

	// Clicks are acknowledged at once and recorded afterwards.
	for _, click := range []struct{ user, action string }{{"U7", voteDownActionID}, {"U7", voteDownActionID}, {"U8", voteUpActionID}} {
		if w := e.serve(e.signed("/slack/interactivity", formType, voteBody(click.user, "C1", click.action, "ref1"))); w.Code != 200 || w.Body.Len() != 0 {
			t.Fatalf("click: %d %q, want an empty 200", w.Code, w.Body)
		}
	}
	// An unsigned click is refused before anything is recorded.
	req := signedRequest("/slack/interactivity", formType, voteBody("U9", "C1", voteUpActionID, "ref1"), "wrong secret", e.clock.Now())
	if w := e.serve(req); w.Code != 401 {
		t.Errorf("forged click: %d, want 401", w.Code)
	}
	e.a.flights.Wait()
	fb.mu.Lock()
	defer fb.mu.Unlock()
	if strings.Join(fb.answered, ",") != "ref1" {
		t.Errorf("answered %v, want the one answer", fb.answered)
	}
	// The adapter passes every click on; counting each person once per
	// answer is the store's job (bot/store TestInsights, the end-to-end
	// test in cmd/policybot).
	slices.Sort(fb.votes) // clicks are handled concurrently
	if got := strings.Join(fb.votes, ","); got != "ref1 U7 down,ref1 U7 down,ref1 U8 up" {
		t.Errorf("votes %q", got)
	}
}

// A click with a response URL is thanked privately, without touching the
// answer; a repeated click says it was counted already.
func TestFeedbackThanks(t *testing.T) {
	fb := &fakeFeedback{}
	e := newTestEnv(t, func(o *Options) { o.Feedback = fb })
	p, _ := json.Marshal(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "U7"}, "channel": map[string]any{"id": "C1"},
		"response_url": e.api.hookURL(),
		"actions":      []map[string]any{{"action_id": voteUpActionID, "value": "ref9", "type": "button"}},
	})
	e.serve(e.signed("/slack/interactivity", formType, url.Values{"payload": {string(p)}}.Encode()))
	c := e.api.next(t)
	if c.Path != "/hook" || c.JSON["response_type"] != "ephemeral" || c.JSON["replace_original"] != false || !strings.Contains(c.JSON["text"].(string), "Thanks") {
		t.Errorf("thanks = %s %v", c.Path, c.JSON)
	}
}

// A 👎 with a trigger opens the optional "what was wrong" form; what it
// sends is recorded for that answer and voter.
func TestFeedbackReasonForm(t *testing.T) {
	fb := &fakeFeedback{}
	e := newTestEnv(t, func(o *Options) { o.Feedback = fb })
	p, _ := json.Marshal(map[string]any{
		"type": "block_actions", "trigger_id": "123.456.abc", "user": map[string]any{"id": "U7"}, "channel": map[string]any{"id": "C1"},
		"actions": []map[string]any{{"action_id": voteDownActionID, "value": "ref9", "type": "button"}},
	})
	e.serve(e.signed("/slack/interactivity", formType, url.Values{"payload": {string(p)}}.Encode()))
	c := e.api.next(t)
	view, _ := c.JSON["view"].(map[string]any)
	if c.Path != "/views.open" || c.JSON["trigger_id"] != "123.456.abc" || view["callback_id"] != reasonCallbackID || view["private_metadata"] != "ref9" {
		t.Fatalf("form = %s %v", c.Path, c.JSON)
	}
	sub, _ := json.Marshal(map[string]any{
		"type": "view_submission", "user": map[string]any{"id": "U7"},
		"view": map[string]any{"callback_id": reasonCallbackID, "private_metadata": "ref9",
			"state": map[string]any{"values": map[string]any{reasonBlockID: map[string]any{reasonActionID: map[string]any{"type": "plain_text_input", "value": "wrong principle"}}}}},
	})
	if w := e.serve(e.signed("/slack/interactivity", formType, url.Values{"payload": {string(sub)}}.Encode())); w.Code != 200 || w.Body.Len() != 0 {
		t.Fatalf("submission: %d %q, want an empty 200 (closes the form)", w.Code, w.Body)
	}
	e.a.flights.Wait()
	fb.mu.Lock()
	defer fb.mu.Unlock()
	if strings.Join(fb.reasons, ",") != "ref9 U7 wrong principle" {
		t.Errorf("reasons %q", fb.reasons)
	}
}

func TestRenderFeedbackGolden(t *testing.T) {
	got := Render(sovereignty(t), renderOptions{ShareValue: "0123456789abcdef /principle sov", FeedbackRef: "fb0123456789abcd"})
	checkLimits(t, got)
	checkGolden(t, "answer_feedback", got)
}
