package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/policybot/policybot/bot"
)

func (e *testEnv) serve(r *http.Request) *httptest.ResponseRecorder {
	mux := http.NewServeMux()
	e.a.Register(mux)
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	return w
}

func TestSlashCommandHTTP(t *testing.T) {
	e := newTestEnv(t, nil)
	e.core.respond = echo
	w := e.serve(e.signed("/slack/commands", formType, commandForm("/principle", "sov", "C1", e.api.hookURL())))
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	var res struct {
		ResponseType string `json:"response_type"`
		Text         string
		Blocks       []map[string]any
	}
	if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
		t.Fatalf("answer is not JSON: %v: %s", err, w.Body)
	}
	if res.ResponseType != "ephemeral" || !strings.Contains(res.Text, "/principle sov") {
		t.Errorf("answer = %+v", res)
	}
	if last := res.Blocks[len(res.Blocks)-1]; last["type"] != "actions" {
		t.Errorf("no Share button; last block %v", last)
	}
	got := e.core.messages()
	if len(got) != 1 || got[0].Text != "/principle sov" || got[0].Prefix != "/" || !got[0].Mentioned {
		t.Errorf("core got %+v", got)
	}
	e.api.none(t, e.a) // the answer travelled in the response, nothing else
}

func TestRefusedRequests(t *testing.T) {
	body := commandForm("/principle", "sov", "C1", "")
	tests := []struct {
		name string
		req  func(e *testEnv) *http.Request
		want int
	}{
		{"wrong secret", func(e *testEnv) *http.Request {
			return signedRequest("/slack/commands", formType, body, "not-the-secret", e.clock.Now())
		}, http.StatusUnauthorized},
		{"stale timestamp", func(e *testEnv) *http.Request {
			return signedRequest("/slack/commands", formType, body, testSecret, e.clock.Now().Add(-6*time.Minute))
		}, http.StatusUnauthorized},
		{"unsigned", func(e *testEnv) *http.Request {
			r, _ := http.NewRequest(http.MethodPost, "/slack/events", strings.NewReader(`{"type":"url_verification","challenge":"x"}`))
			return r
		}, http.StatusUnauthorized},
		{"signature for another body", func(e *testEnv) *http.Request {
			r := e.signed("/slack/commands", formType, body)
			r.Body = http.NoBody
			return r
		}, http.StatusUnauthorized},
		{"bad signature and malformed body: refused before parsing", func(e *testEnv) *http.Request {
			return signedRequest("/slack/events", "application/json", "{not json", "nope", e.clock.Now())
		}, http.StatusUnauthorized},
		{"oversized body", func(e *testEnv) *http.Request {
			return e.signed("/slack/commands", formType, body+"&pad="+strings.Repeat("a", MaxBodyBytes))
		}, http.StatusRequestEntityTooLarge},
		{"oversized body without length", func(e *testEnv) *http.Request {
			r := e.signed("/slack/commands", formType, body+"&pad="+strings.Repeat("a", MaxBodyBytes))
			r.ContentLength = -1
			return r
		}, http.StatusRequestEntityTooLarge},
		{"malformed form", func(e *testEnv) *http.Request {
			return e.signed("/slack/commands", formType, "command=%zz")
		}, http.StatusBadRequest},
		{"form without a command", func(e *testEnv) *http.Request {
			return e.signed("/slack/commands", formType, "text=sov")
		}, http.StatusBadRequest},
		{"malformed event JSON", func(e *testEnv) *http.Request {
			return e.signed("/slack/events", "application/json", `{"type":"event_callback","event":`)
		}, http.StatusBadRequest},
		{"malformed interaction", func(e *testEnv) *http.Request {
			return e.signed("/slack/interactivity", formType, "payload=%7Bnope")
		}, http.StatusBadRequest},
		{"GET", func(e *testEnv) *http.Request {
			r, _ := http.NewRequest(http.MethodGet, "/slack/commands", nil)
			return r
		}, http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t, nil) // the fake core panics if anything reaches it
			w := e.serve(tt.req(e))
			if w.Code != tt.want {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.want, w.Body)
			}
			e.api.none(t, e.a)
		})
	}
}

func TestNoSigningSecretNoEndpoints(t *testing.T) {
	e := newTestEnv(t, func(o *Options) { o.SigningSecret = ""; o.AppToken = "xapp-1" })
	if w := e.serve(e.signed("/slack/commands", formType, commandForm("/policy", "", "C1", ""))); w.Code != http.StatusNotFound {
		t.Fatalf("status %d, want 404 when HTTP mode is off", w.Code)
	}
}

func TestURLVerification(t *testing.T) {
	e := newTestEnv(t, nil)
	w := e.serve(e.signed("/slack/events", "application/json", `{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`))
	var got map[string]string
	if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &got) != nil || got["challenge"] != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Fatalf("status %d body %s", w.Code, w.Body)
	}
}

