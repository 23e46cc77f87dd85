package matrix

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sync"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"
)

// Store is the part of policybot's state the adapter uses (bot/store
// implements it). DB is the same database, SQLite or PostgreSQL as
// Dialect says, handed to mautrix for its room-state and crypto tables.
type Store interface {
	DB() *sql.DB
	Dialect() string
	GetState(ctx context.Context, namespace, key string) (value string, ok bool, err error)
	SetState(ctx context.Context, namespace, key, value string) error
}

// stateNamespace keys everything this adapter keeps in the state file.
const stateNamespace = "matrix"

// Keys under stateNamespace; each is suffixed with the bot's user ID so
// that one state file can serve a change of account without confusion.
const (
	keyDeviceID    = "device_id/"
	keyAccessToken = "access_token/"
	keyNextBatch   = "next_batch/"
	keyCutoff      = "cutoff_ms/"    // events older than this are never answered
	keyJoinedAt    = "joined_ms/"    // + room ID: when the bot joined
	keyRecoveryKey = "recovery_key/" // encrypted with the pickle key (recoverykey.go)
)

// syncStore persists the sync token in the state file, so a restart
// resumes where the last run stopped: nothing missed, nothing replayed.
//
// It gives mautrix the sync filter inline (the JSON object, which the
// client-server API accepts in place of a filter ID) rather than storing
// it on the homeserver: a homeserver that lost or cannot read a stored
// filter answers every sync with an error until the ID is forgotten,
// which Dendrite was seen doing after a client disconnected mid-sync.
//
// With held set, the token mautrix saves before it hands a sync response
// to the syncer is kept back until the syncer has handled the response
// (commit): a crash before then brings the response's events again on the
// next start, and the inbox, not the token, keeps them from being
// answered twice. So no question is lost between the token's save and
// its record in the inbox.
type syncStore struct {
	st     Store
	filter func(id.UserID) *mautrix.Filter // the syncer's filter
	held   *heldToken
}

// heldToken is a sync token saved by mautrix and not yet committed.
type heldToken struct {
	mu    sync.Mutex
	user  id.UserID
	token string
	set   bool
}

func (h *heldToken) take() (id.UserID, string, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	user, token, ok := h.user, h.token, h.set
	h.set = false
	return user, token, ok
}

// commit saves the held token, if any.
func (s syncStore) commit(ctx context.Context) error {
	if s.held == nil {
		return nil
	}
	if user, token, ok := s.held.take(); ok {
		return s.set(ctx, keyNextBatch+string(user), token)
	}
	return nil
}

// drop forgets the held token, so that the next sync starts again from
// the last one committed.
func (s syncStore) drop() {
	if s.held != nil {
		s.held.take()
	}
}

var _ mautrix.SyncStore = syncStore{}

// SaveFilterID is never called: LoadFilterID always has a filter.
func (s syncStore) SaveFilterID(context.Context, id.UserID, string) error { return nil }

// LoadFilterID returns the filter itself, as JSON.
func (s syncStore) LoadFilterID(_ context.Context, user id.UserID) (string, error) {
	f := &mautrix.Filter{}
	if s.filter != nil {
		f = s.filter(user)
	}
	b, err := json.Marshal(f)
	if err != nil {
		return "", fmt.Errorf("matrix: encode the sync filter: %w", err)
	}
	return string(b), nil
}

func (s syncStore) SaveNextBatch(ctx context.Context, user id.UserID, token string) error {
	if s.held != nil {
		s.held.mu.Lock()
		s.held.user, s.held.token, s.held.set = user, token, true
		s.held.mu.Unlock()
		return nil
	}
	return s.set(ctx, keyNextBatch+string(user), token)
}

func (s syncStore) LoadNextBatch(ctx context.Context, user id.UserID) (string, error) {
	return s.get(ctx, keyNextBatch+string(user))
}

func (s syncStore) get(ctx context.Context, key string) (string, error) {
	v, _, err := s.st.GetState(ctx, stateNamespace, key)
	if err != nil {
		return "", fmt.Errorf("matrix: read %s from the state file: %w", key, err)
	}
	return v, nil
}

func (s syncStore) set(ctx context.Context, key, value string) error {
	if err := s.st.SetState(ctx, stateNamespace, key, value); err != nil {
		return fmt.Errorf("matrix: save %s to the state file: %w", key, err)
	}
	return nil
}
