package slack

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/policybot/policybot/bot"
)

// scriptedSocket plays Slack's Socket Mode endpoint: each connection gets
// "hello", then whatever the test sends; acks come back on acks.
type scriptedSocket struct {
	srv   *httptest.Server
	conns chan *websocket.Conn
	acks  chan map[string]any
}

func newScriptedSocket(t *testing.T) *scriptedSocket {
	s := &scriptedSocket{conns: make(chan *websocket.Conn, 4), acks: make(chan map[string]any, 16)}
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		if err := c.WriteJSON(map[string]any{"type": "hello", "num_connections": 1}); err != nil {
			return
		}
		s.conns <- c
		for {
			var m map[string]any
			if err := c.ReadJSON(&m); err != nil {
				return
			}
			s.acks <- m
		}
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *scriptedSocket) url() string { return "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/ws" }

func (s *scriptedSocket) conn(t *testing.T) *websocket.Conn {
	t.Helper()
	select {
	case c := <-s.conns:
		return c
	case <-time.After(5 * time.Second):
		t.Fatal("the adapter did not open a Socket Mode connection")
		return nil
	}
}

func (s *scriptedSocket) ack(t *testing.T, envelope string) map[string]any {
	t.Helper()
	select {
	case m := <-s.acks:
		if m["envelope_id"] != envelope {
			t.Fatalf("ack %v, want envelope %s", m, envelope)
		}
		return m
	case <-time.After(5 * time.Second):
		t.Fatalf("envelope %s was not acknowledged", envelope)
		return nil
	}
}

func envelope(typ, id string, payload any, retry int) map[string]any {
	p, _ := json.Marshal(payload)
	return map[string]any{"type": typ, "envelope_id": id, "payload": json.RawMessage(p), "accepts_response_payload": typ != "events_api", "retry_attempt": retry}
}

func TestSocketMode(t *testing.T) {
	sock := newScriptedSocket(t)
	var reconnects atomic.Int32
	reconnected := make(chan struct{}, 1)
	e := newTestEnv(t, func(o *Options) {
		o.AppToken, o.SigningSecret = "xapp-test", ""
		o.PingInterval = time.Minute
		o.OnReconnect = func() { reconnects.Add(1); reconnected <- struct{}{} }
	})
	e.api.wsURL = sock.url()
	acked := make(chan struct{})
	e.core.respond = func(m bot.Message) (bot.Reply, bool) {
		if m.Text == "principle sov" { // the event: must be acked before we are asked
			select {
			case <-acked:
			case <-time.After(5 * time.Second):
				t.Error("the core was asked before the envelope was acknowledged")
			}
		}
		return echo(m)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- e.a.Run(ctx) }()

	c := sock.conn(t)
	event := map[string]any{"type": "event_callback", "event_id": "Ev1", "event": map[string]any{
		"type": "app_mention", "user": "U1", "text": "<@UBOT> principle sov", "ts": "10.5", "thread_ts": "9.0", "channel": "C1"}}
	if err := c.WriteJSON(envelope("events_api", "env1", event, 0)); err != nil {
		t.Fatal(err)
	}
	if ack := sock.ack(t, "env1"); ack["payload"] != nil {
		t.Errorf("event ack carries a payload: %v", ack)
	}
	close(acked)
	post := e.api.next(t)
	if post.Path != "/chat.postMessage" || post.Form.Get("channel") != "C1" || post.Form.Get("thread_ts") != "9.0" {
		t.Fatalf("posted %s %v", post.Path, post.Form)
	}
	if err := e.a.Ready(); err != nil {
		t.Errorf("Ready() = %v while connected", err)
	}

	// Slack redelivers the same event: acked again, answered once.
	if err := c.WriteJSON(envelope("events_api", "env2", event, 1)); err != nil {
		t.Fatal(err)
	}
	sock.ack(t, "env2")

	// A slash command is answered in its ack.
	cmd := map[string]any{"command": "/principle", "text": "sov", "user_id": "U1", "user_name": "ann", "channel_id": "C1", "channel_name": "general", "response_url": e.api.hookURL(), "trigger_id": "t1"}
	if err := c.WriteJSON(envelope("slash_commands", "env3", cmd, 0)); err != nil {
		t.Fatal(err)
	}
	ack := sock.ack(t, "env3")
	payload, _ := ack["payload"].(map[string]any)
	if payload["response_type"] != "ephemeral" || !strings.Contains(payload["text"].(string), "/principle sov") {
		t.Fatalf("slash command ack = %v", ack)
	}
	value := ""
	for _, b := range payload["blocks"].([]any) {
		if b.(map[string]any)["type"] == "actions" {
			value = b.(map[string]any)["elements"].([]any)[0].(map[string]any)["value"].(string)
		}
	}
	if value == "" {
		t.Fatal("no Share button in the slash command answer")
	}

	// The Share button, over the socket.
	click := map[string]any{"type": "block_actions", "user": map[string]any{"id": "U1"}, "channel": map[string]any{"id": "C1"},
		"response_url": e.api.hookURL(), "actions": []map[string]any{{"action_id": shareActionID, "value": value}}}
	if err := c.WriteJSON(envelope("interactive", "env4", click, 0)); err != nil {
		t.Fatal(err)
	}
	sock.ack(t, "env4")
	if shared := e.api.next(t); shared.Path != "/chat.postMessage" || !strings.Contains(shared.blocks(), "Shared by <@U1>") {
		t.Fatalf("shared %s %v", shared.Path, shared.Form)
	}
	if del := e.api.next(t); del.JSON["delete_original"] != true {
		t.Fatalf("ephemeral not removed: %v", del)
	}

	// Slack asks us to reconnect: a new connection, counted.
	if err := c.WriteJSON(map[string]any{"type": "disconnect", "reason": "refresh_requested"}); err != nil {
		t.Fatal(err)
	}
	c2 := sock.conn(t)
	select {
	case <-reconnected:
	case <-time.After(5 * time.Second):
	}
	if reconnects.Load() != 1 {
		t.Errorf("OnReconnect called %d times, want 1", reconnects.Load())
	}
	if err := c2.WriteJSON(envelope("events_api", "env5", map[string]any{"type": "event_callback", "event_id": "Ev3", "event": map[string]any{"type": "reaction_added"}}, 0)); err != nil {
		t.Fatal(err)
	}
	sock.ack(t, "env5")

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v after cancel, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	e.api.none(t, e.a)
	if n := len(e.core.messages()); n != 2 {
		t.Errorf("core asked %d times, want 2 (event once, command once)", n)
	}
}

func TestSocketModeBadAppToken(t *testing.T) {
	e := newTestEnv(t, func(o *Options) { o.AppToken, o.SigningSecret = "xapp-wrong", "" })
	err := e.a.Run(t.Context())
	if err == nil || !strings.Contains(err.Error(), "POLICYBOT_SLACK_APP_TOKEN") {
		t.Fatalf("Run = %v, want an error naming POLICYBOT_SLACK_APP_TOKEN", err)
	}
	if e.a.Ready() == nil {
		t.Error("Ready() = nil after Socket Mode failed")
	}
}
