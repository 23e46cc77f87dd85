package slack

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/policybot/policybot/bot"
)

// FuzzInbound feeds arbitrary bytes to every parser of untrusted input
// (events, slash command forms and JSON, interaction forms) and renders
// whatever text gets through. Nothing may panic, a bot mention never
// reaches the core, and no "<" reaches Slack unescaped.
func FuzzInbound(f *testing.F) {
	f.Add([]byte(eventJSON("Ev1", map[string]any{"type": "app_mention", "user": "U1", "text": "<@UBOT> principle <!channel>", "ts": "1.1", "channel": "C1"})))
	f.Add([]byte(eventJSON("Ev2", map[string]any{"type": "message", "channel_type": "im", "user": "U1", "text": "a &lt;@U2&gt; <@UBOT|x>", "ts": "1.1", "thread_ts": "0.5", "channel": "D1"})))
	f.Add([]byte(`{"type":"url_verification","challenge":"x"}`))
	f.Add([]byte(docBody))
	f.Add([]byte(commandForm("/policy", "ask <@U1> & <!here>", "C1", "https://hooks.slack.com/x")))
	f.Add([]byte(`{"command":"/principle","text":"sov","user_id":"U1","channel_id":"C1"}`))
	f.Add([]byte(interactionBody("U1", "C1", "id /policy quote", "https://hooks.slack.com/x")))
	f.Add([]byte("payload=%7B%22type%22%3A%22block_actions%22%7D"))
	f.Add([]byte("<@<@UBOT>>"))
	self := identity{UserID: testBotUser, BotID: testBotID}
	f.Fuzz(func(t *testing.T, data []byte) {
		var texts []string
		if ev, err := parseEventCallback(data); err == nil {
			for _, id := range []identity{self, {}} {
				if in, ok := toMessage(ev.Event, id); ok {
					if id.UserID != "" && strings.Contains(in.Msg.Text, "<@"+id.UserID+">") {
						t.Fatalf("mention of the bot left in %q", in.Msg.Text)
					}
					if in.ReplyThread == "" || in.Msg.Conversation.ID == "" {
						t.Fatalf("answerable message without a place to answer: %+v", in)
					}
					texts = append(texts, in.Msg.Text)
				}
			}
		}
		for _, parse := range []func([]byte) (command, error){parseCommandForm, parseCommandJSON} {
			if c, err := parse(data); err == nil {
				m := commandMessage(c)
				if !strings.HasPrefix(m.Text, "/") {
					t.Fatalf("slash command text %q lost its prefix", m.Text)
				}
				texts = append(texts, m.Text)
			}
		}
		for _, parse := range []func([]byte) (interaction, error){parseInteractionForm, parseInteractionJSON} {
			if in, err := parse(data); err == nil {
				for _, a := range in.Actions {
					texts = append(texts, shareValue("id", a.Value))
				}
			}
		}
		texts = append(texts, string(data))
		for _, s := range texts {
			r := Render(bot.Reply{Title: s, Text: s, Passages: []bot.Passage{{Text: s, Citation: s, Highlights: []bot.Span{{Start: 0, End: len(s) / 2}}}}, List: []bot.Item{{Label: s, Text: s}}, Note: s, Hint: s}, renderOptions{})
			b, err := json.Marshal(r.Blocks)
			if err != nil {
				t.Fatalf("blocks do not marshal: %v", err)
			}
			var v any
			_ = json.Unmarshal(b, &v)
			if strings.Contains(r.Text, "<") || strings.Contains(jsonStrings(v), "<") {
				t.Fatalf("unescaped < reached Slack from %q", s)
			}
			if len(r.Blocks) > maxBlocks {
				t.Fatalf("%d blocks", len(r.Blocks))
			}
		}
	})
}

// jsonStrings concatenates every string in a decoded JSON value.
func jsonStrings(v any) string {
	var b strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			b.WriteString(v)
		case map[string]any:
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
	return b.String()
}
