package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/policybot/policybot/bot"
	"github.com/policybot/policybot/bot/inbox"
)

// question is an event the bot will answer, as the inbox keeps it so
// that it can be answered after a crash.
type question struct {
	EventID string      `json:"event_id"`
	Msg     bot.Message `json:"message"`
	// Thread is the thread_ts to answer under.
	Thread string `json:"thread"`
}

// receive decides whether an event is a question for the bot and, if it
// is, records it in the inbox. It runs before the event is acknowledged:
// an error means it was not recorded, and the event must not be
// acknowledged, so that Slack sends it again. nil without an error means
// there is nothing to answer (not a question, or one recorded before).
//
// Only what the bot would answer is recorded, so other chatter does not
// fill the state file. The key is the message's channel and ts: a direct
// message arrives twice, as app_mention and as message.im, and Slack's
// retries of either carry the same.
func (a *Adapter) receive(ctx context.Context, ev eventCallback) (*question, error) {
	if ev.Type != "event_callback" {
		return nil, nil
	}
	in, ok := toMessage(ev.Event, a.identity())
	if !ok {
		return nil, nil
	}
	q := &question{EventID: ev.EventID, Msg: in.Msg, Thread: in.ReplyThread}
	record, err := json.Marshal(q)
	if err != nil {
		return nil, fmt.Errorf("slack: encode event %s for the inbox: %w", ev.EventID, err)
	}
	fresh, err := a.inbox.Accept(ctx, Platform, q.key(), string(record))
	if err != nil {
		return nil, fmt.Errorf("slack: event %s not acknowledged, so that Slack sends it again: %w", ev.EventID, err)
	}
	if !fresh {
		a.log.Debug("slack: duplicate delivery ignored", "event_id", ev.EventID, "channel", in.Msg.Conversation.ID)
		return nil, nil
	}
	return q, nil
}

// key is the question's inbox key.
func (q *question) key() string { return q.Msg.Conversation.ID + "/" + q.Msg.ID }

// answer answers a recorded question and settles it in the inbox. After
// a restart (recovered) the answer may have been posted before the crash,
// so the thread is searched for it first.
func (a *Adapter) answer(ctx context.Context, q *question, recovered time.Time) {
	outcome := inbox.Answered
	defer func() {
		if err := a.inbox.Settle(ctx, Platform, q.key(), outcome); err != nil {
			// The answer stands; a restart would look for it and find it.
			a.log.Warn("slack: answered, but could not record it in the inbox", "channel", q.Msg.Conversation.ID, "reason", err)
		}
	}()
	reply, ok := a.o.Responder.Respond(ctx, q.Msg)
	if !ok {
		return
	}
	r := Render(reply, renderOptions{PublicURL: a.o.PublicURL, FeedbackRef: a.feedbackRef(ctx, q.Msg, reply)})
	opts := []postOption{inThread(q.Thread), keyed(answerEventType, answerKey(q.EventID, q.Msg))}
	if !recovered.IsZero() {
		opts = append(opts, lookFirst(recovered))
	}
	if _, err := a.send.post(ctx, q.Msg.Conversation.ID, r, opts...); err != nil {
		outcome = inbox.Failed
		a.log.Error("slack: could not post answer", "channel", q.Msg.Conversation.ID, "thread", q.Thread, "reason", err)
		return
	}
	if reply.Action == bot.ActionLeave {
		// Leaving needs the channels:manage scope, which the manifest does
		// not ask for; people remove the app with /remove @policybot.
		a.log.Warn("slack: the core asked to leave a channel; Slack apps are removed by a member instead", "channel", q.Msg.Conversation.ID)
	}
}

// answerLater answers q after its acknowledgement, on the adapter's pool
// of answering goroutines (answerWorkers), so that a burst queues in
// memory instead of holding a goroutine per question; shutdown waits for
// the queue too.
func (a *Adapter) answerLater(q *question, recovered time.Time) {
	a.flights.Add(1)
	a.answers.Go(func() {
		defer a.flights.Done()
		a.answer(a.base, q, recovered)
	})
}

// answerWorkers bounds the goroutines answering at once: more than the
// posts allowed in flight, so that the core's work and a post overlap.
const answerWorkers = 32

// recover answers the questions acknowledged before a restart and never
// answered, and, while replicas share the inbox, those a replica that
// stopped left unanswered (see bot/inbox). It returns when ctx ends.
func (a *Adapter) recover(ctx context.Context) {
	inbox.Watch(ctx, a.inbox, Platform, a.log, func(q *question, o inbox.Owed) {
		a.log.Info("slack: answering a question acknowledged before the restart", "channel", q.Msg.Conversation.ID, "event_id", q.EventID, "received", o.Received)
		a.answerLater(q, o.Received)
	})
}

// answerKey is the key an answer carries in its metadata: the event's ID,
// or, for an event without one, the question's channel and ts.
func answerKey(eventID string, m bot.Message) string {
	if eventID != "" {
		return eventID
	}
	return m.Conversation.ID + "/" + m.ID
}

