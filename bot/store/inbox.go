package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// InboxEntry is one message the bot has told its platform it received.
type InboxEntry struct {
	Platform string
	// Key is the platform's unique ID of the message ("C123/1700000000.1",
	// a Matrix event ID).
	Key string
	// Message is what the inbox needs to answer it again, opaque here.
	Message  string
	Received time.Time
	// Attempts counts the answers started, before this one.
	Attempts int
}

// Inbox outcomes, recorded when an entry is settled.
const (
	InboxAnswered = "answered" // the reply was posted, or there was none to post
	InboxExpired  = "expired"  // owed longer than recovery looks back
	InboxFailed   = "failed"   // posting failed for good
)

// inboxRetention is how long a settled entry is kept as the record that
// its message was seen, so that a redelivery is ignored. Platforms
// redeliver within minutes (Slack's retries, a Matrix sync brought again
// after a crash); a week is ample.
const inboxRetention = 7 * 24 * time.Hour

// AcceptInbox records entries in one transaction flushed to disk, and
// reports for each whether it is new: false means that message was
// recorded before (a redelivery) and nothing was changed.
func (s *Store) AcceptInbox(ctx context.Context, entries []InboxEntry) ([]bool, error) {
	if err := s.maybePruneInbox(ctx); err != nil {
		return nil, err
	}
	fresh := make([]bool, len(entries))
	err := s.WriteDurable(ctx, func(tx *Tx) error {
		for i, e := range entries {
			res, err := tx.tx.ExecContext(ctx, `INSERT INTO inbox (platform, key, message, received) VALUES ($1, $2, $3, $4)
				ON CONFLICT DO NOTHING`, e.Platform, e.Key, e.Message, e.Received.UnixMilli())
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			fresh[i] = n == 1
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("recording %d received message(s): %w", len(entries), err)
	}
	return fresh, nil
}

// StartInbox counts one more attempt at answering an owed entry.
func (s *Store) StartInbox(ctx context.Context, platform, key string) error {
	return s.Write(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `UPDATE inbox SET attempts = attempts + 1 WHERE platform = $1 AND key = $2 AND answered IS NULL`, platform, key)
		return err
	})
}

// SettleInbox marks an entry answered, expired or failed and forgets its
// message.
func (s *Store) SettleInbox(ctx context.Context, platform, key, outcome string) error {
	err := s.Write(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `UPDATE inbox SET answered = $1, outcome = $2, message = '' WHERE platform = $3 AND key = $4 AND answered IS NULL`,
			tx.now.UnixMilli(), outcome, platform, key)
		return err
	})
	if err != nil {
		return fmt.Errorf("marking message %s/%s %s: %w", platform, key, outcome, err)
	}
	return nil
}

// OwedInbox lists a platform's entries not yet settled, oldest first.
func (s *Store) OwedInbox(ctx context.Context, platform string) ([]InboxEntry, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT key, message, received, attempts FROM inbox
		WHERE platform = $1 AND answered IS NULL ORDER BY received, key`, platform)
	if err != nil {
		return nil, fmt.Errorf("listing unanswered messages: %w", s.explain(err))
	}
	var out []InboxEntry
	for rows.Next() {
		e := InboxEntry{Platform: platform}
		var ms int64
		if err := rows.Scan(&e.Key, &e.Message, &ms, &e.Attempts); err != nil {
			rows.Close()
			return nil, err
		}
		e.Received = time.UnixMilli(ms)
		out = append(out, e)
	}
	if err := closeRows(rows); err != nil {
		return nil, fmt.Errorf("listing unanswered messages: %w", err)
	}
	return out, nil
}

// InboxOutcome reports how an entry was settled ("" while it is owed) and
// whether it exists.
func (s *Store) InboxOutcome(ctx context.Context, platform, key string) (string, bool, error) {
	var outcome string
	var answered sql.NullInt64
	err := s.r.QueryRowContext(ctx, `SELECT outcome, answered FROM inbox WHERE platform = $1 AND key = $2`, platform, key).Scan(&outcome, &answered)
	if err == sql.ErrNoRows {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return outcome, true, nil
}

// maybePruneInbox deletes settled entries past inboxRetention, at most
// once an hour.
func (s *Store) maybePruneInbox(ctx context.Context) error {
	now := s.now()
	s.pruneMu.Lock()
	if now.Sub(s.lastInboxPrune) < time.Hour {
		s.pruneMu.Unlock()
		return nil
	}
	s.lastInboxPrune = now
	s.pruneMu.Unlock()
	return s.Write(ctx, func(tx *Tx) error {
		if _, err := tx.tx.ExecContext(ctx, "DELETE FROM inbox WHERE answered IS NOT NULL AND answered < $1", now.Add(-inboxRetention).UnixMilli()); err != nil {
			return fmt.Errorf("pruning the inbox: %w", err)
		}
		return nil
	})
}
