package bot

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/policybot/policybot/knowledge"
)

// DefaultMaxChars bounds the characters quoted in one reply unless the
// configuration says otherwise.
const DefaultMaxChars = 3000

// MaxMessageBytes bounds the messages the core reads: the retriever's
// bound, so that every message the core accepts is read whole. Longer
// ones are refused with the limit rather than truncated silently.
const MaxMessageBytes = knowledge.MaxQuestionBytes

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
	cmds *Registry
	log  *slog.Logger
}

// New builds the core over one statement and its retriever.
func New(doc *knowledge.Document, ret Retriever, opts Options) (*Bot, error) {
	if doc == nil || ret == nil {
		return nil, fmt.Errorf("bot: a statement and a retriever are required")
	}
	if opts.MaxPassages <= 0 {
		opts.MaxPassages = knowledge.DefaultPassages
	}
	if opts.MaxChars <= 0 {
		opts.MaxChars = DefaultMaxChars
	}
	if opts.Rand == nil {
		opts.Rand = rand.IntN
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	b := &Bot{doc: doc, ret: ret, opts: opts, log: opts.Logger}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	cmds, err := NewRegistry(b.commands()...)
	if err != nil {
		return nil, err
	}
	b.cmds = cmds
	return b, nil
}

// Commands lists the commands, for adapters that register them with the
// platform.
func (b *Bot) Commands() []Command { return b.cmds.Commands() }

// Respond answers one message. It returns false when the message is not
// for the bot (ordinary chatter in a group conversation, or another bot's
// command) and must be ignored.
func (b *Bot) Respond(ctx context.Context, m Message) (Reply, bool) {
	if m.Prefix == "" {
		m.Prefix = "/"
	}
	text := strings.TrimSpace(m.Text)
	addressed := m.Conversation.Direct || m.Mentioned
	if len(m.Text) > MaxMessageBytes {
		_, _, isCmd := splitCommand(text)
		if !isCmd && !addressed {
			return Reply{}, false
		}
		return Reply{
			Kind: KindError,
			// No count: a transport may have kept only part of a huge
			// message, and the limit is what the user needs.
			Text: fmt.Sprintf("That message is too long for me: I read at most %d bytes (about %d words of English). Please ask a shorter question.", MaxMessageBytes, MaxMessageBytes/6),
		}, true
	}
	text = sanitize(text)
	name, args, isCmd := splitCommand(text)
	if isCmd {
		// "/policy <sub> ..." and "/<sub> ..." are the same command.
		if name == "policy" {
			if args == "" {
				return b.dispatch(ctx, m, "help", "")
			}
			name, args = cutWord(args)
			if _, ok := b.cmds.Lookup(name); !ok {
				return b.unknown(m, name), true
			}
			return b.dispatch(ctx, m, name, args)
		}
		if _, ok := b.cmds.Lookup(name); ok {
			return b.dispatch(ctx, m, name, args)
		}
		// Another bot's command, unless the user is talking to us.
		if !addressed {
			return Reply{}, false
		}
		return b.unknown(m, name), true
	}
	if !addressed {
		return Reply{}, false
	}
	// In a direct message or a mention, a bare command word works too:
	// "principle sov", "cite 6", "help".
	if word, rest := cutWord(text); word != "" {
		if c, ok := b.cmds.Lookup(word); ok && c.Name == word && (rest != "" || c.Args == "" || strings.HasPrefix(c.Args, "[")) {
			return b.dispatch(ctx, m, word, rest)
		}
	}
	if text == "" {
		return b.dispatch(ctx, m, "help", "")
	}
	return b.dispatch(ctx, m, "ask", text)
}

// Addressed reports whether the core may answer m: a direct message, a
// mention of the bot, or a message written as a command. Anything else is
// chatter the core leaves alone, so adapters can skip it before any costly
// lookup or write.
func Addressed(m Message) bool {
	if m.Conversation.Direct || m.Mentioned {
		return true
	}
	_, _, isCmd := splitCommand(strings.TrimSpace(m.Text))
	return isCmd
}

func (b *Bot) dispatch(ctx context.Context, m Message, name, args string) (Reply, bool) {
	c, _ := b.cmds.Lookup(name)
	r, err := c.Run(ctx, m, strings.TrimSpace(args))
	if err != nil {
		// Errors here are the system's (a database down), not the user's:
		// log them once, and tell the user plainly.
		b.log.ErrorContext(ctx, "command failed", "command", c.Name, "platform", m.Platform, "conversation", m.Conversation.ID, "err", err)
		return Reply{Kind: KindError, Text: "Sorry, something went wrong on my side and I couldn't do that. Please try again in a minute."}, true
	}
	return b.limit(r, m), true
}

func (b *Bot) unknown(m Message, name string) Reply {
	r := Reply{Kind: KindError, Text: fmt.Sprintf("I don't know the command %q.", clip(name, 40))}
	if near := b.cmds.Closest(name); near != "" {
		r.Text += fmt.Sprintf(" Did you mean %spolicy %s?", m.Prefix, near)
	}
	r.Hint = fmt.Sprintf("Type %spolicy help for the list of commands.", m.Prefix)
	return r
}

// splitCommand recognises "/word rest" and "!word rest".
func splitCommand(text string) (name, args string, ok bool) {
	if len(text) < 2 || (text[0] != '/' && text[0] != '!') {
		return "", "", false
	}
	name, args = cutWord(text[1:])
	if name == "" || !isWord(name) {
		return "", "", false
	}
	return strings.ToLower(name), args, true
}

func isWord(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '_' {
			return false
		}
	}
	return true
}

// cutWord splits off the first whitespace-separated word.
func cutWord(s string) (word, rest string) {
	s = strings.TrimSpace(s)
	i := strings.IndexFunc(s, unicode.IsSpace)
	if i < 0 {
		return strings.ToLower(s), ""
	}
	return strings.ToLower(s[:i]), strings.TrimSpace(s[i:])
}

// sanitize makes text safe to read: valid UTF-8, no control characters
// (other than spaces), no zero-width tricks.
func sanitize(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t' || r == '\r':
			return ' '
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r):
			return -1
		}
		return r
	}, s)
}

// clip shortens user text quoted back in a reply.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
