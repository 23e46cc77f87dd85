package slack

import (
	"reflect"
	"testing"

	"github.com/policybot/policybot/bot"
)

func TestToMessage(t *testing.T) {
	self := identity{UserID: testBotUser, BotID: testBotID}
	mention := innerEvent{Type: "app_mention", User: "U1", Text: "<@UBOT> principle sov", TS: "100.1", Channel: "C1"}
	with := func(f func(*innerEvent)) innerEvent { e := mention; f(&e); return e }
	dm := innerEvent{Type: "message", ChannelType: "im", User: "U1", Text: "quote trust", TS: "200.2", Channel: "D1"}
	withDM := func(f func(*innerEvent)) innerEvent { e := dm; f(&e); return e }

	tests := []struct {
		name      string
		ev        innerEvent
		self      identity
		ok        bool
		text      string
		thread    string // where the answer goes
		direct    bool
		mentioned bool
	}{
		{"mention starts a thread", mention, self, true, "principle sov", "100.1", false, true},
		{"mention inside a thread", with(func(e *innerEvent) { e.ThreadTS = "90.0" }), self, true, "principle sov", "90.0", false, true},
		{"mention with name form", with(func(e *innerEvent) { e.Text = "hey <@UBOT|policybot>   what about  peace?" }), self, true, "hey what about peace?", "100.1", false, true},
		{"other users' mentions stay", with(func(e *innerEvent) { e.Text = "<@UBOT> ask <@U9> about peace" }), self, true, "ask <@U9> about peace", "100.1", false, true},
		{"slack escapes are undone", with(func(e *innerEvent) { e.Text = "<@UBOT> a &lt; b &amp;&amp; c &gt; d" }), self, true, "a < b && c > d", "100.1", false, true},
		{"identity unknown: leading mention stripped", mention, identity{}, true, "principle sov", "100.1", false, true},
		{"mention by a bot", with(func(e *innerEvent) { e.BotID = "B9" }), self, false, "", "", false, false},
		{"own message", with(func(e *innerEvent) { e.User = testBotUser }), self, false, "", "", false, false},
		{"edited mention", with(func(e *innerEvent) {
			e.Edited = &struct {
				TS string `json:"ts"`
			}{"101"}
		}), self, false, "", "", false, false},
		{"no channel", with(func(e *innerEvent) { e.Channel = "" }), self, false, "", "", false, false},
		{"direct message", dm, self, true, "quote trust", "200.2", true, false},
		{"direct message with mention", withDM(func(e *innerEvent) { e.Text = "<@UBOT> help" }), self, true, "help", "200.2", true, true},
		{"direct message thread broadcast", withDM(func(e *innerEvent) { e.SubType = "thread_broadcast"; e.ThreadTS = "150.0" }), self, true, "quote trust", "150.0", true, false},
		{"bot_message", withDM(func(e *innerEvent) { e.SubType = "bot_message"; e.BotID = "B1" }), self, false, "", "", false, false},
		{"own reply in DM", withDM(func(e *innerEvent) { e.BotID = testBotID; e.User = testBotUser }), self, false, "", "", false, false},
		{"message_changed", withDM(func(e *innerEvent) { e.SubType = "message_changed"; e.User = "" }), self, false, "", "", false, false},
		{"message_deleted", withDM(func(e *innerEvent) { e.SubType = "message_deleted" }), self, false, "", "", false, false},
		{"channel_join", withDM(func(e *innerEvent) { e.SubType = "channel_join" }), self, false, "", "", false, false},
		{"channel message (not ours to answer)", withDM(func(e *innerEvent) { e.ChannelType = "channel" }), self, false, "", "", false, false},
		{"unknown event type", withDM(func(e *innerEvent) { e.Type = "reaction_added" }), self, false, "", "", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, ok := toMessage(tt.ev, tt.self)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if !ok {
				return
			}
			m := in.Msg
			if m.Text != tt.text || in.ReplyThread != tt.thread || m.Conversation.Direct != tt.direct || m.Mentioned != tt.mentioned {
				t.Errorf("got text %q thread %q direct %v mentioned %v; want %q %q %v %v",
					m.Text, in.ReplyThread, m.Conversation.Direct, m.Mentioned, tt.text, tt.thread, tt.direct, tt.mentioned)
			}
			if m.Platform != "slack" || m.Prefix != "/" || m.Sender.ID != tt.ev.User || m.Conversation.ID != tt.ev.Channel || m.ID != tt.ev.TS {
				t.Errorf("identity fields wrong: %+v", m)
			}
		})
	}
}

func TestCommandMessage(t *testing.T) {
	tests := []struct {
		c    command
		want bot.Message
	}{
		{command{Command: "/principle", Text: " sov ", UserID: "U1", UserName: "ann", ChannelID: "C1", ChannelName: "general", TriggerID: "T"},
			bot.Message{Platform: "slack", ID: "T", Text: "/principle sov", Prefix: "/", Direct: directCommands(), Sender: bot.User{ID: "U1", Name: "ann"}, Mentioned: true, Conversation: bot.Conversation{ID: "C1"}}},
		{command{Command: "/policy", UserID: "U1", ChannelID: "D1", ChannelName: "directmessage"},
			bot.Message{Platform: "slack", Text: "/policy", Prefix: "/", Direct: directCommands(), Sender: bot.User{ID: "U1"}, Mentioned: true, Conversation: bot.Conversation{ID: "D1", Direct: true}}},
		{command{Command: "/policy", Text: "ask a &lt;b&gt;", UserID: "U1", ChannelID: "G1"},
			bot.Message{Platform: "slack", Text: "/policy ask a <b>", Prefix: "/", Direct: directCommands(), Sender: bot.User{ID: "U1"}, Mentioned: true, Conversation: bot.Conversation{ID: "G1"}}},
	}
	for _, tt := range tests {
		if got := commandMessage(tt.c); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("commandMessage(%+v)\n got %+v\nwant %+v", tt.c, got, tt.want)
		}
	}
}

func TestParsers(t *testing.T) {
	if _, err := parseCommandForm([]byte(docBody)); err != nil {
		t.Errorf("Slack's documented command body: %v", err)
	}
	bad := map[string]func() error{
		"command form not urlencoded": func() error { _, err := parseCommandForm([]byte("%zz")); return err },
		"command without command":     func() error { _, err := parseCommandForm([]byte("user_id=U1&channel_id=C1")); return err },
		"command json broken":         func() error { _, err := parseCommandJSON([]byte(`{"command":`)); return err },
		"event not json":              func() error { _, err := parseEventCallback([]byte("type=event_callback")); return err },
		"event without type":          func() error { _, err := parseEventCallback([]byte(`{"event":{}}`)); return err },
		"event with wrong field type": func() error {
			_, err := parseEventCallback([]byte(`{"type":"event_callback","event":{"text":5}}`))
			return err
		},
		"interaction without payload": func() error { _, err := parseInteractionForm([]byte("x=1")); return err },
		"interaction payload broken":  func() error { _, err := parseInteractionForm([]byte("payload=%7B")); return err },
	}
	for name, f := range bad {
		if err := f(); err == nil {
			t.Errorf("%s: parsed without error", name)
		}
	}
}