// responseMessage is the body of a slash command acknowledgement or a
// response_url post.
type responseMessage struct {
	ResponseType   string          `json:"response_type,omitempty"` // "ephemeral" or "in_channel"
	Text           string          `json:"text,omitempty"`
	Blocks         []slackgo.Block `json:"blocks,omitempty"`
	DeleteOriginal bool            `json:"delete_original,omitempty"`
	// ReplaceOriginal false posts beside the clicked message instead of
	// over it; nil leaves Slack's default.
	ReplaceOriginal *bool `json:"replace_original,omitempty"`
}

// answerCommand answers a slash command. The returned message goes back in
// the acknowledgement itself (HTTP response body or Socket Mode ack
// payload), the quickest way for an answer to appear. When the core takes
// longer than the ack budget, the acknowledgement is empty (nil) and the
// answer follows through the command's response_url.
func (a *Adapter) answerCommand(c command) *responseMessage {
	m := commandMessage(c)
	done := make(chan *responseMessage, 1)
	a.async(func(ctx context.Context) {
		done <- a.commandResponse(ctx, m)
	})
	t := time.NewTimer(a.o.AckBudget)
	defer t.Stop()
	select {
	case res := <-done:
		return res
	case <-t.C:
		a.async(func(ctx context.Context) {
			res := <-done
			if err := a.respond(ctx, c.ResponseURL, res); err != nil {
				a.log.Error("slack: could not send late slash command answer", "channel", c.ChannelID, "command", c.Command, "reason", err)
			}
		})
		return nil
	}
}

func (a *Adapter) commandResponse(ctx context.Context, m bot.Message) *responseMessage {
	reply, ok := a.o.Responder.Respond(ctx, m)
	if !ok {
		// A slash command is always addressed to the bot, so the core
		// answers it; should it not, the core's help is the answer, not
		// words of the adapter's own.
		m.Text = "/policy help"
		if reply, ok = a.o.Responder.Respond(ctx, m); !ok {
			return nil
		}
	}
	o := renderOptions{PublicURL: a.o.PublicURL, FeedbackRef: a.feedbackRef(ctx, m, reply)}
	if reply.Kind == bot.KindAnswer {
		id := a.o.NewID()
		a.shares.put(id, reply)
		o.ShareValue = shareValue(id, m.Text)
	}
	r := Render(reply, o)
	return &responseMessage{ResponseType: "ephemeral", Text: r.Text, Blocks: r.Blocks}
}

// shareValue is the button's value: the cached reply's ID and, for when
// the cache has forgotten it (a restart), the command to ask again.
func shareValue(id, text string) string {
	const limit = 2000 // Slack's limit for a button value
	v := id + " " + text
	if len(v) > limit {
		v = truncateBytes(v, limit)
	}
	return v
}

// handleInteraction acts on a button click: "Share in channel", "Whole
// paragraph", 👍 or 👎.
func (a *Adapter) handleInteraction(ctx context.Context, in interaction) {
	if in.Type == "view_submission" && in.View.CallbackID == reasonCallbackID {
		a.reason(ctx, in)
		return
	}
	if in.Type != "block_actions" {
		return
	}
	for _, act := range in.Actions {
		switch {
		case act.ActionID == shareActionID:
			a.share(ctx, in, act.Value)
		case strings.HasPrefix(act.ActionID, wholeActionID):
			a.whole(ctx, in, act.Value)
		case act.ActionID == voteUpActionID, act.ActionID == voteDownActionID:
			a.vote(ctx, in, act.Value, act.ActionID == voteUpActionID)
		}
	}
}

// clicked is the message a button click stands for: the clicker asking
// for text in channel.
func clicked(in interaction, channel, text string) bot.Message {
	m := Conventions().Message(channel)
	m.Text, m.Sender, m.Mentioned = text, bot.User{ID: in.User.ID}, true
	return m
}

// whole shows the clicker the whole paragraph that an answer quoted in
// part, privately, through the click's response_url.
func (a *Adapter) whole(ctx context.Context, in interaction, value string) {
	n, err := strconv.Atoi(value)
	if err != nil || n < 1 || in.ResponseURL == "" {
		return
	}
	reply, ok := a.o.Responder.Respond(ctx, clicked(in, in.channelID(), "cite "+strconv.Itoa(n)))
	if !ok {
		return
	}
	r := Render(reply, renderOptions{PublicURL: a.o.PublicURL})
	if err := a.respond(ctx, in.ResponseURL, &responseMessage{ResponseType: "ephemeral", ReplaceOriginal: new(bool), Text: r.Text, Blocks: r.Blocks}); err != nil {
		a.log.Error("slack: could not show the whole paragraph", "channel", in.channelID(), "paragraph", n, "reason", err)
	}
}

