package matrix

import (
	"context"
	"encoding/json"
	"time"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/policybot/policybot/bot"
	"github.com/policybot/policybot/bot/inbox"
)

// replyTimeout bounds one answer, retries included; replies in flight
// finish on shutdown within it.
const replyTimeout = 2 * time.Minute

// question is a message the bot will answer, as the inbox keeps it so
// that it can be answered after a crash.
type question struct {
	Event  id.EventID `json:"event"`
	Room   id.RoomID  `json:"room"`
	Sender id.UserID  `json:"sender"`
	// Thread is the thread the question was asked in, to answer there.
	Thread id.EventID  `json:"thread,omitempty"`
	Msg    bot.Message `json:"message"`
}

// handleMessage turns a room message into a bot.Message, records it in the
// inbox if it is for the bot, and answers it in the background, so a slow
// send (rate limit, encryption set-up) never holds up the sync loop.
func (a *Adapter) handleMessage(ctx context.Context, evt *event.Event) {
	m, skip := a.toMessage(ctx, evt)
	if skip != "" {
		a.log.Debug("matrix: ignoring event", "event", evt.ID, "room", evt.RoomID, "why", skip)
		return
	}
	// The inbox deduplicates too: sync delivers an event again after a
	// crash before the sync token was saved.
	received := a.now()
	q := &question{Event: evt.ID, Room: evt.RoomID, Sender: evt.Sender, Thread: threadOf(evt), Msg: m}
	record, err := json.Marshal(q)
	if err != nil {
		a.log.Error("matrix: cannot encode a question for the inbox; not answering it", "event", evt.ID, "err", err)
		return
	}
	fresh, err := a.inbox.Accept(ctx, a.Name(), string(evt.ID), string(record))
	if err != nil {
		a.unrecorded(evt, err)
		return
	}
	if !fresh {
		return
	}
	a.log.Debug("matrix: question received", "room", evt.RoomID, "event", evt.ID,
		"after_ms", received.UnixMilli()-evt.Timestamp, "record_ms", a.now().Sub(received).Milliseconds())
	a.answerLater(ctx, q, time.Time{})
}

// unrecorded handles a question the inbox could not record: the sync
// response it came in is not taken as handled, so that the next sync
// brings it again (the same choice as Slack's: not acknowledged, sent
// again).
func (a *Adapter) unrecorded(evt *event.Event, err error) {
	a.log.Error("matrix: could not record a question; it comes again with the next sync", "room", evt.RoomID, "event", evt.ID, "err", err)
	if a.syncer != nil {
		a.syncer.refuse(err)
	}
}

// answerLater answers q in the background on the adapter's pool, so that
// a burst queues in memory rather than holding a goroutine per question.
func (a *Adapter) answerLater(ctx context.Context, q *question, recovered time.Time) {
	a.work.Add(1)
	a.answers.Go(func() {
		defer a.work.Done()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), replyTimeout)
		defer cancel()
		a.answer(ctx, q, recovered)
	})
}

// answerWorkers bounds the replies being worked on at once.
const answerWorkers = 4

// recover answers the questions recorded before a restart, or before this
// replica took over Matrix from one that stopped, and never answered (see
// bot/inbox). Only one process syncs the bot's device, so every owed
// Matrix question is this one's to answer.
func (a *Adapter) recover(ctx context.Context) {
	inbox.Resume(ctx, a.inbox, a.Name(), inbox.Everything, a.log, func(q *question, o inbox.Owed) {
		a.log.Info("matrix: answering a question received before the restart", "room", q.Room, "event", q.Event, "received", o.Received)
		a.answerLater(ctx, q, o.Received)
	})
}

// toMessage translates an event, or says why it is not a question for the
// bot (own events, notices, edits, redactions, history).
func (a *Adapter) toMessage(ctx context.Context, evt *event.Event) (bot.Message, string) {
	if evt.Sender == a.self {
		return bot.Message{}, "own event"
	}
	if evt.Unsigned.RedactedBecause != nil {
		return bot.Message{}, "redacted"
	}
	if evt.Timestamp < a.cutoff(ctx, evt.RoomID) {
		return bot.Message{}, "sent before the bot started or joined"
	}
	c := evt.Content.AsMessage()
	switch {
	case c == nil || c.Body == "":
		return bot.Message{}, "no text (redacted or unparsable)"
	case c.MsgType != event.MsgText:
		// m.notice is how bots talk: answering them would loop.
		return bot.Message{}, "msgtype " + string(c.MsgType)
	case c.NewContent != nil || c.RelatesTo.GetReplaceID() != "":
		return bot.Message{}, "edit"
	}
	c.RemoveReplyFallback()
	var mentions []id.UserID
	if c.Mentions != nil {
		mentions = c.Mentions.UserIDs
	}
	text, mentioned := a.name.mention(c.Body, c.FormattedBody, mentions)
	m := Conventions().Message(string(evt.RoomID))
	m.ID, m.Text, m.Mentioned = string(evt.ID), text, mentioned
	m.Sender = bot.User{ID: string(evt.Sender)}
	// Group chatter is dropped here, before the state reads below and
	// the inbox's write.
	m.Conversation.Direct = a.isDirect(ctx, evt.RoomID)
	if !bot.Addressed(m) {
		return bot.Message{}, "not for the bot"
	}
	m.CanManage = a.canManage(ctx, evt.RoomID, evt.Sender)
	return m, ""
}

