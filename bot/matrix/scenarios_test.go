package matrix_test

import (
	"context"
	"strings"
	"testing"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

const question = "does state sovereignty apply to cyberspace?"

// checkAnswer asserts that a reply quotes the statement: a blockquote and
// a citation below it, with the same in the plain body.
func checkAnswer(t testing.TB, c *event.MessageEventContent) {
	t.Helper()
	if !strings.Contains(c.FormattedBody, "<blockquote>") || !strings.Contains(c.FormattedBody, "</blockquote><p>— <em>") {
		t.Errorf("answer has no quoted passage with citation:\n%s", c.FormattedBody)
	}
	if !strings.Contains(strings.ToLower(c.FormattedBody), "sovereignty") {
		t.Errorf("answer does not quote about sovereignty:\n%s", c.FormattedBody)
	}
	if !strings.Contains(c.Body, "\n> ") && !strings.HasPrefix(c.Body, "> ") {
		t.Errorf("plain body has no quote:\n%s", c.Body)
	}
}

func TestGroupRoom(t *testing.T) {
	skipShort(t)
	testConversations(t, false)
}

func TestEncryptedRoom(t *testing.T) {
	skipShort(t)
	testConversations(t, true)
}

// testConversations asks the bot in each way it answers, in a group room
// (alice, bob and the bot) and a direct-message room.
func testConversations(t *testing.T, encrypted bool) {
	a := w.alice
	group := newRoom(t, encrypted, false, w.bob)
	isEncrypted := func(t *testing.T, e *event.Event) {
		t.Helper()
		if got := e.Mautrix.EventSource&event.SourceDecrypted != 0; got != encrypted {
			t.Errorf("reply decrypted=%v in a room with encryption=%v", got, encrypted)
		}
	}

	t.Run("command", func(t *testing.T) {
		q := a.say(t, group, "!policy ask "+question)
		r := a.waitFor(t, "reply to !policy ask", replyWait, replyTo(w.bot, q))
		c := checkReply(t, r, q)
		checkAnswer(t, c)
		isEncrypted(t, r)
		if c.RelatesTo.Type == event.RelThread {
			t.Error("reply outside a thread has a thread relation")
		}
	})

	t.Run("short commands", func(t *testing.T) {
		for _, cmd := range []string{"!ask " + question, "!principle"} {
			q := a.say(t, group, cmd)
			checkReply(t, a.waitFor(t, "reply to "+cmd, replyWait, replyTo(w.bot, q)), q)
		}
	})

	t.Run("mention", func(t *testing.T) {
		q := a.send(t, group, &event.MessageEventContent{
			MsgType:       event.MsgText,
			Body:          "policybot: " + question,
			Format:        event.FormatHTML,
			FormattedBody: `<a href="https://matrix.to/#/` + string(w.bot) + `">policybot</a>: ` + question,
			Mentions:      &event.Mentions{UserIDs: []id.UserID{w.bot}},
		})
		checkAnswer(t, checkReply(t, a.waitFor(t, "reply to mention", replyWait, replyTo(w.bot, q)), q))
	})

	t.Run("thread", func(t *testing.T) {
		root := a.say(t, group, "thread about the statement")
		q := a.send(t, group, &event.MessageEventContent{
			MsgType: event.MsgText, Body: "!ask " + question,
			RelatesTo: &event.RelatesTo{Type: event.RelThread, EventID: root, IsFallingBack: true, InReplyTo: &event.InReplyTo{EventID: root}},
		})
		r := a.waitFor(t, "reply in thread", replyWait, replyTo(w.bot, q))
		c := checkReply(t, r, q)
		if c.RelatesTo.Type != event.RelThread || c.RelatesTo.EventID != root || !c.RelatesTo.IsFallingBack {
			t.Errorf("reply relation %+v, want m.thread on %s falling back to the question", c.RelatesTo, root)
		}
	})

	t.Run("ignored", func(t *testing.T) {
		// Chatter, notices and edits get no reply; the command after them
		// does, and since the bot handles a room's events in order, its
		// reply proves it has seen (and skipped) the ones before.
		chatter := a.say(t, group, question)
		notice := a.send(t, group, &event.MessageEventContent{MsgType: event.MsgNotice, Body: "!policy help"})
		edit := a.send(t, group, &event.MessageEventContent{
			MsgType: event.MsgText, Body: "* !policy help",
			NewContent: &event.MessageEventContent{MsgType: event.MsgText, Body: "!policy help"},
			RelatesTo:  &event.RelatesTo{Type: event.RelReplace, EventID: chatter},
		})
		bobs := w.bob.say(t, group, "I am just chatting, policybots are great")
		last := a.say(t, group, "!policy help")
		a.waitFor(t, "reply to the last command", replyWait, replyTo(w.bot, last))
		for name, q := range map[string]id.EventID{"chatter": chatter, "notice": notice, "edit": edit, "bob's chatter": bobs} {
			if got := a.all(replyTo(w.bot, q)); len(got) != 0 {
				t.Errorf("bot answered %s: %s", name, got[0].Content.AsMessage().Body)
			}
		}
	})

	t.Run("direct message", func(t *testing.T) {
		dm := newRoom(t, encrypted, true)
		q := a.say(t, dm, question)
		r := a.waitFor(t, "reply in DM", replyWait, replyTo(w.bot, q))
		checkAnswer(t, checkReply(t, r, q))
		isEncrypted(t, r)
	})
}

func TestInvites(t *testing.T) {
	skipShort(t)
	ctx := context.Background()
	c := w.carol
	resp, err := c.cli.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "private_chat", Invite: []id.UserID{w.bot}})
	if err != nil {
		t.Fatal(err)
	}
	left := c.waitFor(t, "bot declines carol's invite", replyWait, func(e *event.Event) bool {
		return e.RoomID == resp.RoomID && e.GetStateKey() == string(w.bot) && e.Content.AsMember().Membership == event.MembershipLeave
	})
	if left.Sender != w.bot {
		t.Errorf("invite ended by %s, want the bot declining", left.Sender)
	}
	if got := c.all(joined(w.bot, resp.RoomID)); len(got) != 0 {
		t.Error("bot joined a room it was invited to by a user not allowed")
	}
}

func TestLeaveOnRequest(t *testing.T) {
	skipShort(t)
	room := newRoom(t, false, false, w.bob)
	// bob has the default power level: he may not send the bot away.
	q := w.bob.say(t, room, "!policy leave")
	w.alice.waitFor(t, "reply to bob's leave", replyWait, replyTo(w.bot, q))
	q = w.alice.say(t, room, "!policy leave")
	w.alice.waitFor(t, "reply to alice's leave", replyWait, replyTo(w.bot, q))
	w.alice.waitFor(t, "bot leaves", replyWait, func(e *event.Event) bool {
		return e.RoomID == room && e.GetStateKey() == string(w.bot) && e.Content.AsMember().Membership == event.MembershipLeave
	})
	if n := len(w.alice.all(func(e *event.Event) bool {
		return e.RoomID == room && e.GetStateKey() == string(w.bot) && e.Content.AsMember().Membership == event.MembershipLeave
	})); n != 1 {
		t.Errorf("%d leave events", n)
	}
}
