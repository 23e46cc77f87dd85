package matrix

import (
	"context"
	"database/sql"
	"fmt"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"
)

// Store is the part of policybot's state file the adapter uses
// (bot/store implements it). DB is the same SQLite database, handed to
// mautrix for its room-state and crypto tables.
type Store interface {
	DB() *sql.DB
	GetState(ctx context.Context, namespace, key string) (value string, ok bool, err error)
	SetState(ctx context.Context, namespace, key, value string) error
	// FirstSeen records an event ID and reports whether it was new.
	FirstSeen(ctx context.Context, namespace, eventID string) (bool, error)
}

// stateNamespace keys everything this adapter keeps in the state file.
const stateNamespace = "matrix"

// Keys under stateNamespace; each is suffixed with the bot's user ID so
// that one state file can serve a change of account without confusion.
const (
	keyDeviceID    = "device_id/"
	keyAccessToken = "access_token/"
	keyNextBatch   = "next_batch/"
	keyFilterID    = "filter_id/"
	keyCutoff      = "cutoff_ms/" // events older than this are never answered
	keyJoinedAt    = "joined_ms/" // + room ID: when the bot joined
)

// syncStore persists the sync token and filter ID in the state file, so a
// restart resumes where the last run stopped: nothing missed, nothing
// replayed.
type syncStore struct{ st Store }

var _ mautrix.SyncStore = syncStore{}

func (s syncStore) SaveFilterID(ctx context.Context, user id.UserID, filterID string) error {
	return s.set(ctx, keyFilterID+string(user), filterID)
}

func (s syncStore) LoadFilterID(ctx context.Context, user id.UserID) (string, error) {
	return s.get(ctx, keyFilterID+string(user))
}

func (s syncStore) SaveNextBatch(ctx context.Context, user id.UserID, token string) error {
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