// isDirect: a room listed in m.direct or invited to as direct, or one the
// bot shares with a single other person.
func (a *Adapter) isDirect(ctx context.Context, room id.RoomID) bool {
	a.mu.Lock()
	d := a.direct[room]
	a.mu.Unlock()
	if d {
		return true
	}
	members, err := a.cli.StateStore.GetRoomJoinedOrInvitedMembers(ctx, room)
	return err == nil && len(members) == 2
}

// canManage: the sender could remove people and change the room's
// settings, i.e. is a moderator; such users may tell the bot to leave.
func (a *Adapter) canManage(ctx context.Context, room id.RoomID, user id.UserID) bool {
	pl, err := a.cli.StateStore.GetPowerLevels(ctx, room)
	if err != nil || pl == nil {
		return false
	}
	return pl.GetUserLevel(user) >= max(pl.Kick(), pl.StateDefault())
}

// answer asks the core, posts its reply and settles the question in the
// inbox. A question answered after a restart (recovered) may have been
// answered just before the crash, so the room is searched for that reply
// first; so is a send retried after a failure that may have posted it
// (the homeserver restarting as it took the reply: Dendrite keeps
// transaction IDs only in memory).
func (a *Adapter) answer(ctx context.Context, q *question, recovered time.Time) {
	outcome := inbox.Answered
	defer func() {
		if err := a.inbox.Settle(ctx, a.Name(), string(q.Event), outcome); err != nil {
			a.log.Warn("matrix: answered, but could not record it in the inbox", "room", q.Room, "event", q.Event, "err", err)
		}
	}()
	r, ok := a.core.Respond(ctx, q.Msg)
	if !ok {
		return
	}
	content := replyContent(r, q.Event, q.Sender, q.Thread, a.renderOptions()...)
	start := a.now()
	posted, err := a.sendOnce(ctx, q.Room, content, txnID("reply", string(q.Event)), !recovered.IsZero(),
		func(raw map[string]any) bool { return repliesTo(raw) == q.Event })
	if err != nil {
		outcome = inbox.Failed
		a.log.Error("matrix: could not post reply", "room", q.Room, "event", q.Event, "err", err)
		return
	}
	a.rememberAnswer(ctx, posted, q.Msg, r)
	a.log.Debug("matrix: reply sent", "room", q.Room, "event", q.Event, "send_ms", a.now().Sub(start).Milliseconds())
	if r.Action == bot.ActionLeave {
		if _, err := a.cli.LeaveRoom(ctx, q.Room); err != nil {
			a.log.Error("matrix: could not leave room", "room", q.Room, "err", err)
			return
		}
		a.log.Info("matrix: left room on request", "room", q.Room, "by", q.Sender)
	}
}

// threadOf is the thread a message event is in, or "".
func threadOf(evt *event.Event) id.EventID {
	if c := evt.Content.AsMessage(); c != nil {
		return c.RelatesTo.GetThreadParent()
	}
	return ""
}

// repliesTo is the event a message's content replies to, or "".
func repliesTo(raw map[string]any) id.EventID {
	rel, _ := raw["m.relates_to"].(map[string]any)
	in, _ := rel["m.in_reply_to"].(map[string]any)
	e, _ := in["event_id"].(string)
	return id.EventID(e)
}

// replyContent is the rendered reply as a rich reply to the question,
// mentioning the asker, inside the question's thread if it had one.
func replyContent(r bot.Reply, question id.EventID, asker id.UserID, thread id.EventID, opts ...RenderOption) *event.MessageEventContent {
	c := Render(r, opts...)
	c.Mentions = &event.Mentions{UserIDs: []id.UserID{asker}}
	if thread != "" {
		c.RelatesTo = &event.RelatesTo{
			Type:          event.RelThread,
			EventID:       thread,
			IsFallingBack: true,
			InReplyTo:     &event.InReplyTo{EventID: question},
		}
	} else {
		c.RelatesTo = &event.RelatesTo{InReplyTo: &event.InReplyTo{EventID: question}}
	}
	return c
}
