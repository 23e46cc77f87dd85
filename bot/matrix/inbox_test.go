package matrix_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// TestBotKilledWithAnswersInFlight asks a burst of questions, kills the
// bot with SIGKILL while most are unanswered, and starts it again: every
// question is answered exactly once, those the first life had taken on
// from its inbox, after a look in the room for replies it had posted just
// before it died.
func TestBotKilledWithAnswersInFlight(t *testing.T) {
	skipShort(t)
	a := w.alice
	room := newRoom(t, false, false)
	ctx := context.Background()
	t.Cleanup(func() {
		if w.proc == nil || w.proc.cmd == nil {
			var err error
			if w.proc, err = startBot(ctx); err != nil {
				t.Errorf("restart the bot for the next tests: %v", err)
			}
		}
	})
	// The bot hears that a reply was accepted 300 ms after Dendrite
	// accepted it, so that the kill below finds most replies in flight,
	// some of them already in the room. Dendrite always finishes the
	// request: on SQLite it locks up for a while when a send is cancelled
	// half-way.
	slow := homeserverProxy(t, func(rw http.ResponseWriter, r *http.Request, forward http.Handler) {
		if r.Method != http.MethodPut || !strings.Contains(r.URL.Path, "/send/") {
			forward.ServeHTTP(rw, r)
			return
		}
		rec := httptest.NewRecorder()
		forward.ServeHTTP(rec, r.WithContext(context.WithoutCancel(r.Context())))
		time.Sleep(300 * time.Millisecond)
		for k, v := range rec.Header() {
			rw.Header()[k] = v
		}
		rw.WriteHeader(rec.Code)
		_, _ = rw.Write(rec.Body.Bytes())
	})
	w.proc.stop()
	var err error
	if w.proc, err = launchBot(ctx, []string{"POLICYBOT_MATRIX_HOMESERVER=" + slow}, true); err != nil {
		t.Fatal(err)
	}
	const n = 30
	var qs []id.EventID
	for i := range n {
		qs = append(qs, a.say(t, room, fmt.Sprintf("!ask %s (%d)", question, i)))
	}
	// Kill as soon as the first answers arrive: the rest are taken on or
	// still on their way.
	a.waitFor(t, "a first answer", replyWait, replyTo(w.bot, qs[0]))
	_ = w.proc.cmd.Process.Kill()
	<-w.proc.done
	w.proc.cmd = nil
	answered := 0
	for _, q := range qs {
		if len(a.all(replyTo(w.bot, q))) > 0 {
			answered++
		}
	}
	t.Logf("%d of %d questions answered when the bot was killed", answered, n)

	if answered == n {
		t.Fatal("every question was answered before the kill: the test did not catch the bot with work in flight")
	}
	logStart := logSize(t, w.proc.logPath)
	if w.proc, err = startBot(ctx); err != nil {
		t.Fatal(err)
	}
	for _, q := range qs {
		a.waitFor(t, "an answer after the restart", replyWait, replyTo(w.bot, q))
	}
	// A question asked now is answered after everything before it.
	last := a.say(t, room, "!policy help")
	a.waitFor(t, "a reply after the restart", replyWait, replyTo(w.bot, last))
	for _, q := range qs {
		if got := len(a.all(replyTo(w.bot, q))); got != 1 {
			t.Errorf("question %s answered %d times, want once", q, got)
		}
	}
	log := logSince(t, w.proc.logPath, logStart)
	t.Logf("after the restart: %d answered from the inbox, %d found already posted",
		strings.Count(log, "answering a question received before the restart"), strings.Count(log, "the reply had been posted already"))
}

