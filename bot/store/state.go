package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// GetState reads one value of an adapter's own state (a sync token, a
// device ID). ok is false when the key was never set.
func (s *Store) GetState(ctx context.Context, namespace, key string) (value string, ok bool, err error) {
	err = s.r.QueryRowContext(ctx, "SELECT value FROM state WHERE namespace = ? AND key = ?", namespace, key).Scan(&value)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("reading %s/%s: %w", namespace, key, s.explain(err))
	}
	return value, true, nil
}

// SetState writes one value of an adapter's own state.
func (s *Store) SetState(ctx context.Context, namespace, key, value string) error {
	err := s.Write(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO state (namespace, key, value, updated) VALUES (?, ?, ?, ?)
			ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, updated = excluded.updated`,
			namespace, key, value, tx.now.Unix())
		return err
	})
	if err != nil {
		return fmt.Errorf("writing %s/%s: %w", namespace, key, err)
	}
	return nil
}

// FirstSeen records an event ID and reports whether it was new (true) or
// already recorded (false), so that an event delivered twice is handled
// once. Entries older than a week are pruned now and then.
func (s *Store) FirstSeen(ctx context.Context, namespace, eventID string) (bool, error) {
	if err := s.maybePrune(ctx); err != nil {
		return false, err
	}
	var fresh bool
	err := s.Write(ctx, func(tx *Tx) error {
		res, err := tx.tx.ExecContext(ctx, `INSERT INTO seen_events (namespace, event_id, seen) VALUES (?, ?, ?)
			ON CONFLICT DO NOTHING`, namespace, eventID, tx.now.Unix())
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		fresh = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("recording event %s/%s: %w", namespace, eventID, err)
	}
	return fresh, nil
}

// maybePrune deletes old event IDs at most once an hour.
func (s *Store) maybePrune(ctx context.Context) error {
	now := s.now()
	s.pruneMu.Lock()
	if now.Sub(s.lastPrune) < time.Hour {
		s.pruneMu.Unlock()
		return nil
	}
	s.lastPrune = now
	s.pruneMu.Unlock()
	return s.Write(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, "DELETE FROM seen_events WHERE seen < ?", now.Add(-eventRetention).Unix())
		if err != nil {
			return fmt.Errorf("pruning old event IDs: %w", err)
		}
		return nil
	})
}
