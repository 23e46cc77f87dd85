package matrix_test

import (
	"context"
	"testing"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// TestBotRestart stops the bot, asks while it is down, and starts it
// again: the question asked meanwhile is answered once, and nothing
// answered before the restart is answered again.
func TestBotRestart(t *testing.T) {
	skipShort(t)
	a := w.alice
	room := newRoom(t, true, false, w.bob)
	var before []id.EventID
	for _, cmd := range []string{"!policy help", "!ask " + question} {
		q := a.say(t, room, cmd)
		a.waitFor(t, "reply before restart", replyWait, replyTo(w.bot, q))
		before = append(before, q)
	}
	w.proc.stop()
	missed := a.say(t, room, "!ask "+question)
	var err error
	if w.proc, err = startBot(context.Background()); err != nil {
		t.Fatal(err)
	}
	a.waitFor(t, "reply to the question asked while down", replyWait, replyTo(w.bot, missed))
	after := a.say(t, room, "!policy help")
	a.waitFor(t, "reply after restart", replyWait, replyTo(w.bot, after))
	for _, q := range append(before, missed) {
		if n := len(a.all(replyTo(w.bot, q))); n != 1 {
			t.Errorf("question %s answered %d times, want once", q, n)
		}
	}
}

// TestHomeserverRestart restarts Dendrite under the running bot, which
// must reconnect by itself and answer again.
func TestHomeserverRestart(t *testing.T) {
	skipShort(t)
	a := w.alice
	room := newRoom(t, false, false, w.bob)
	q := a.say(t, room, "!policy help")
	a.waitFor(t, "reply before homeserver restart", replyWait, replyTo(w.bot, q))
	if err := w.server.Restart(context.Background()); err != nil {
		t.Fatal(err)
	}
	q = a.say(t, room, "!ask "+question)
	r := a.waitFor(t, "reply after homeserver restart", replyWait*2, replyTo(w.bot, q))
	checkAnswer(t, checkReply(t, r, q))
	if n := len(a.all(func(e *event.Event) bool {
		return e.RoomID == room && e.Sender == w.bot && e.Type == event.EventMessage
	})); n != 2 {
		t.Errorf("%d bot messages in the room, want 2", n)
	}
}
