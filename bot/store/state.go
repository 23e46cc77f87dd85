package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// GetState reads one value of an adapter's own state (a sync token, a
// device ID). ok is false when the key was never set.
func (s *Store) GetState(ctx context.Context, namespace, key string) (value string, ok bool, err error) {
	err = s.r.QueryRowContext(ctx, "SELECT value FROM state WHERE namespace = $1 AND key = $2", namespace, key).Scan(&value)
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
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO state (namespace, key, value, updated) VALUES ($1, $2, $3, $4)
			ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, updated = excluded.updated`,
			namespace, key, value, tx.now.Unix())
		return err
	})
	if err != nil {
		return fmt.Errorf("writing %s/%s: %w", namespace, key, err)
	}
	return nil
}
