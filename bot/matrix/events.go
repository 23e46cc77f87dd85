package matrix

import (
	"context"
	"time"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/policybot/policybot/bot"
)

// replyTimeout bounds one answer, retries included; replies in flight
// finish on shutdown within it.
const replyTimeout = 2 * time.Minute

// handleMessage turns a room message into a bot.Message and answers it in
// the background, so a slow send (rate limit, encryption set-up) never
// holds up the sync loop.
func (a *Adapter) handleMessage(ctx context.Context, evt *event.Event) {
	m, skip := a.toMessage(ctx, evt)
	if skip != "" {
		a.log.Debug("matrix: ignoring event", "event", evt.ID, "room", evt.RoomID, "why", skip)
		return
	}
	// Sync may deliver an event twice (a restart after a crash between
	// answering and saving the sync token): answer each once.
	received := a.now()
	fresh, err := a.store.FirstSeen(ctx, stateNamespace, string(evt.ID))
	if err != nil {
		a.log.Error("matrix: cannot record event in the state file; not answering it", "event", evt.ID, "err", err)
		return
	}
	if !fresh {
		return
	}
	a.log.Debug("matrix: question received", "room", evt.RoomID, "event", evt.ID,
		"after_ms", received.UnixMilli()-evt.Timestamp, "record_ms", a.now().Sub(received).Milliseconds())
	a.work.Add(1)
	go func() {
		defer a.work.Done()
		a.sem <- struct{}{}
		defer func() { <-a.sem }()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), replyTimeout)
		defer cancel()
		a.answer(ctx, evt, m)
	}()
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
	return bot.Message{
		Platform:     a.Name(),
		ID:           string(evt.ID),
		Text:         text,
		Prefix:       "!",
		Sender:       bot.User{ID: string(evt.Sender), Name: a.displayName(ctx, evt.RoomID, evt.Sender)},
		Conversation: bot.Conversation{ID: string(evt.RoomID), Direct: a.isDirect(ctx, evt.RoomID)},
		Thread:       string(c.RelatesTo.GetThreadParent()),
		Mentioned:    mentioned,
		CanManage:    a.canManage(ctx, evt.RoomID, evt.Sender),
	}, ""
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

func (a *Adapter) displayName(ctx context.Context, room id.RoomID, user id.UserID) string {
	m, err := a.cli.StateStore.TryGetMember(ctx, room, user)
	if err != nil || m == nil || m.Displayname == "" {
		return user.Localpart()
	}
	return m.Displayname
}

// answer asks the core and posts its reply.
func (a *Adapter) answer(ctx context.Context, evt *event.Event, m bot.Message) {
	r, ok := a.core.Respond(ctx, m)
	if !ok {
		return
	}
	content := replyContent(r, evt.ID, evt.Sender, id.EventID(m.Thread), a.renderOptions()...)
	start := a.now()
	posted, err := a.send(ctx, evt.RoomID, content, txnID("reply", string(evt.ID)))
	if err != nil {
		a.log.Error("matrix: could not post reply", "room", evt.RoomID, "event", evt.ID, "err", err)
		return
	}
	a.rememberAnswer(ctx, posted, m, r)
	a.log.Debug("matrix: reply sent", "room", evt.RoomID, "event", evt.ID, "send_ms", a.now().Sub(start).Milliseconds())
	if r.Action == bot.ActionLeave {
		if _, err := a.cli.LeaveRoom(ctx, evt.RoomID); err != nil {
			a.log.Error("matrix: could not leave room", "room", evt.RoomID, "err", err)
			return
		}
		a.log.Info("matrix: left room on request", "room", evt.RoomID, "by", evt.Sender)
	}
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
