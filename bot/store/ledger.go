package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Delivery is one digest in the ledger: written before the digest is sent
// (the intent) and marked Sent after the platform accepted it.
type Delivery struct {
	Subscription int64
	LocalDate    string // YYYY-MM-DD in the subscription's zone
	Key          string // unique per subscription and date; the platform's idempotency key
	Paragraphs   []int  // what the digest quotes, so that a retry sends the same
	Intent       time.Time
	Attempts     int
	Sent         time.Time // zero while it may or may not have been posted
}

func getDelivery(ctx context.Context, q querier, sub int64, date string) (Delivery, bool, error) {
	d := Delivery{Subscription: sub, LocalDate: date}
	var paras string
	var intent, sent int64
	err := q.QueryRowContext(ctx, `SELECT key, paragraphs, intent, attempts, sent FROM deliveries
		WHERE subscription = $1 AND local_date = $2`, sub, date).Scan(&d.Key, &paras, &intent, &d.Attempts, &sent)
	if errors.Is(err, sql.ErrNoRows) {
		return Delivery{}, false, nil
	}
	if err != nil {
		return Delivery{}, false, err
	}
	d.Intent = time.Unix(intent, 0)
	if sent != 0 {
		d.Sent = time.Unix(sent, 0)
	}
	if d.Paragraphs, err = parseInts(paras); err != nil {
		return Delivery{}, false, fmt.Errorf("ledger entry %s: paragraphs %q: %w", d.Key, paras, err)
	}
	return d, true, nil
}

// Delivery reads the ledger entry of a subscription for a local date.
func (s *Store) Delivery(ctx context.Context, sub int64, date string) (Delivery, bool, error) {
	d, ok, err := getDelivery(ctx, s.r, sub, date)
	if err != nil {
		return d, false, fmt.Errorf("reading the digest ledger: %w", s.explain(err))
	}
	return d, ok, nil
}

// Delivery reads a ledger entry inside a transaction.
func (tx *Tx) Delivery(ctx context.Context, sub int64, date string) (Delivery, bool, error) {
	return getDelivery(ctx, tx.tx, sub, date)
}

// PutDelivery writes a ledger entry, replacing the one for the same
// subscription and date.
func (tx *Tx) PutDelivery(ctx context.Context, d Delivery) error {
	var sent int64
	if !d.Sent.IsZero() {
		sent = d.Sent.Unix()
	}
	if d.Intent.IsZero() {
		d.Intent = tx.now
	}
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO deliveries (subscription, local_date, key, paragraphs, intent, attempts, sent)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (subscription, local_date) DO UPDATE SET key = excluded.key, paragraphs = excluded.paragraphs,
			intent = excluded.intent, attempts = excluded.attempts, sent = excluded.sent`,
		d.Subscription, d.LocalDate, d.Key, formatInts(d.Paragraphs), d.Intent.Unix(), d.Attempts, sent)
	if err != nil {
		return fmt.Errorf("writing ledger entry %s: %w", d.Key, err)
	}
	return nil
}

// PruneDeliveries deletes ledger entries older than before. Only the
// latest entries matter for exactly-once delivery.
func (tx *Tx) PruneDeliveries(ctx context.Context, before time.Time) (int64, error) {
	res, err := tx.tx.ExecContext(ctx, "DELETE FROM deliveries WHERE intent < $1", before.Unix())
	if err != nil {
		return 0, fmt.Errorf("pruning the digest ledger: %w", err)
	}
	return res.RowsAffected()
}

// SizeBytes is the size of the database in pages in use, for measuring.
func (s *Store) SizeBytes(ctx context.Context) (int64, error) {
	if s.pg {
		n, err := pgSize(ctx, s.r)
		if err != nil {
			return 0, s.explain(err)
		}
		return n, nil
	}
	var pages, size int64
	if err := s.r.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		return 0, s.explain(err)
	}
	if err := s.r.QueryRowContext(ctx, "PRAGMA page_size").Scan(&size); err != nil {
		return 0, s.explain(err)
	}
	return pages * size, nil
}

func formatInts(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ",")
}

func parseInts(s string) ([]int, error) {
	if s == "" {
		return nil, nil
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}
