package bot

import (
	"context"
	"fmt"
	"github.com/policybot/policybot/bot/localtime"
	"strings"
)

const digestExample = "digest on 09:00 Europe/Berlin"

func (b *Bot) digest(ctx context.Context, m Message, args string) (Reply, error) {
	sub, rest := cutWord(args)
	if !b.digestsAvailable(m.Platform) {
		return Reply{Kind: KindError, Text: "Daily digests are not available here: this chat cannot receive them."}, nil
	}
	switch sub {
	case "on", "subscribe", "start":
		return b.digestOn(ctx, m, rest)
	case "off", "unsubscribe", "stop":
		removed, err := b.opts.Subscriptions.Unsubscribe(ctx, m.Platform, m.Conversation.ID)
		if err != nil {
			return Reply{}, fmt.Errorf("unsubscribe %s %s: %w", m.Platform, m.Conversation.ID, err)
		}
		if !removed {
			return Reply{Kind: KindInfo, Text: "This conversation has no daily digest, so there was nothing to turn off."}, nil
		}
		return Reply{Kind: KindInfo, Text: "Daily digest turned off for this conversation."}, nil
	case "", "status":
		st, ok, err := b.opts.Subscriptions.Status(ctx, m.Platform, m.Conversation.ID)
		if err != nil {
			return Reply{}, fmt.Errorf("digest status %s %s: %w", m.Platform, m.Conversation.ID, err)
		}
		if !ok {
			return Reply{Kind: KindInfo, Text: "This conversation has no daily digest.", Hint: fmt.Sprintf("Turn it on with %s.", m.Command(digestExample))}, nil
		}
		return Reply{Kind: KindInfo, Text: describeSubscription(st), Hint: fmt.Sprintf("Turn it off with %s.", m.Command("digest off"))}, nil
	}
	return digestUsage(m, fmt.Sprintf("I don't understand %q.", clip(sub, 30))), nil
}

func (b *Bot) digestsAvailable(platform string) bool {
	return b.opts.Subscriptions != nil && b.opts.Subscriptions.Delivers(platform)
}

func (b *Bot) digestOn(ctx context.Context, m Message, args string) (Reply, error) {
	fields := strings.Fields(args)
	at, zone := localtime.DefaultClock, localtime.DefaultZone
	switch len(fields) {
	case 0:
	case 1:
		// One argument: a time, or a zone with the default time.
		if looksLikeTime(fields[0]) {
			at = fields[0]
		} else {
			zone = fields[0]
		}
	case 2:
		at, zone = fields[0], fields[1]
	default:
		return digestUsage(m, "Too many words."), nil
	}
	h, min, err := localtime.ParseClock(at)
	if err != nil {
		return digestUsage(m, err.Error()), nil
	}
	loc, err := localtime.LoadZone(zone)
	if err != nil {
		return digestUsage(m, err.Error()), nil
	}
	st, err := b.opts.Subscriptions.Subscribe(ctx, Subscription{
		Platform: m.Platform, Conversation: m.Conversation.ID,
		Hour: h, Minute: min, Zone: loc.String(), Passages: 1,
	})
	if err != nil {
		return Reply{}, fmt.Errorf("subscribe %s %s: %w", m.Platform, m.Conversation.ID, err)
	}
	return Reply{Kind: KindInfo, Text: "Daily digest on. " + describeSubscription(st), Hint: fmt.Sprintf("Check it with %s; stop it with %s.", m.Command("digest status"), m.Command("digest off"))}, nil
}

func describeSubscription(st SubscriptionStatus) string {
	s := fmt.Sprintf("A quote is posted here every day at %02d:%02d %s", st.Hour, st.Minute, st.Zone)
	if !st.Next.IsZero() {
		s += fmt.Sprintf("; the next one on %s", st.Next.Format("Monday 2 January 2006 at 15:04 MST"))
	}
	return s + "."
}

func digestUsage(m Message, problem string) Reply {
	return Reply{
		Kind: KindError,
		Text: problem,
		List: []Item{
			{Label: m.Command(digestExample), Text: "a quote every day at 09:00 Berlin time"},
			{Label: m.Command("digest on 18:30"), Text: "at 18:30 UTC"},
			{Label: m.Command("digest status"), Text: "when the next one comes"},
			{Label: m.Command("digest off"), Text: "stop"},
		},
	}
}

func looksLikeTime(s string) bool {
	return strings.ContainsAny(s, "0123456789:")
}
