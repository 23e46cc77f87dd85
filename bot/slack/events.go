package slack

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/policybot/policybot/bot"
)

// Platform is the name this adapter gives itself in bot.Message and logs.
const Platform = "slack"

// The payloads below are parsed with our own small structs rather than
// slack-go's: both modes (HTTP and Socket Mode) then share one parser, and
// we read exactly the fields we act on.

// eventCallback is an Events API envelope: the body of POST /slack/events
// and the payload of a Socket Mode "events_api" envelope.
type eventCallback struct {
	Type      string     `json:"type"` // "event_callback" or "url_verification"
	Challenge string     `json:"challenge"`
	EventID   string     `json:"event_id"`
	Event     innerEvent `json:"event"`
}

// innerEvent holds the fields of app_mention and message events we use.
type innerEvent struct {
	Type        string `json:"type"`
	SubType     string `json:"subtype"`
	User        string `json:"user"`
	BotID       string `json:"bot_id"`
	Text        string `json:"text"`
	TS          string `json:"ts"`
	ThreadTS    string `json:"thread_ts"`
	Channel     string `json:"channel"`
	ChannelType string `json:"channel_type"`
	Edited      *struct {
		TS string `json:"ts"`
	} `json:"edited"`
}

// command is a slash command, from a form (HTTP) or JSON (Socket Mode).
type command struct {
	Command     string `json:"command"`
	Text        string `json:"text"`
	UserID      string `json:"user_id"`
	UserName    string `json:"user_name"`
	ChannelID   string `json:"channel_id"`
	ChannelName string `json:"channel_name"`
	ResponseURL string `json:"response_url"`
	TriggerID   string `json:"trigger_id"`
}

// interaction is a block_actions payload (a button click) or a
// view_submission (the "what was wrong" form sent).
type interaction struct {
	Type      string `json:"type"`
	TriggerID string `json:"trigger_id"`
	User      struct {
		ID string `json:"id"`
	} `json:"user"`
	Channel struct {
		ID string `json:"id"`
	} `json:"channel"`
	Container struct {
		ChannelID string `json:"channel_id"`
	} `json:"container"`
	ResponseURL string `json:"response_url"`
	Actions     []struct {
		ActionID string `json:"action_id"`
		Value    string `json:"value"`
	} `json:"actions"`
	View struct {
		CallbackID      string `json:"callback_id"`
		PrivateMetadata string `json:"private_metadata"`
		State           struct {
			Values map[string]map[string]struct {
				Value string `json:"value"`
			} `json:"values"`
		} `json:"state"`
	} `json:"view"`
}

// errMalformed marks a payload we cannot parse; HTTP answers 400.
var errMalformed = errors.New("malformed Slack payload")

func parseEventCallback(body []byte) (eventCallback, error) {
	var ev eventCallback
	if err := json.Unmarshal(body, &ev); err != nil {
		return ev, fmt.Errorf("%w: event: %v", errMalformed, err)
	}
	if ev.Type == "" {
		return ev, fmt.Errorf("%w: event has no type", errMalformed)
	}
	return ev, nil
}

// parseCommandForm reads a slash command from an HTTP form body.
func parseCommandForm(body []byte) (command, error) {
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return command{}, fmt.Errorf("%w: slash command form: %v", errMalformed, err)
	}
	c := command{
		Command: v.Get("command"), Text: v.Get("text"),
		UserID: v.Get("user_id"), UserName: v.Get("user_name"),
		ChannelID: v.Get("channel_id"), ChannelName: v.Get("channel_name"),
		ResponseURL: v.Get("response_url"), TriggerID: v.Get("trigger_id"),
	}
	return c, c.check()
}

// parseCommandJSON reads a slash command from a Socket Mode payload.
func parseCommandJSON(payload []byte) (command, error) {
	var c command
	if err := json.Unmarshal(payload, &c); err != nil {
		return c, fmt.Errorf("%w: slash command: %v", errMalformed, err)
	}
	return c, c.check()
}

func (c command) check() error {
	if !strings.HasPrefix(c.Command, "/") || c.UserID == "" || c.ChannelID == "" {
		return fmt.Errorf("%w: slash command needs command, user_id and channel_id", errMalformed)
	}
	return nil
}

// parseInteractionForm reads a button click from an HTTP form body, where
// the JSON travels in the "payload" field.
func parseInteractionForm(body []byte) (interaction, error) {
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return interaction{}, fmt.Errorf("%w: interaction form: %v", errMalformed, err)
	}
	return parseInteractionJSON([]byte(v.Get("payload")))
}

