package matrix

import (
	"context"
	"strings"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/policybot/policybot/bot"
)

// Feedback records answers people can rate and their votes (bot/insights
// implements it).
type Feedback interface {
	Answered(ctx context.Context, platform, ref string, m bot.Message, r bot.Reply) error
	Vote(ctx context.Context, platform, ref, user string, up bool) (bool, error)
}

// rememberAnswer registers a posted answer, by its event ID, so that 👍/👎
// reactions to it are recorded. The bot does not add the reactions itself.
func (a *Adapter) rememberAnswer(ctx context.Context, reply id.EventID, m bot.Message, r bot.Reply) {
	if a.opts.Feedback == nil || r.Kind != bot.KindAnswer || reply == "" {
		return
	}
	if err := a.opts.Feedback.Answered(ctx, a.Name(), string(reply), m, r); err != nil {
		a.log.Warn("matrix: could not record the answer for feedback; reactions to it will not count", "room", m.Conversation.ID, "event", reply, "err", err)
	}
}

// handleReaction records a 👍 or 👎 annotation on one of the bot's
// answers; other reactions, and reactions to other events, are ignored
// (the store only knows the bot's answers). A person counts once per
// answer; removing a reaction does not withdraw the vote.
func (a *Adapter) handleReaction(ctx context.Context, evt *event.Event) {
	if a.opts.Feedback == nil || evt.Sender == a.self || evt.Unsigned.RedactedBecause != nil {
		return
	}
	c := evt.Content.AsReaction()
	if c == nil || c.RelatesTo.Type != event.RelAnnotation || c.RelatesTo.EventID == "" {
		return
	}
	up, ok := thumb(c.RelatesTo.Key)
	if !ok {
		return
	}
	counted, err := a.opts.Feedback.Vote(ctx, a.Name(), string(c.RelatesTo.EventID), string(evt.Sender), up)
	if err != nil {
		a.log.Error("matrix: could not record a reaction vote", "room", evt.RoomID, "event", evt.ID, "err", err)
		return
	}
	a.log.Debug("matrix: reaction vote", "room", evt.RoomID, "answer", c.RelatesTo.EventID, "up", up, "counted", counted)
}

// thumb reads a reaction key as 👍 (true) or 👎 (false), whatever skin
// tone or emoji presentation selector the client added.
func thumb(key string) (up, ok bool) {
	k := strings.Map(func(r rune) rune {
		if r == '\uFE0F' || r == '\uFE0E' || (r >= 0x1F3FB && r <= 0x1F3FF) {
			return -1
		}
		return r
	}, strings.TrimSpace(key))
	switch k {
	case "👍", ":+1:", "+1":
		return true, true
	case "👎", ":-1:", "-1":
		return false, true
	}
	return false, false
}