func TestEventAnsweredInThreadOnce(t *testing.T) {
	e := newTestEnv(t, nil)
	e.a.self.Store(&identity{UserID: testBotUser, BotID: testBotID})
	e.core.respond = echo
	body := eventJSON("Ev1", map[string]any{"type": "app_mention", "user": "U1", "text": "<@UBOT> principle <!channel>", "ts": "1700.01", "channel": "C1"})
	w := e.serve(e.signed("/slack/events", "application/json", body))
	if w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	c := e.api.next(t)
	if c.Path != "/chat.postMessage" || c.Form.Get("channel") != "C1" || c.Form.Get("thread_ts") != "1700.01" {
		t.Fatalf("posted %s %v", c.Path, c.Form)
	}
	if strings.Contains(c.blocks(), "<!channel>") || !strings.Contains(c.blocks(), "&lt;!channel&gt;") {
		t.Errorf("user text reached Slack unescaped: %s", c.blocks())
	}
	if c.Form.Get("text") == "" {
		t.Error("no text fallback")
	}
	// Slack retries the same event; so does a second connection.
	retry := e.signed("/slack/events", "application/json", body)
	retry.Header.Set("X-Slack-Retry-Num", "1")
	retry.Header.Set("X-Slack-Retry-Reason", "http_timeout")
	if w := e.serve(retry); w.Code != http.StatusOK {
		t.Fatalf("retry status %d", w.Code)
	}
	// The same message delivered under another event ID (message.im and
	// app_mention for one DM) is also answered once.
	e.serve(e.signed("/slack/events", "application/json", strings.Replace(body, "Ev1", "Ev2", 1)))
	e.api.none(t, e.a)
	if n := len(e.core.messages()); n != 1 {
		t.Errorf("core asked %d times, want 1", n)
	}
}

func TestIgnoredEventsNotRecorded(t *testing.T) {
	e := newTestEnv(t, nil)
	body := eventJSON("Ev9", map[string]any{"type": "message", "channel_type": "im", "subtype": "bot_message", "bot_id": "B1", "text": "hi", "ts": "1.1", "channel": "D1"})
	if w := e.serve(e.signed("/slack/events", "application/json", body)); w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	e.api.none(t, e.a)
	// Not recorded: the inbox only holds what the bot answers.
	if fresh, _ := e.a.inbox.Accept(t.Context(), Platform, "D1/1.1", ""); !fresh {
		t.Error("ignored event was recorded")
	}
}

func interactionBody(user, channel, value, responseURL string) string {
	p, _ := json.Marshal(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": user}, "channel": map[string]any{"id": channel},
		"container":    map[string]any{"type": "message", "channel_id": channel, "is_ephemeral": true},
		"response_url": responseURL,
		"actions":      []map[string]any{{"action_id": shareActionID, "value": value, "type": "button"}},
	})
	return url.Values{"payload": {string(p)}}.Encode()
}

func TestShareInChannel(t *testing.T) {
	for _, cached := range []bool{true, false} {
		name := map[bool]string{true: "cached", false: "after restart"}[cached]
		t.Run(name, func(t *testing.T) {
			e := newTestEnv(t, func(o *Options) { o.NewID = func() string { return "id1" } })
			calls := 0
			e.core.respond = func(m bot.Message) (bot.Reply, bool) {
				calls++
				return bot.Reply{Kind: bot.KindAnswer, Passages: []bot.Passage{{Text: "answer " + string(rune('0'+calls)), Citation: "¶6"}}}, true
			}
			w := e.serve(e.signed("/slack/commands", formType, commandForm("/principle", "sov", "C1", e.api.hookURL())))
			if !strings.Contains(w.Body.String(), `"value":"id1 /principle sov"`) {
				t.Fatalf("no share value in %s", w.Body)
			}
			if !cached {
				e.a.shares = newShareCache(e.clock.Now)
			}
			w = e.serve(e.signed("/slack/interactivity", formType, interactionBody("U7", "C1", "id1 /principle sov", e.api.hookURL())))
			if w.Code != 200 {
				t.Fatalf("status %d", w.Code)
			}
			post := e.api.next(t)
			if post.Path != "/chat.postMessage" || post.Form.Get("channel") != "C1" || post.Form.Get("thread_ts") != "" {
				t.Fatalf("shared as %s %v", post.Path, post.Form)
			}
			if !strings.Contains(post.blocks(), "Shared by <@U7>") {
				t.Errorf("not credited: %s", post.blocks())
			}
			want := map[bool]string{true: "answer 1", false: "answer 2"}[cached]
			if !strings.Contains(post.Form.Get("text"), want) {
				t.Errorf("shared %q, want the answer %q", post.Form.Get("text"), want)
			}
			del := e.api.next(t)
			if del.Path != "/hook" || del.JSON["delete_original"] != true {
				t.Errorf("ephemeral not removed: %v", del)
			}
			e.api.none(t, e.a)
		})
	}
}

