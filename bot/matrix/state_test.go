package matrix

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"go.mau.fi/util/dbutil"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/crypto"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
	"maunium.net/go/mautrix/sqlstatestore"

	"github.com/policybot/policybot/bot/store"
)

// TestMautrixTablesInStateFile checks that mautrix's room-state and crypto
// stores run on policybot's state file through the pure-Go driver, next
// to the store's own tables, and keep their data across a reopen.
func TestMautrixTablesInStateFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	open := func() (*store.Store, *dbutil.Database) {
		st, err := store.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		db, err := dbutil.NewWithDB(st.DB(), "sqlite")
		if err != nil {
			t.Fatal(err)
		}
		return st, db
	}
	st, db := open()
	ss := sqlstatestore.NewSQLStateStore(db, nil, false)
	if err := ss.Upgrade(ctx); err != nil {
		t.Fatalf("room-state tables: %v", err)
	}
	cs := crypto.NewSQLCryptoStore(db, nil, "@policybot:example.org", "DEVICE", []byte("pickle"))
	if err := cs.DB.Upgrade(ctx); err != nil {
		t.Fatalf("crypto tables: %v", err)
	}
	if err := ss.SetMembership(ctx, "!r:example.org", "@alice:example.org", event.MembershipJoin); err != nil {
		t.Fatal(err)
	}
	if err := cs.PutAccount(ctx, crypto.NewOlmAccount()); err != nil {
		t.Fatalf("save olm account: %v", err)
	}
	if err := (syncStore{st: st}).SaveNextBatch(ctx, "@policybot:example.org", "s42"); err != nil {
		t.Fatal(err)
	}
	st.Close()

	st, db = open()
	defer st.Close()
	ss = sqlstatestore.NewSQLStateStore(db, nil, false)
	if err := ss.Upgrade(ctx); err != nil {
		t.Fatalf("room-state tables on reopen: %v", err)
	}
	members, err := ss.GetRoomJoinedOrInvitedMembers(ctx, "!r:example.org")
	if err != nil || len(members) != 1 {
		t.Errorf("members after reopen = %v, %v", members, err)
	}
	cs = crypto.NewSQLCryptoStore(db, nil, "@policybot:example.org", "DEVICE", []byte("pickle"))
	if err := cs.DB.Upgrade(ctx); err != nil {
		t.Fatal(err)
	}
	if dev, err := cs.FindDeviceID(ctx); err != nil || dev != "DEVICE" {
		t.Errorf("stored device = %q, %v; want DEVICE", dev, err)
	}
	if tok, err := (syncStore{st: st}).LoadNextBatch(ctx, "@policybot:example.org"); err != nil || tok != "s42" {
		t.Errorf("sync token after reopen = %q, %v", tok, err)
	}
}

// The sync filter goes inline, as a JSON object, never as a stored ID.
func TestSyncFilterInline(t *testing.T) {
	lazy := &mautrix.Filter{Room: &mautrix.RoomFilter{Timeline: &mautrix.FilterPart{Limit: 50}}}
	for _, tc := range []struct {
		name string
		s    syncStore
		want string
	}{
		{"syncer's filter", syncStore{filter: func(id.UserID) *mautrix.Filter { return lazy }}, `"limit":50`},
		{"no filter", syncStore{}, `{`},
	} {
		got, err := tc.s.LoadFilterID(context.Background(), "@policybot:example.org")
		if err != nil || !strings.HasPrefix(got, "{") || !strings.Contains(got, tc.want) {
			t.Errorf("%s: filter %q, %v; want a JSON object containing %s", tc.name, got, err, tc.want)
		}
	}
}

// The sync token mautrix saves before a response is handled is committed
// only once the response has been handled, and not at all when a question
// in it could not be recorded: a crash or a refusal then brings the
// response again.
func TestSyncTokenHeldUntilHandled(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const user = id.UserID("@policybot:example.org")
	sy := &syncer{DefaultSyncer: mautrix.NewDefaultSyncer()}
	sy.tokens = syncStore{st: st, held: &heldToken{}}
	saved := func() string {
		tok, err := sy.tokens.LoadNextBatch(ctx, user)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	for _, c := range []struct {
		token   string
		refuse  bool
		want    string // committed after the response
		wantErr bool
	}{
		{"s1", false, "s1", false},
		{"s2", true, "s1", true}, // a question could not be recorded
		{"s3", false, "s3", false},
	} {
		// What mautrix does: save, then hand over the response.
		if err := sy.tokens.SaveNextBatch(ctx, user, c.token); err != nil {
			t.Fatal(err)
		}
		if saved() == c.token {
			t.Fatalf("token %s committed before its response was handled", c.token)
		}
		if c.refuse {
			sy.refuse(errors.New("database is locked"))
		}
		err := sy.ProcessResponse(ctx, &mautrix.RespSync{NextBatch: c.token}, "")
		if (err != nil) != c.wantErr || (err != nil && !errors.Is(err, errNotRecorded)) {
			t.Errorf("%s: ProcessResponse = %v, want an errNotRecorded error: %v", c.token, err, c.wantErr)
		}
		if got := saved(); got != c.want {
			t.Errorf("%s: committed token %q, want %q", c.token, got, c.want)
		}
	}
}
