package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Where a subscription came from.
const (
	SourceChat   = "chat"   // "digest on" typed in the conversation
	SourceConfig = "config" // digest.subscriptions in the config file
)

// Subscription is one conversation's daily digest with its schedule and
// rotation state.
type Subscription struct {
	ID           int64
	Platform     string
	Conversation string
	Hour, Minute int
	Zone         string
	Passages     int
	Source       string
	Active       bool
	Created      time.Time
	// NextDate is the local date (YYYY-MM-DD) owed next; NextDue is when
	// to attempt it (its scheduled time, or a retry time after a failure).
	NextDate string
	NextDue  time.Time
	// The rotation: the digest walks a shuffled order of the quotable
	// paragraphs derived from Seed and Cycle, and Position is how far it
	// got in the current cycle.
	Seed     int64
	Cycle    int
	Position int
	// LastDate is the local date of the last digest sent, "" if none.
	LastDate string
	LastSent time.Time
}

const subColumns = `id, platform, conversation, hour, minute, zone, passages, source, active, created,
	next_date, next_due, seed, cycle, position, last_date, last_sent`

type scanner interface{ Scan(dest ...any) error }

func scanSubscription(r scanner) (Subscription, error) {
	var s Subscription
	var created, due, last int64
	err := r.Scan(&s.ID, &s.Platform, &s.Conversation, &s.Hour, &s.Minute, &s.Zone, &s.Passages, &s.Source,
		&s.Active, &created, &s.NextDate, &due, &s.Seed, &s.Cycle, &s.Position, &s.LastDate, &last)
	s.Created = time.Unix(created, 0)
	s.NextDue = time.Unix(due, 0)
	if last != 0 {
		s.LastSent = time.Unix(last, 0)
	}
	return s, err
}

// querier is what both the read pool and a transaction offer.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func getSubscription(ctx context.Context, q querier, where string, args ...any) (Subscription, bool, error) {
	s, err := scanSubscription(q.QueryRowContext(ctx, "SELECT "+subColumns+" FROM subscriptions WHERE "+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return Subscription{}, false, nil
	}
	return s, err == nil, err
}

// Subscription reads a conversation's subscription, active or not.
func (s *Store) Subscription(ctx context.Context, platform, conversation string) (Subscription, bool, error) {
	sub, ok, err := getSubscription(ctx, s.r, "platform = $1 AND conversation = $2", platform, conversation)
	if err != nil {
		return sub, false, fmt.Errorf("reading the digest subscription of %s %s: %w", platform, conversation, s.explain(err))
	}
	return sub, ok, nil
}

// SubscriptionByID reads one subscription, active or not.
func (s *Store) SubscriptionByID(ctx context.Context, id int64) (Subscription, bool, error) {
	sub, ok, err := getSubscription(ctx, s.r, "id = $1", id)
	if err != nil {
		return sub, false, fmt.Errorf("reading digest subscription %d: %w", id, s.explain(err))
	}
	return sub, ok, nil
}

// ActiveSubscriptions calls fn for every active subscription, in order of
// NextDue. It is for loading a scheduler at startup.
func (s *Store) ActiveSubscriptions(ctx context.Context, fn func(Subscription) error) error {
	rows, err := s.r.QueryContext(ctx, "SELECT "+subColumns+" FROM subscriptions WHERE active <> 0 ORDER BY next_due")
	if err != nil {
		return fmt.Errorf("listing digest subscriptions: %w", s.explain(err))
	}
	defer rows.Close()
	for rows.Next() {
		sub, err := scanSubscription(rows)
		if err != nil {
			return fmt.Errorf("listing digest subscriptions: %w", err)
		}
		if err := fn(sub); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("listing digest subscriptions: %w", s.explain(err))
	}
	return nil
}

// Subscription reads a conversation's subscription inside a transaction.
func (tx *Tx) Subscription(ctx context.Context, platform, conversation string) (Subscription, bool, error) {
	return getSubscription(ctx, tx.tx, "platform = $1 AND conversation = $2", platform, conversation)
}

// SubscriptionByID reads one subscription inside a transaction.
func (tx *Tx) SubscriptionByID(ctx context.Context, id int64) (Subscription, bool, error) {
	return getSubscription(ctx, tx.tx, "id = $1", id)
}

// SubscriptionsFrom lists the active subscriptions of one source.
func (tx *Tx) SubscriptionsFrom(ctx context.Context, source string) ([]Subscription, error) {
	rows, err := tx.tx.QueryContext(ctx, "SELECT "+subColumns+" FROM subscriptions WHERE active <> 0 AND source = $1", source)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Subscription
	for rows.Next() {
		sub, err := scanSubscription(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sub)
	}
	return out, rows.Err()
}

// PutSubscription inserts sub (ID 0) or replaces the row with its ID, and
// returns the ID.
func (tx *Tx) PutSubscription(ctx context.Context, sub Subscription) (int64, error) {
	if sub.Created.IsZero() {
		sub.Created = tx.now
	}
	var last int64
	if !sub.LastSent.IsZero() {
		last = sub.LastSent.Unix()
	}
	args := []any{sub.Platform, sub.Conversation, sub.Hour, sub.Minute, sub.Zone, sub.Passages, sub.Source,
		boolInt(sub.Active), sub.Created.Unix(), sub.NextDate, sub.NextDue.Unix(), sub.Seed, sub.Cycle, sub.Position,
		sub.LastDate, last}
	if sub.ID == 0 {
		var id int64
		err := tx.tx.QueryRowContext(ctx, `INSERT INTO subscriptions (platform, conversation, hour, minute, zone,
			passages, source, active, created, next_date, next_due, seed, cycle, position, last_date, last_sent)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`, args...).Scan(&id)
		if err != nil {
			return 0, fmt.Errorf("adding the digest subscription of %s %s: %w", sub.Platform, sub.Conversation, err)
		}
		return id, nil
	}
	res, err := tx.tx.ExecContext(ctx, `UPDATE subscriptions SET platform = $1, conversation = $2, hour = $3, minute = $4,
		zone = $5, passages = $6, source = $7, active = $8, created = $9, next_date = $10, next_due = $11, seed = $12, cycle = $13,
		position = $14, last_date = $15, last_sent = $16 WHERE id = $17`, append(args, sub.ID)...)
	if err != nil {
		return 0, fmt.Errorf("updating digest subscription %d: %w", sub.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return 0, fmt.Errorf("updating digest subscription %d: it does not exist (%d rows, %v)", sub.ID, n, err)
	}
	return sub.ID, nil
}
