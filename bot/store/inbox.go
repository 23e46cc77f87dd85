package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
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
	// Owner is the replica answering it ("" for the only process), until
	// Lease unless it renews it.
	Owner string
	Lease time.Time
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
	err := s.writeRows(ctx, true, func(tx *Tx) error {
		for i, e := range entries {
			res, err := tx.tx.ExecContext(ctx, `INSERT INTO inbox (platform, key, message, received, owner, lease) VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT DO NOTHING`, e.Platform, e.Key, e.Message, e.Received.UnixMilli(), e.Owner, e.Lease.UnixMilli())
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

// SettleInbox marks an entry answered, expired or failed and forgets its
// message.
func (s *Store) SettleInbox(ctx context.Context, platform, key, outcome string) error {
	err := s.writeRows(ctx, false, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `UPDATE inbox SET answered = $1, outcome = $2, message = '' WHERE platform = $3 AND key = $4 AND answered IS NULL`,
			tx.now.UnixMilli(), outcome, platform, key)
		return err
	})
	if err != nil {
		return fmt.Errorf("marking message %s/%s %s: %w", platform, key, outcome, err)
	}
	return nil
}

// InboxClaim says which of a platform's unsettled entries ClaimInbox
// takes over.
type InboxClaim int

const (
	// ClaimOwnAndLapsed: the entries the claimer holds already and those
	// whose lease has passed. For a start-up: the only process on a
	// state file (owner "") answers what it owed before.
	ClaimOwnAndLapsed InboxClaim = iota
	// ClaimLapsed: only the entries whose lease has passed, those of a
	// replica that stopped renewing. For a replica's periodic look: its
	// own entries are being answered.
	ClaimLapsed
	// ClaimAll: every entry, for a singleton that has just taken over
	// from a leader that stopped.
	ClaimAll
)

// ClaimInbox takes over a platform's unsettled entries (which, says
// claim) for owner until lease (now is the claimer's clock), and counts
// one more attempt at each; it returns them oldest first, with the
// attempts made before this one. The claim is one statement: two replicas
// claiming at once never both get an entry.
func (s *Store) ClaimInbox(ctx context.Context, platform, owner string, now, lease time.Time, claim InboxClaim) ([]InboxEntry, error) {
	var out []InboxEntry
	err := s.writeRows(ctx, false, func(tx *Tx) error {
		out = out[:0]
		rows, err := tx.tx.QueryContext(ctx, `UPDATE inbox SET owner = $1, lease = $2, attempts = attempts + 1
			WHERE platform = $3 AND answered IS NULL AND ($4 = $6 OR ($4 = $7 AND owner = $1) OR lease < $5)
			RETURNING key, message, received, attempts`,
			owner, lease.UnixMilli(), platform, int(claim), now.UnixMilli(), int(ClaimAll), int(ClaimOwnAndLapsed))
		if err != nil {
			return err
		}
		for rows.Next() {
			e := InboxEntry{Platform: platform, Owner: owner, Lease: lease}
			var ms int64
			if err := rows.Scan(&e.Key, &e.Message, &ms, &e.Attempts); err != nil {
				rows.Close()
				return err
			}
			e.Received = time.UnixMilli(ms)
			e.Attempts--
			out = append(out, e)
		}
		return closeRows(rows)
	})
	if err != nil {
		return nil, fmt.Errorf("claiming unanswered messages: %w", err)
	}
	slices.SortFunc(out, func(a, b InboxEntry) int {
		if c := a.Received.Compare(b.Received); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
	return out, nil
}

// RenewInbox extends owner's hold on the entries it is answering.
func (s *Store) RenewInbox(ctx context.Context, owner string, lease time.Time) error {
	err := s.writeRows(ctx, false, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `UPDATE inbox SET lease = $1 WHERE owner = $2 AND answered IS NULL`, lease.UnixMilli(), owner)
		return err
	})
	if err != nil {
		return fmt.Errorf("renewing the hold on messages being answered: %w", err)
	}
	return nil
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
	return s.writeRows(ctx, false, func(tx *Tx) error {
		if _, err := tx.tx.ExecContext(ctx, "DELETE FROM inbox WHERE answered IS NOT NULL AND answered < $1", now.Add(-inboxRetention).UnixMilli()); err != nil {
			return fmt.Errorf("pruning the inbox: %w", err)
		}
		return nil
	})
}