// TestHomeserverRestartAfterAcceptingReply puts a proxy between the bot and
// Dendrite that, for the first reply, lets Dendrite accept it, then
// restarts Dendrite and breaks the connection before the bot hears the
// answer. The bot retries with the same transaction ID, which the
// restarted Dendrite no longer knows; it must find its reply in the room
// instead of posting it a second time.
func TestHomeserverRestartAfterAcceptingReply(t *testing.T) {
	skipShort(t)
	a := w.alice
	room := newRoom(t, false, false)
	ctx := context.Background()
	var tripped atomic.Bool
	proxy := homeserverProxy(t, func(rw http.ResponseWriter, r *http.Request, forward http.Handler) {
		if r.Method != http.MethodPut || !strings.Contains(r.URL.Path, "/send/m.room.message/policybot.reply.") || !tripped.CompareAndSwap(false, true) {
			forward.ServeHTTP(rw, r)
			return
		}
		rec := httptest.NewRecorder()
		forward.ServeHTTP(rec, r) // Dendrite accepts the reply
		if rec.Code != http.StatusOK {
			t.Errorf("Dendrite refused the reply: %d %s", rec.Code, rec.Body.String())
		}
		// Restart once the reply is in the room's history for all to
		// see, as it is when a homeserver goes down a moment later.
		for deadline := time.Now().Add(30 * time.Second); botMessages(t, a, room) == 0 && time.Now().Before(deadline); {
			time.Sleep(50 * time.Millisecond)
		}
		if err := w.server.Restart(context.WithoutCancel(r.Context())); err != nil {
			t.Errorf("restart Dendrite: %v", err)
		}
		conn, _, err := http.NewResponseController(rw).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		_ = conn.Close() // the bot never hears that it was accepted
	})
	w.proc.stop()
	t.Cleanup(func() {
		if w.proc != nil && w.proc.cmd != nil {
			w.proc.stop()
		}
		var err error
		if w.proc, err = startBot(ctx); err != nil {
			t.Errorf("restart the bot for the next tests: %v", err)
		}
	})
	var err error
	w.proc, err = launchBot(ctx, []string{"POLICYBOT_MATRIX_HOMESERVER=" + proxy}, true)
	if err != nil {
		t.Fatal(err)
	}
	logStart := logSize(t, w.proc.logPath)
	q := a.say(t, room, "!ask "+question)
	// The room's history, not alice's sync, which a homeserver restart
	// can hold up for long.
	waitReplies(t, a, room, q, "the reply Dendrite accepted before its restart")
	// The retry comes a second later: wait for its verdict.
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(logSince(t, w.proc.logPath, logStart), "the reply had been posted already") {
		if time.Now().After(deadline) {
			t.Fatalf("the bot did not look for its earlier reply after the broken connection, or did not find it:\n%s", logSince(t, w.proc.logPath, logStart))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !tripped.Load() {
		t.Fatal("the proxy never saw the reply")
	}
	// A question asked now is answered after the retry has settled.
	later := a.say(t, room, "!policy help")
	waitReplies(t, a, room, later, "a reply after the homeserver restart")
	if got := replies(t, a, room, q); got != 1 {
		t.Errorf("the reply accepted before the homeserver restart appears %d times, want once; see %s", got, w.proc.logPath)
	}
}

// homeserverProxy serves a proxy to Dendrite in which handle sees every
// request first, and returns its URL.
func homeserverProxy(t *testing.T, handle func(rw http.ResponseWriter, r *http.Request, forward http.Handler)) string {
	t.Helper()
	target, err := url.Parse(w.server.URL)
	if err != nil {
		t.Fatal(err)
	}
	forward := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { handle(rw, r, forward) }))
	t.Cleanup(srv.Close)
	return srv.URL
}

// botMessages counts the bot's messages in the room's latest history.
func botMessages(t *testing.T, h *human, room id.RoomID) int {
	return countHistory(t, h, room, func(*event.MessageEventContent) bool { return true })
}

// replies counts the bot's replies to q in the room's latest history, as
// h reads it from the homeserver.
func replies(t *testing.T, h *human, room id.RoomID, q id.EventID) int {
	return countHistory(t, h, room, func(c *event.MessageEventContent) bool {
		return c.RelatesTo != nil && c.RelatesTo.GetReplyTo() == q
	})
}

// countHistory counts the bot's messages in the room's latest history
// that ok accepts.
func countHistory(t *testing.T, h *human, room id.RoomID, ok func(*event.MessageEventContent) bool) int {
	t.Helper()
	resp, err := h.cli.Messages(context.Background(), room, "", "", mautrix.DirectionBackward, nil, 100)
	if err != nil {
		t.Logf("read the history of %s: %v", room, err)
		return -1
	}
	n := 0
	for _, e := range resp.Chunk {
		if e.Type == event.EventMessage && e.Sender == w.bot {
			_ = e.Content.ParseRaw(e.Type)
			if c := e.Content.AsMessage(); c != nil && ok(c) {
				n++
			}
		}
	}
	return n
}

// waitReplies waits until the room's history holds a reply to q.
func waitReplies(t *testing.T, h *human, room id.RoomID, q id.EventID, what string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for replies(t, h, room, q) < 1 {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not in the room's history after 2m; see %s", what, w.proc.logPath)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
