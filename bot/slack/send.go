package slack

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/policybot/policybot/bot/delivery"
)

// answerEventType tags answers with Slack message metadata, with a key,
// so that a post retried after an ambiguous failure can tell whether the
// first attempt got through (digests use digestEventType the same way).
const answerEventType = "policybot_answer"

// copySkew is how far before the first attempt a retry looks for the
// earlier copy, for clocks that disagree with Slack's.
const copySkew = 10 * time.Minute

// sender posts messages to Slack under the shared posting policy
// (delivery.Policy: pacing per channel, bounded posts in flight, retries
// of transient failures), and makes a retry after an ambiguous failure
// look for the earlier copy first, so that no message is posted twice.
type sender struct {
	api    *slackgo.Client
	policy *delivery.Policy
	now    func() time.Time
	log    *slog.Logger
	self   func() identity
}

// postOptions are what a post carries beyond the rendered message.
type postOptions struct {
	thread    string // thread_ts to post under; "" for the channel
	eventType string // metadata event type
	key       string // metadata key, unique per message
	// lookFirst, when set, makes even the first attempt look for an
	// earlier copy posted since then: a post resumed after a restart.
	lookFirst time.Time
}

type postOption func(*postOptions)

// inThread posts under thread ts.
func inThread(ts string) postOption { return func(o *postOptions) { o.thread = ts } }

// keyed marks the message with metadata {event_type, key}.
func keyed(eventType, key string) postOption {
	return func(o *postOptions) { o.eventType, o.key = eventType, key }
}

// lookFirst makes the post look for an earlier copy, posted since t,
// before it posts.
func lookFirst(t time.Time) postOption { return func(o *postOptions) { o.lookFirst = t } }

// post sends a rendered reply to a channel and returns the message's ts.
// The error names the channel and Slack's reason; callers log it once.
func (s *sender) post(ctx context.Context, channel string, r Rendered, opts ...postOption) (string, error) {
	var o postOptions
	for _, f := range opts {
		f(&o)
	}
	msg := []slackgo.MsgOption{
		slackgo.MsgOptionText(r.Text, false),
		slackgo.MsgOptionBlocks(r.Blocks...),
		slackgo.MsgOptionDisableLinkUnfurl(),
	}
	if o.thread != "" {
		msg = append(msg, slackgo.MsgOptionTS(o.thread))
	}
	if o.key != "" {
		msg = append(msg, slackgo.MsgOptionMetadata(slackgo.SlackMetadata{EventType: o.eventType, EventPayload: map[string]any{"key": o.key}}))
	}
	since := s.now()
	if !o.lookFirst.IsZero() {
		since = o.lookFirst
	}
	var ts string
	err := s.policy.Do(ctx, channel, func(ctx context.Context, at delivery.Attempt) error {
		if at.Uncertain || !o.lookFirst.IsZero() && at.N == 1 {
			if found, ok := s.earlierCopy(ctx, channel, o, since); ok {
				ts = found
				return nil
			}
		}
		_, posted, err := s.api.PostMessageContext(ctx, channel, msg...)
		ts = posted
		return err
	})
	if err != nil {
		return "", fmt.Errorf("post to Slack channel %s: %w", channel, err)
	}
	return ts, nil
}

// earlierCopy looks for the message an ambiguous failure may have posted
// and returns its ts if it is there. When it cannot tell, it says so in
// the log and reports none: the message is then posted again, which may
// show it twice, rather than lost.
func (s *sender) earlierCopy(ctx context.Context, channel string, o postOptions, since time.Time) (string, bool) {
	log := s.log.With("channel", channel, "thread", o.thread, "key", o.key)
	if o.key == "" {
		log.Warn("slack: an earlier attempt may have been posted, but the message carries no key to look for; posting again, which may show it twice")
		return "", false
	}
	msgs, err := s.recent(ctx, channel, o.thread, since.Add(-copySkew))
	if err != nil {
		log.Warn("slack: an earlier attempt may have been posted, but the channel cannot be read to check; posting again, which may show it twice (the app needs the channels:history, groups:history, im:history and mpim:history scopes)", "reason", err)
		return "", false
	}
	for _, m := range msgs {
		if carries(m, o.eventType, o.key, s.self()) {
			log.Info("slack: the failed attempt had been posted after all; not posting again", "ts", m.Timestamp)
			return m.Timestamp, true
		}
	}
	log.Info("slack: the failed attempt was not posted; posting again")
	return "", false
}

// recent returns the thread's replies, or the channel's latest messages,
// from oldest on.
func (s *sender) recent(ctx context.Context, channel, thread string, oldest time.Time) ([]slackgo.Message, error) {
	from := strconv.FormatInt(oldest.Unix(), 10) + ".000000"
	if thread != "" {
		msgs, _, _, err := s.api.GetConversationRepliesContext(ctx, &slackgo.GetConversationRepliesParameters{
			ChannelID: channel, Timestamp: thread, Oldest: from, Limit: historyWindow, IncludeAllMetadata: true,
		})
		return msgs, err
	}
	res, err := s.api.GetConversationHistoryContext(ctx, &slackgo.GetConversationHistoryParameters{
		ChannelID: channel, Oldest: from, Limit: historyWindow, IncludeAllMetadata: true,
	})
	if err != nil {
		return nil, err
	}
	return res.Messages, nil
}

// carries reports whether m is the bot's message with metadata of
// eventType and key.
func carries(m slackgo.Message, eventType, key string, self identity) bool {
	if m.Metadata.EventType != eventType {
		return false
	}
	if self.BotID != "" && m.BotID != "" && m.BotID != self.BotID {
		return false // another app's message that happens to use our type
	}
	k, _ := m.Metadata.EventPayload["key"].(string)
	return k == key
}
