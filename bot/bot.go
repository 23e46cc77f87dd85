package bot

import (
	"context"
	"log/slog"
	"time"

	"github.com/policybot/policybot/knowledge"
)

// Retriever finds the paragraphs that answer a question.
type Retriever interface {
	Ask(question string, top int) knowledge.Answer
}

// Options configures a Bot. Zero values take the defaults noted.
type Options struct {
	// Subscriptions stores digest subscriptions; nil makes the digest
	// commands say digests are not available.
	Subscriptions Subscriptions
	// MaxPassages bounds passages per reply (default 3).
	MaxPassages int
	// MaxChars bounds the quoted characters per reply (default 3000).
	MaxChars int
	// Rand returns a number in [0, n); default math/rand/v2.
	Rand func(n int) int
	// Now is the clock; default time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// Bot is the platform-neutral core. It is safe for concurrent use.
type Bot struct {
	doc  *knowledge.Document
	ret  Retriever
	opts Options
}

// New builds the core over one statement and its retriever.
func New(doc *knowledge.Document, ret Retriever, opts Options) (*Bot, error) {
	panic("unimplemented")
}

// Respond answers one message. It returns false when the message is not
// for the bot (ordinary chatter in a group conversation) and must be
// ignored.
func (b *Bot) Respond(ctx context.Context, m Message) (Reply, bool) {
	panic("unimplemented")
}

// PassageOf quotes one paragraph of the statement with its citation.
func PassageOf(doc *knowledge.Document, p knowledge.Paragraph) Passage {
	return Passage{Text: p.Text, Citation: doc.Citation(p), Paragraph: p.Number}
}
