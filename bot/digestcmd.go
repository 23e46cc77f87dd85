package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DefaultDigestTime is when a digest is posted if the user names no time.
const DefaultDigestTime = "09:00"

const digestExample = "digest on 09:00 Europe/Berlin"

func (b *Bot) digest(ctx context.Context, m Message, args string) (Reply, error) {
	sub, rest := cutWord(args)
	if !b.digestsAvailable(m.Platform) {
		return Reply{Kind: KindError, Text: "Daily digests are not available here: they are posted to Slack channels and Matrix rooms."}, nil
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
	if b.opts.Subscriptions == nil {
		return false
	}
	if len(b.opts.DigestPlatforms) == 0 {
		return true
	}
	return contains(b.opts.DigestPlatforms, platform)
}

func (b *Bot) digestOn(ctx context.Context, m Message, args string) (Reply, error) {
	fields := strings.Fields(args)
	at, zone := DefaultDigestTime, "UTC"
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
	h, min, err := ParseClock(at)
	if err != nil {
		return digestUsage(m, err.Error()), nil
	}
	loc, err := LoadZone(zone)
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

// ParseClock reads a time of day: "09:00", "9:00", "18:30", "9am",
// "6:30pm".
func ParseClock(s string) (hour, minute int, err error) {
	bad := fmt.Errorf("%q is not a time of day; write it as HH:MM on a 24-hour clock, e.g. 09:00 or 18:30", clip(s, 20))
	t := strings.ToLower(strings.TrimSpace(s))
	pm, am := strings.HasSuffix(t, "pm"), strings.HasSuffix(t, "am")
	if pm || am {
		t = strings.TrimSpace(t[:len(t)-2])
	}
	hs, ms, hasMin := strings.Cut(t, ":")
	if !hasMin {
		if !pm && !am {
			return 0, 0, bad
		}
		ms = "00"
	}
	if len(hs) == 0 || len(hs) > 2 || len(ms) != 2 {
		return 0, 0, bad
	}
	h, err1 := strconv.Atoi(hs)
	mi, err2 := strconv.Atoi(ms)
	if err1 != nil || err2 != nil || h < 0 || mi < 0 || mi > 59 {
		return 0, 0, bad
	}
	if pm || am {
		if h < 1 || h > 12 {
			return 0, 0, bad
		}
		h %= 12
		if pm {
			h += 12
		}
	}
	if h > 23 {
		return 0, 0, bad
	}
	return h, mi, nil
}

// LoadZone loads an IANA time zone, forgiving case ("europe/berlin").
func LoadZone(name string) (*time.Location, error) {
	name = strings.TrimSpace(name)
	bad := fmt.Errorf("%q is not a time zone I know; use an IANA name such as Europe/Berlin, America/New_York or UTC", clip(name, 40))
	if name == "" || strings.Contains(name, "..") || strings.HasPrefix(name, "/") || len(name) > 64 {
		return nil, bad
	}
	if strings.EqualFold(name, "utc") || strings.EqualFold(name, "z") || strings.EqualFold(name, "gmt") {
		return time.UTC, nil
	}
	if strings.EqualFold(name, "local") {
		return nil, bad // the server's zone means nothing to the user
	}
	for _, cand := range []string{name, titleZone(name), strings.ToUpper(name)} {
		if loc, err := time.LoadLocation(cand); err == nil {
			return loc, nil
		}
	}
	return nil, bad
}

// titleZone capitalises each part: "america/new_york" → "America/New_York".
func titleZone(s string) string {
	b := []byte(strings.ToLower(s))
	up := true
	for i, c := range b {
		if up && c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
		up = c == '/' || c == '_' || c == '-'
	}
	return string(b)
}
