// Package bot is policybot's platform-neutral core: it reads a Message,
// decides whether and how to answer, and returns a Reply that each chat
// adapter renders in its own format. No chat platform type crosses into
// this package.
package bot

import (
	"context"
	"slices"
	"strings"
)

// Responder answers messages: the core (*Bot), or the core wrapped in
// middleware. Adapters take one, as net/http's server takes a Handler; ok
// is false when the message is not for the bot.
type Responder interface {
	Respond(ctx context.Context, m Message) (r Reply, ok bool)
}

// Message is one incoming chat message, translated by an adapter.
type Message struct {
	// Platform names the adapter ("slack", "matrix", "console"); it keys
	// subscriptions and logs.
	Platform string
	// ID is the platform's identifier of the message, for logs.
	ID string
	// Text is what the user typed, with any mention of the bot removed.
	// Commands keep their prefix ("!principle sov", "/policy help").
	Text string
	// Prefix is the command prefix of the platform ("/" or "!"), used when
	// replies suggest commands to type.
	Prefix string
	// Direct lists the commands that can be written on their own as
	// Prefix+name; others are written Prefix+"policy "+name. Slack needs
	// it: only the slash commands its app registers exist there. Nil
	// means every command can be written on its own.
	Direct       []string
	Sender       User
	Conversation Conversation
	// Mentioned is true when the message addresses the bot by name or
	// mention; in a group conversation only commands and mentions are
	// answered.
	Mentioned bool
	// CanManage is true when the sender may manage the bot in this
	// conversation (e.g. a Matrix room moderator): it gates "leave".
	CanManage bool
}

// User is the sender of a message.
type User struct {
	ID   string
	Name string
}

// Conversation is where a message was sent: a channel, room or direct
// message.
type Conversation struct {
	ID string
	// Direct is true for one-to-one conversations with the bot, where
	// every message is for the bot.
	Direct bool
}

// Command is how the sender writes command text ("cite 6") on their
// platform: "!cite 6" on Matrix, "/policy cite 6" on Slack, where only
// /policy and /principle are slash commands. Replies use it whenever
// they suggest a command.
func (m Message) Command(text string) string {
	name, _, _ := strings.Cut(text, " ")
	if m.Direct == nil || slices.Contains(m.Direct, name) {
		return m.Prefix + text
	}
	return m.Prefix + "policy " + text
}