// feedbackRef registers an answer for 👍/👎 and returns the reference its
// buttons carry, or "" when the reply gets no buttons (not an answer, no
// Feedback configured, or the store failed: then the answer goes out
// without them).
func (a *Adapter) feedbackRef(ctx context.Context, m bot.Message, r bot.Reply) string {
	if a.o.Feedback == nil || r.Kind != bot.KindAnswer {
		return ""
	}
	ref := a.o.NewID()
	if err := a.o.Feedback.Answered(ctx, Platform, ref, m, r); err != nil {
		a.log.Warn("slack: could not record the answer for feedback; posting it without 👍/👎", "channel", m.Conversation.ID, "reason", err)
		return ""
	}
	return ref
}

// vote records a 👍/👎 click. The click was acknowledged already; a second
// click by the same person on the same answer does not count again.
func (a *Adapter) vote(ctx context.Context, in interaction, ref string, up bool) {
	if a.o.Feedback == nil || ref == "" || in.User.ID == "" {
		return
	}
	counted, err := a.o.Feedback.Vote(ctx, Platform, ref, in.User.ID, up)
	if err != nil {
		a.log.Error("slack: could not record a vote", "channel", in.channelID(), "reason", err)
		return
	}
	a.log.Debug("slack: vote", "channel", in.channelID(), "up", up, "counted", counted)
	if !up && counted && in.TriggerID != "" {
		a.askReason(ctx, in, ref)
	}
	if in.ResponseURL == "" {
		return
	}
	// Only the voter sees this, and the answer itself stays as it is.
	thanks := &responseMessage{ResponseType: "ephemeral", ReplaceOriginal: new(bool), Text: "Thanks, your vote on this answer was recorded."}
	if !counted {
		thanks.Text = "Your vote on this answer was already recorded."
	}
	if err := a.respond(ctx, in.ResponseURL, thanks); err != nil {
		a.log.Warn("slack: recorded a vote but could not thank the voter", "channel", in.channelID(), "reason", err)
	}
}

// share posts an ephemeral answer publicly, credited to the user who
// clicked, and removes the ephemeral copy.
func (a *Adapter) share(ctx context.Context, in interaction, value string) {
	channel := in.channelID()
	id, text, _ := strings.Cut(value, " ")
	reply, ok := a.shares.get(id)
	if !ok {
		reply, ok = a.o.Responder.Respond(ctx, clicked(in, channel, text))
		if !ok {
			return
		}
	}
	m := clicked(in, channel, text)
	r := Render(reply, renderOptions{SharedBy: in.User.ID, PublicURL: a.o.PublicURL, FeedbackRef: a.feedbackRef(ctx, m, reply)})
	_, err := a.send.post(ctx, channel, r, keyed(answerEventType, "share-"+a.o.NewID()))
	var se slackgo.SlackErrorResponse
	if errors.As(err, &se) && (se.Err == "not_in_channel" || se.Err == "channel_not_found") && in.ResponseURL != "" {
		// The bot is not a member (slash commands work everywhere): the
		// command's response_url may still post in the channel.
		err = a.respond(ctx, in.ResponseURL, &responseMessage{ResponseType: "in_channel", Text: r.Text, Blocks: r.Blocks})
	}
	if err != nil {
		a.log.Error("slack: could not share answer", "channel", channel, "user", in.User.ID, "reason", err)
		return
	}
	if in.ResponseURL != "" {
		if err := a.respond(ctx, in.ResponseURL, &responseMessage{DeleteOriginal: true}); err != nil {
			a.log.Warn("slack: shared the answer but could not remove the private copy", "channel", channel, "reason", err)
		}
	}
}

// respond posts to a response_url (valid for 30 minutes, five uses).
func (a *Adapter) respond(ctx context.Context, url string, m any) error {
	if url == "" {
		return errors.New("no response_url to answer through")
	}
	body, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("response_url: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := a.o.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("response_url: %w", err)
	}
	defer res.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(res.Body, 512))
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("response_url answered %s: %s", res.Status, bytes.TrimSpace(msg))
	}
	return nil
}

// shareCache keeps ephemeral answers until their Share button can no
// longer be used (response URLs expire after 30 minutes), so the shared
// copy is the very answer the user saw, even for a random quote.
type shareCache struct {
	now func() time.Time
	mu  sync.Mutex
	m   map[string]shareEntry
}

type shareEntry struct {
	reply   bot.Reply
	expires time.Time
}

const (
	shareTTL = 30 * time.Minute
	shareMax = 2000
)

func newShareCache(now func() time.Time) *shareCache {
	return &shareCache{now: now, m: map[string]shareEntry{}}
}

func (c *shareCache) put(id string, r bot.Reply) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if len(c.m) >= shareMax {
		for k, e := range c.m {
			if now.After(e.expires) {
				delete(c.m, k)
			}
		}
		// Still full: forget arbitrary entries; the button then asks again.
		for k := range c.m {
			if len(c.m) < shareMax {
				break
			}
			delete(c.m, k)
		}
	}
	c.m[id] = shareEntry{reply: r, expires: now.Add(shareTTL)}
}

func (c *shareCache) get(id string) (bot.Reply, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[id]
	if !ok || c.now().After(e.expires) {
		return bot.Reply{}, false
	}
	return e.reply, true
}
