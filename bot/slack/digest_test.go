package slack

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/policybot/policybot/bot"
)

func TestDeliver(t *testing.T) {
	reply := bot.Reply{Kind: bot.KindAnswer, Title: "Daily quote", Passages: []bot.Passage{{Text: "Mankind does not need a new battlefield.", Citation: "¶5"}}}
	const key = "digest-7-2026-11-26"
	ours := func(k string) map[string]any {
		return map[string]any{"type": "message", "bot_id": testBotID, "ts": "1.1", "text": "x",
			"metadata": map[string]any{"event_type": digestEventType, "event_payload": map[string]any{"key": k}}}
	}
	tests := []struct {
		name     string
		retry    bool
		history  []map[string]any
		wantPost bool
	}{
		{"first attempt posts without looking", false, nil, true},
		{"retry, not posted before", true, []map[string]any{ours("digest-7-2026-11-25")}, true},
		{"retry, already posted", true, []map[string]any{{"type": "message", "text": "chatter", "ts": "2.2"}, ours(key)}, false},
		{"retry, another app's message with our key", true, []map[string]any{func() map[string]any { m := ours(key); m["bot_id"] = "BOTHER"; return m }()}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t, nil)
			e.a.self.Store(&identity{UserID: testBotUser, BotID: testBotID})
			e.api.history = tt.history
			if err := e.a.Deliver(t.Context(), "C1", reply, key, tt.retry); err != nil {
				t.Fatal(err)
			}
			if tt.retry {
				h := e.api.next(t)
				if h.Path != "/conversations.history" || h.Form.Get("channel") != "C1" || h.Form.Get("include_all_metadata") != "1" {
					t.Fatalf("history call %s %v", h.Path, h.Form)
				}
			}
			if !tt.wantPost {
				e.api.none(t, e.a)
				return
			}
			p := e.api.next(t)
			if p.Path != "/chat.postMessage" || p.Form.Get("thread_ts") != "" || !strings.Contains(p.Form.Get("text"), "battlefield") {
				t.Fatalf("posted %s %v", p.Path, p.Form)
			}
			var meta struct {
				EventType    string         `json:"event_type"`
				EventPayload map[string]any `json:"event_payload"`
			}
			if err := json.Unmarshal([]byte(p.Form.Get("metadata")), &meta); err != nil || meta.EventType != digestEventType || meta.EventPayload["key"] != key {
				t.Errorf("metadata = %q (%v)", p.Form.Get("metadata"), err)
			}
		})
	}
}

func TestDeliverRetryHistoryFails(t *testing.T) {
	e := newTestEnv(t, func(o *Options) { o.APIURL = "http://127.0.0.1:1/" }) // nothing listens
	err := e.a.Deliver(t.Context(), "C1", bot.Reply{Text: "x"}, "k", true)
	if err == nil || !strings.Contains(err.Error(), "C1") || !strings.Contains(err.Error(), "history") {
		t.Fatalf("err = %v, want a refusal to post blind naming the channel", err)
	}
}