// An answer quoting part of a paragraph carries a "Whole paragraph"
// button; a click shows the clicker the whole paragraph, privately, beside
// the answer.
func TestWholeParagraphButton(t *testing.T) {
	e := newTestEnv(t, nil)
	var asked []string
	e.core.respond = func(m bot.Message) (bot.Reply, bool) {
		asked = append(asked, m.Text)
		if m.Text == "cite 6" {
			return bot.Reply{Kind: bot.KindAnswer, Passages: []bot.Passage{{Text: "the whole sixth paragraph", Citation: "¶6", Paragraph: 6}}}, true
		}
		return bot.Reply{Kind: bot.KindAnswer, Passages: []bot.Passage{{Text: "one sentence", Citation: "¶6", Paragraph: 6, Excerpt: true}}}, true
	}
	w := e.serve(e.signed("/slack/commands", formType, commandForm("/policy", "ask sovereignty", "C1", e.api.hookURL())))
	if !strings.Contains(w.Body.String(), `"action_id":"`+wholeActionID+`6"`) || !strings.Contains(w.Body.String(), "Whole paragraph ¶6") {
		t.Fatalf("no whole-paragraph button in %s", w.Body)
	}
	p, _ := json.Marshal(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "U7"}, "channel": map[string]any{"id": "C1"},
		"response_url": e.api.hookURL(),
		"actions":      []map[string]any{{"action_id": wholeActionID + "6", "value": "6", "type": "button"}},
	})
	w = e.serve(e.signed("/slack/interactivity", formType, url.Values{"payload": {string(p)}}.Encode()))
	if w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	hook := e.api.next(t)
	if hook.Path != "/hook" || hook.JSON["response_type"] != "ephemeral" || hook.JSON["replace_original"] != false {
		t.Fatalf("whole paragraph sent as %s %v", hook.Path, hook.JSON)
	}
	if !strings.Contains(fmt.Sprint(hook.JSON["text"]), "the whole sixth paragraph") {
		t.Errorf("sent %v, want the whole paragraph", hook.JSON["text"])
	}
	if asked[len(asked)-1] != "cite 6" {
		t.Errorf("asked the core %q, want cite 6", asked)
	}
	e.api.none(t, e.a)
}

func TestShareWhenBotNotInChannel(t *testing.T) {
	e := newTestEnv(t, nil)
	e.core.respond = echo
	e.api.failPost = "not_in_channel"
	e.a.shares.put("id2", bot.Reply{Kind: bot.KindAnswer, Text: "hello"})
	e.serve(e.signed("/slack/interactivity", formType, interactionBody("U7", "C9", "id2 /policy quote", e.api.hookURL())))
	pub := e.api.next(t)
	if pub.Path != "/hook" || pub.JSON["response_type"] != "in_channel" || !strings.Contains(pub.JSON["text"].(string), "hello") {
		t.Fatalf("fallback share = %v", pub)
	}
	if del := e.api.next(t); del.JSON["delete_original"] != true {
		t.Errorf("ephemeral not removed: %v", del)
	}
}

func TestSlowCoreAnswersThroughResponseURL(t *testing.T) {
	release := make(chan struct{})
	e := newTestEnv(t, func(o *Options) { o.AckBudget = 10 * time.Millisecond })
	e.core.respond = func(m bot.Message) (bot.Reply, bool) { <-release; return echo(m) }
	w := e.serve(e.signed("/slack/commands", formType, commandForm("/policy", "ask slow", "C1", e.api.hookURL())))
	if w.Code != 200 || w.Body.Len() != 0 {
		t.Fatalf("want an empty 200 acknowledgement, got %d %q", w.Code, w.Body)
	}
	close(release)
	c := e.api.next(t)
	if c.Path != "/hook" || c.JSON["response_type"] != "ephemeral" || !strings.Contains(c.JSON["text"].(string), "ask slow") {
		t.Fatalf("late answer = %v", c)
	}
}

// failingInbox cannot record anything, as when the state file is locked
// or the disk is full.
type failingInbox struct{ Inbox }

func (failingInbox) Accept(context.Context, string, string, string) (bool, error) {
	return false, errors.New("database is locked")
}

// A question that cannot be recorded is not acknowledged, so that Slack
// sends it again, and it is not answered now either: answering it
// unrecorded could answer it twice when Slack does.
func TestEventNotAcknowledgedWhenInboxFails(t *testing.T) {
	e := newTestEnv(t, func(o *Options) { o.Inbox = failingInbox{} })
	body := eventJSON("EvDown", map[string]any{"type": "app_mention", "user": "U1", "text": "<@" + testBotUser + "> hello", "ts": "1.5", "channel": "C1"})
	w := e.serve(e.signed("/slack/events", "application/json", body))
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
		t.Fatalf("status %d, Retry-After %q; want 503 with Retry-After", w.Code, w.Header().Get("Retry-After"))
	}
	e.a.flights.Wait()
	if n := len(e.core.messages()); n != 0 {
		t.Errorf("core asked %d times for an unrecorded question", n)
	}
	e.api.none(t, e.a)
}
