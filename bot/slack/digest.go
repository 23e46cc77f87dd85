package slack

import (
	"context"
	"fmt"

	slackgo "github.com/slack-go/slack"

	"github.com/policybot/policybot/bot"
)

// digestEventType tags digest messages with Slack message metadata, so a
// retried delivery can tell whether the first attempt got through.
const digestEventType = "policybot_digest"

// historyWindow is how many recent messages a retried delivery searches
// for its earlier copy. A digest retry follows its first attempt within
// minutes, so it is among the latest messages of the channel.
const historyWindow = 100

// Deliver posts a digest to a channel (the digest scheduler's Sender).
// key is unique per subscription and day; when retry is true an earlier
// attempt may have been posted, so the channel's recent history is
// searched for a message carrying key in its metadata first, and nothing
// is posted if one is there.
func (a *Adapter) Deliver(ctx context.Context, conversation string, r bot.Reply, key string, retry bool) error {
	if retry {
		posted, err := a.digestPosted(ctx, conversation, key)
		if err != nil {
			// Posting blind could post twice; the scheduler retries later.
			return fmt.Errorf("slack: check channel %s for digest %s before retrying: %w (the app needs the channels:history, groups:history, im:history and mpim:history scopes)", conversation, key, err)
		}
		if posted {
			a.log.Info("slack: digest already posted; not posting again", "channel", conversation, "key", key)
			return nil
		}
	}
	if _, err := a.send.post(ctx, conversation, Render(r, renderOptions{PublicURL: a.o.PublicURL}), keyed(digestEventType, key)); err != nil {
		return fmt.Errorf("slack: digest %s: %w", key, err)
	}
	return nil
}

// digestPosted looks for our message carrying key among the channel's
// latest messages.
func (a *Adapter) digestPosted(ctx context.Context, channel, key string) (bool, error) {
	res, err := a.api.GetConversationHistoryContext(ctx, &slackgo.GetConversationHistoryParameters{
		ChannelID:          channel,
		Limit:              historyWindow,
		IncludeAllMetadata: true,
	})
	if err != nil {
		return false, err
	}
	self := a.identity()
	for _, m := range res.Messages {
		if carries(m, digestEventType, key, self) {
			return true, nil
		}
	}
	return false, nil
}
