package matrix

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

const room = id.RoomID("!room:example.org")

func msgEvent(sender id.UserID, ts int64, c *event.MessageEventContent) *event.Event {
	return &event.Event{
		ID: "$e", Sender: sender, RoomID: room, Timestamp: ts, Type: event.EventMessage,
		Content: event.Content{Parsed: c},
	}
}

func text(body string) *event.MessageEventContent {
	return &event.MessageEventContent{MsgType: event.MsgText, Body: body}
}

func TestToMessageSkips(t *testing.T) {
	a, _ := testAdapter(t, "http://127.0.0.1:1", nil)
	a.joinedAt[room] = 2_000_000
	edit := text("* fixed")
	edit.NewContent = text("fixed")
	edit.RelatesTo = &event.RelatesTo{Type: event.RelReplace, EventID: "$old"}
	redacted := msgEvent("@alice:example.org", 3_000_000, &event.MessageEventContent{})
	redacted.Unsigned.RedactedBecause = &event.Event{ID: "$r"}
	tests := []struct {
		name string
		evt  *event.Event
	}{
		{"own", msgEvent("@policybot:example.org", 3_000_000, text("!policy help"))},
		{"notice", msgEvent("@otherbot:example.org", 3_000_000, &event.MessageEventContent{MsgType: event.MsgNotice, Body: "!policy help"})},
		{"before start", msgEvent("@alice:example.org", 999_999, text("!policy help"))},
		{"before join", msgEvent("@alice:example.org", 1_999_999, text("!policy help"))},
		{"edit", msgEvent("@alice:example.org", 3_000_000, edit)},
		{"redacted", redacted},
		{"image", msgEvent("@alice:example.org", 3_000_000, &event.MessageEventContent{MsgType: event.MsgImage, Body: "x.png"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, skip := a.toMessage(context.Background(), tt.evt); skip == "" {
				t.Errorf("%s was taken as a message", tt.name)
			}
		})
	}
}

func TestToMessage(t *testing.T) {
	ctx := context.Background()
	a, _ := testAdapter(t, "http://127.0.0.1:1", nil)
	a.name.displayName = "Policy Bot"
	ss := a.cli.StateStore
	for _, u := range []id.UserID{"@alice:example.org", "@policybot:example.org"} {
		ss.SetMembership(ctx, room, u, event.MembershipJoin)
	}
	ss.SetPowerLevels(ctx, room, &event.PowerLevelsEventContent{Users: map[id.UserID]int{"@alice:example.org": 50}})

	c := text("Policy Bot: what about sovereignty?")
	c.RelatesTo = &event.RelatesTo{Type: event.RelThread, EventID: "$root", IsFallingBack: true, InReplyTo: &event.InReplyTo{EventID: "$root"}}
	evt := msgEvent("@alice:example.org", 3_000_000, c)
	m, skip := a.toMessage(ctx, evt)
	if skip != "" {
		t.Fatalf("skipped: %s", skip)
	}
	if m.Text != "what about sovereignty?" || !m.Mentioned || m.Prefix != "!" || m.Platform != "matrix" {
		t.Errorf("message %+v", m)
	}
	if threadOf(evt) != "$root" || !m.Conversation.Direct || m.Conversation.ID != string(room) || !m.CanManage {
		t.Errorf("thread %q direct %v conv %q canManage %v", threadOf(evt), m.Conversation.Direct, m.Conversation.ID, m.CanManage)
	}

	// A third member makes it a group room; a default-level user is no
	// moderator.
	ss.SetMembership(ctx, room, "@bob:example.org", event.MembershipJoin)
	m, _ = a.toMessage(ctx, msgEvent("@bob:example.org", 3_000_000, text("!policy leave")))
	if m.Conversation.Direct || m.CanManage || m.Mentioned || m.Text != "!policy leave" {
		t.Errorf("group message from a non-moderator: %+v", m)
	}
	// Chatter in a group room is not for the bot.
	if _, skip := a.toMessage(ctx, msgEvent("@bob:example.org", 3_000_000, text("hi everyone"))); skip == "" {
		t.Error("group chatter taken as a message for the bot")
	}
	// Rooms invited to as direct stay direct.
	a.setDirect(room)
	if m, _ = a.toMessage(ctx, msgEvent("@bob:example.org", 3_000_000, text("hi"))); !m.Conversation.Direct {
		t.Error("room invited to with is_direct not treated as direct")
	}
}

func TestSyncFailureBackoffAndReconnect(t *testing.T) {
	a, sl := testAdapter(t, "http://127.0.0.1:1", nil)
	sy := &syncer{DefaultSyncer: mautrix.NewDefaultSyncer(), a: a}
	reconnects := 0
	a.OnReconnect = func() { reconnects++ }
	a.synced(context.Background(), nil, "")
	if err := a.Ready(); err != nil {
		t.Fatalf("not ready after a sync: %v", err)
	}
	down := mautrix.HTTPError{Message: "request error", WrappedError: errors.New("connection refused")}
	for range 3 {
		if d, err := sy.OnFailedSync(nil, down); d != 0 || err != nil {
			t.Fatalf("OnFailedSync = %v, %v; want to keep going", d, err)
		}
	}
	if a.Ready() == nil {
		t.Error("ready while the homeserver is away")
	}
	want := []time.Duration{defaultBackoff(1), defaultBackoff(2), defaultBackoff(3)}
	if len(sl.d) != 3 || sl.d[0] != want[0] || sl.d[2] != want[2] || want[0] >= want[2] {
		t.Errorf("waits %v, want growing %v", sl.d, want)
	}
	a.synced(context.Background(), nil, "")
	if a.Ready() != nil || reconnects != 1 {
		t.Errorf("after recovery: ready=%v reconnects=%d", a.Ready(), reconnects)
	}
	limitedErr := mautrix.HTTPError{Response: &http.Response{StatusCode: 429, Header: http.Header{}},
		RespError: &mautrix.RespError{ErrCode: "M_LIMIT_EXCEEDED", ExtraData: map[string]any{"retry_after_ms": 2500.0}}}
	sy.OnFailedSync(nil, limitedErr)
	if got := sl.d[len(sl.d)-1]; got != 2500*time.Millisecond {
		t.Errorf("rate-limited sync waited %v, want 2.5s", got)
	}
	if _, err := sy.OnFailedSync(nil, mautrix.HTTPError{RespError: &mautrix.RespError{ErrCode: "M_UNKNOWN_TOKEN"}}); err == nil {
		t.Error("a rejected token must stop syncing")
	}
}

// A join recorded in the state file by an earlier run still makes the
// room's older events history after a restart.
func TestJoinTimeSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	first, _ := testAdapter(t, "http://127.0.0.1:1", nil)
	first.now = func() time.Time { return time.UnixMilli(2_000_000) }
	first.markJoined(ctx, room)

	restarted, _ := testAdapter(t, "http://127.0.0.1:1", nil)
	restarted.store = first.store
	if _, skip := restarted.toMessage(ctx, msgEvent("@alice:example.org", 1_999_999, text("!policy help"))); skip == "" {
		t.Error("an event from before the recorded join was taken as a message after a restart")
	}
	if _, skip := restarted.toMessage(ctx, msgEvent("@alice:example.org", 2_000_001, text("!policy help"))); skip != "" {
		t.Errorf("an event after the join was skipped: %s", skip)
	}
}

