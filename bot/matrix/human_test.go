package matrix_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.mau.fi/util/dbutil"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/crypto/cryptohelper"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
	_ "modernc.org/sqlite"

	"github.com/policybot/policybot/bot/matrix/matrixtest"
)

// human is an independent Matrix client playing a person: it logs in with
// its own device, syncs in the background and records every event it
// receives, decrypted where it can.
type human struct {
	cli    *mautrix.Client
	cancel context.CancelFunc
	done   chan struct{}

	mu      sync.Mutex
	cond    *sync.Cond
	events  []*event.Event
	arrived map[id.EventID]time.Time
}

// newHuman logs user in and starts its sync; setup, if any, adds its own
// handlers to the client first.
func newHuman(ctx context.Context, hs, user, password, dir string, setup ...func(*mautrix.Client, *mautrix.DefaultSyncer)) (*human, error) {
	cli, err := mautrix.NewClient(hs, "", "")
	if err != nil {
		return nil, err
	}
	// Through the homeserver's restarts, which are not what is tested.
	cli.Client = &http.Client{Transport: matrixtest.Transport(http.DefaultTransport)}
	_, err = cli.Login(ctx, &mautrix.ReqLogin{
		Type:             mautrix.AuthTypePassword,
		Identifier:       mautrix.UserIdentifier{Type: mautrix.IdentifierTypeUser, User: user},
		Password:         password,
		StoreCredentials: true,
	})
	if err != nil {
		return nil, fmt.Errorf("log in %s: %w", user, err)
	}
	raw, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "human-"+cli.UserID.Localpart()+".db")+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	raw.SetMaxOpenConns(1)
	db, err := dbutil.NewWithDB(raw, "sqlite")
	if err != nil {
		return nil, err
	}
	h := &human{cli: cli, done: make(chan struct{}), arrived: map[id.EventID]time.Time{}}
	h.cond = sync.NewCond(&h.mu)
	sy := cli.Syncer.(*mautrix.DefaultSyncer)
	helper, err := cryptohelper.NewCryptoHelper(cli, []byte("human pickle key"), db)
	if err != nil {
		return nil, err
	}
	if err := helper.Init(ctx); err != nil {
		return nil, fmt.Errorf("crypto for %s: %w", user, err)
	}
	cli.Crypto = helper
	record := func(_ context.Context, evt *event.Event) {
		h.mu.Lock()
		h.events = append(h.events, evt)
		if _, ok := h.arrived[evt.ID]; !ok {
			h.arrived[evt.ID] = time.Now()
		}
		h.cond.Broadcast()
		h.mu.Unlock()
	}
	sy.OnEventType(event.EventMessage, record)
	sy.OnEventType(event.StateMember, record)
	for _, f := range setup {
		f(cli, sy)
	}
	sctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() {
		defer close(h.done)
		_ = cli.SyncWithContext(sctx)
	}()
	return h, nil
}

func (h *human) close() {
	h.cancel()
	<-h.done
}

// waitFor returns the first event matching ok, waiting up to timeout for
// it to arrive.
func (h *human) waitFor(t testing.TB, what string, timeout time.Duration, ok func(*event.Event) bool) *event.Event {
	t.Helper()
	e := h.lookFor(timeout, ok)
	if e == nil {
		t.Fatalf("%s: nothing arrived within %v", what, timeout)
	}
	return e
}

// lookFor returns the first recorded event matching ok, waiting up to
// timeout for one, or nil.
func (h *human) lookFor(timeout time.Duration, ok func(*event.Event) bool) *event.Event {
	deadline := time.Now().Add(timeout)
	timer := time.AfterFunc(timeout, func() { h.mu.Lock(); h.cond.Broadcast(); h.mu.Unlock() })
	defer timer.Stop()
	h.mu.Lock()
	defer h.mu.Unlock()
	for {
		for _, e := range h.events {
			if ok(e) {
				return e
			}
		}
		if time.Now().After(deadline) {
			return nil
		}
		h.cond.Wait()
	}
}

// all returns the recorded events matching ok.
func (h *human) all(ok func(*event.Event) bool) []*event.Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []*event.Event
	for _, e := range h.events {
		if ok(e) {
			out = append(out, e)
		}
	}
	return out
}

func (h *human) arrival(e id.EventID) time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.arrived[e]
}

func (h *human) send(t testing.TB, room id.RoomID, c *event.MessageEventContent) id.EventID {
	t.Helper()
	resp, err := h.cli.SendMessageEvent(context.Background(), room, event.EventMessage, c)
	if err != nil {
		t.Fatalf("send to %s: %v", room, err)
	}
	return resp.EventID
}

func (h *human) say(t testing.TB, room id.RoomID, body string) id.EventID {
	t.Helper()
	return h.send(t, room, &event.MessageEventContent{MsgType: event.MsgText, Body: body})
}

// replyTo matches the bot's reply to question.
func replyTo(bot id.UserID, question id.EventID) func(*event.Event) bool {
	return func(e *event.Event) bool {
		if e.Sender != bot {
			return false
		}
		c := e.Content.AsMessage()
		return c.RelatesTo.GetReplyTo() == question
	}
}

// joined matches user's join of room.
func joined(user id.UserID, room id.RoomID) func(*event.Event) bool {
	return func(e *event.Event) bool {
		return e.RoomID == room && e.Type == event.StateMember && e.GetStateKey() == string(user) &&
			e.Content.AsMember().Membership == event.MembershipJoin
	}
}