func parseInteractionJSON(payload []byte) (interaction, error) {
	var in interaction
	if err := json.Unmarshal(payload, &in); err != nil {
		return in, fmt.Errorf("%w: interaction: %v", errMalformed, err)
	}
	if in.Type == "" {
		return in, fmt.Errorf("%w: interaction has no type", errMalformed)
	}
	return in, nil
}

// channelID is where the clicked message lives.
func (in interaction) channelID() string {
	if in.Channel.ID != "" {
		return in.Channel.ID
	}
	return in.Container.ChannelID
}

// identity is who the bot is in the workspace, from auth.test.
type identity struct {
	UserID string // the bot user, as it appears in mentions ("U…")
	BotID  string // "B…", set on messages the bot posts
}

// answerable subtypes of "message": new messages, thread replies also sent
// to the channel, and messages with files. Edits, deletions, joins, bot
// messages and the rest are not questions.
var answerable = map[string]bool{"": true, "thread_broadcast": true, "file_share": true}

// inbound is an event the bot should answer, with where to answer it.
type inbound struct {
	Msg bot.Message
	// ReplyThread is the thread_ts to answer under: the message's own
	// thread, or the message itself when it starts one.
	ReplyThread string
}

// toMessage translates an event into a bot.Message, or reports false when
// the event is not a question for the bot (its own posts, other bots,
// edits, deletions, channel chatter).
func toMessage(ev innerEvent, self identity) (inbound, bool) {
	if ev.Channel == "" || ev.TS == "" || ev.User == "" {
		return inbound{}, false
	}
	if ev.BotID != "" || (self.UserID != "" && ev.User == self.UserID) || ev.Edited != nil {
		return inbound{}, false
	}
	if !answerable[ev.SubType] {
		return inbound{}, false
	}
	m := Conventions().Message(ev.Channel)
	m.ID, m.Sender = ev.TS, bot.User{ID: ev.User}
	var mentioned bool
	m.Text, mentioned = stripMention(ev.Text, self.UserID)
	switch ev.Type {
	case "app_mention":
		m.Mentioned = true
		m.Conversation.Direct = ev.ChannelType == "im" || strings.HasPrefix(ev.Channel, "D")
	case "message":
		// Only direct messages: in channels the bot answers app_mention,
		// and answering message.channels as well would answer twice.
		if ev.ChannelType != "im" {
			return inbound{}, false
		}
		m.Conversation.Direct = true
		m.Mentioned = mentioned
	default:
		return inbound{}, false
	}
	thread := ev.ThreadTS
	if thread == "" {
		thread = ev.TS
	}
	return inbound{Msg: m, ReplyThread: thread}, true
}

// mentionRE matches a user mention as Slack encodes it: <@U123> or
// <@U123|name>.
var mentionRE = regexp.MustCompile(`<@([A-Z0-9]+)(?:\|[^>]*)?>`)

// stripMention removes mentions of the bot from text. When the bot's own
// ID is not known yet (auth.test still pending) a mention at the very start
// is taken to be of the bot, which is where app_mention puts it.
func stripMention(text, botUser string) (string, bool) {
	found := false
	out := mentionRE.ReplaceAllStringFunc(text, func(m string) string {
		id := mentionRE.FindStringSubmatch(m)[1]
		if botUser != "" && id == botUser {
			found = true
			return ""
		}
		return m
	})
	if botUser == "" {
		if loc := mentionRE.FindStringIndex(strings.TrimSpace(out)); loc != nil && loc[0] == 0 {
			out = strings.TrimSpace(out)[loc[1]:]
			found = true
		}
	}
	return unescape(strings.Join(strings.Fields(out), " ")), found
}

// unescaper undoes Slack's escaping of what users type, so that the core
// sees "a < b" rather than "a &lt; b". Our own output escapes again.
var unescaper = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

func unescape(s string) string { return unescaper.Replace(s) }

// commandMessage translates a slash command. The core sees it as typed:
// "/principle" with text "sov" becomes "/principle sov".
func commandMessage(c command) bot.Message {
	m := Conventions().Message(c.ChannelID)
	m.ID = c.TriggerID
	m.Text = strings.TrimSpace(c.Command + " " + unescape(strings.TrimSpace(c.Text)))
	m.Sender, m.Mentioned = bot.User{ID: c.UserID, Name: c.UserName}, true
	m.Conversation.Direct = c.ChannelName == "directmessage" || strings.HasPrefix(c.ChannelID, "D")
	return m
}

// directCommands are the core's commands that the app registers as slash
// commands of their own (manifest.yaml); replies write every other one as
// "/policy <command>", since Slack rejects slash commands it does not know.
func directCommands() []string { return []string{"principle"} }