// A sync response is handled to the end when shutdown begins meanwhile:
// its token is saved already, so a handler cut short loses state for good.
func TestSyncResponseOutlivesShutdown(t *testing.T) {
	a, _ := testAdapter(t, "http://127.0.0.1:1", nil)
	sy := &syncer{DefaultSyncer: mautrix.NewDefaultSyncer(), a: a}
	var seen []error
	sy.OnEventType(event.StateMember, func(ctx context.Context, evt *event.Event) {
		seen = append(seen, ctx.Err())
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // shutdown has begun
	member := event.Event{Type: event.StateMember, StateKey: new(string), Sender: "@alice:example.org", ID: "$m",
		Content: event.Content{VeryRaw: []byte(`{"membership":"join"}`)}}
	*member.StateKey = "@alice:example.org"
	res := &mautrix.RespSync{Rooms: mautrix.RespSyncRooms{Join: map[id.RoomID]*mautrix.SyncJoinedRoom{
		room: {Timeline: mautrix.SyncTimeline{SyncEventsList: mautrix.SyncEventsList{Events: []*event.Event{&member}}}},
	}}}
	if err := sy.ProcessResponse(ctx, res, "s1"); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1 || seen[0] != nil {
		t.Fatalf("member event handled %d times with context errors %v; want once, not cancelled", len(seen), seen)
	}
}

// TestSyncHandlersMayWaitPastTheResponse: mautrix's crypto helper waits in
// the background for a room key that arrives in a later sync than its
// message, with the handler's context; that context must outlive the
// response, or the message is given up at once.
func TestSyncHandlersMayWaitPastTheResponse(t *testing.T) {
	a, _ := testAdapter(t, "http://127.0.0.1:1", nil)
	sy := &syncer{DefaultSyncer: mautrix.NewDefaultSyncer(), a: a}
	var handlerCtx context.Context
	sy.OnEventType(event.StateMember, func(ctx context.Context, evt *event.Event) { handlerCtx = ctx })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	member := event.Event{Type: event.StateMember, StateKey: new(string), Sender: "@alice:example.org", ID: "$m",
		Content: event.Content{VeryRaw: []byte(`{"membership":"join"}`)}}
	*member.StateKey = "@alice:example.org"
	res := &mautrix.RespSync{Rooms: mautrix.RespSyncRooms{Join: map[id.RoomID]*mautrix.SyncJoinedRoom{
		room: {Timeline: mautrix.SyncTimeline{SyncEventsList: mautrix.SyncEventsList{Events: []*event.Event{&member}}}},
	}}}
	for _, since := range []string{"s1", "s2"} {
		if err := sy.ProcessResponse(ctx, res, since); err != nil {
			t.Fatal(err)
		}
		if handlerCtx == nil || handlerCtx.Err() != nil {
			t.Fatalf("after response %s the handler's context is %v; want it alive for work the handler started", since, handlerCtx)
		}
	}
	first := sy.life
	if err := sy.ProcessResponse(ctx, res, "s3"); err != nil || sy.life != first {
		t.Errorf("each response got a context of its own (err %v); want one per sync loop", err)
	}
}
