// Package leader elects one replica, among those sharing a PostgreSQL
// database, to run the work only one process may do: Matrix sync (one
// device's encryption state cannot be shared by two syncing processes) and
// the digest scheduler.
//
// The leader holds a session-level advisory lock on a connection of its
// own. PostgreSQL releases the lock the moment that session ends, so a
// leader killed outright (SIGKILL, a crashed node) hands over as soon as
// the server sees its connection close; a leader cut off by the network
// is dropped by the server's TCP keepalives, which the elector sets for
// its session to about ten seconds. The leader checks its connection every
// second and stops its work at once when a check fails (within 3 s of
// losing it). A replica that finds the lock free without having heard a
// leader step down waits those 3 s before it starts anything, so that the
// old leader has stopped first, even when the server ended its session
// at once (a database failover, an administrator). Should a leader be
// paused for longer than that, the digest ledger and the platforms'
// idempotency absorb the overlap.
//
// A leader that shuts down unlocks and notifies the others, who are
// listening, so that one takes over at once rather than at its next try.
package leader

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/lib/pq"

	"github.com/policybot/policybot/bot/delivery"
)

// Key is the advisory lock that makes a replica the leader: the bytes of
// "policyld". Replicas of different bots on one database must use
// different databases.
const Key int64 = 0x706f6c696379_6c64

// channel is where a leader that steps down says so.
const channel = "policybot_leader"

// Options configures an Elector. Zero durations take the defaults.
type Options struct {
	// URL is the database's; the elector opens its own connection.
	URL string
	// Retry is how often a follower tries to take the lock (default 1s);
	// a leader stepping down wakes the followers before that.
	Retry time.Duration
	// Check is how often the leader checks its connection (default 1s),
	// each check bounded by CheckTimeout (default 2s).
	Check, CheckTimeout time.Duration
	// OnChange is told when this replica becomes the leader or stops
	// being it; may be nil.
	OnChange func(leader bool)
	Logger   *slog.Logger
}

// Elector campaigns for leadership and runs the leader's work while this
// replica holds it.
type Elector struct {
	opts Options
	log  *slog.Logger
	db   *sql.DB // the election's own sessions, one at a time

	mu     sync.Mutex
	leader bool
	since  time.Time
}

// New returns an elector; Run campaigns.
func New(opts Options) (*Elector, error) {
	if opts.URL == "" {
		return nil, errors.New("leader: no database to elect a leader with")
	}
	if opts.Retry <= 0 {
		opts.Retry = time.Second
	}
	if opts.Check <= 0 {
		opts.Check = time.Second
	}
	if opts.CheckTimeout <= 0 {
		opts.CheckTimeout = 2 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	cfg, err := pq.NewConfig(opts.URL)
	if err != nil {
		return nil, fmt.Errorf("leader: %w", err)
	}
	cfg.ApplicationName = "policybot leader election"
	// The server drops a leader it cannot reach after 5 s idle plus
	// three unanswered probes 2 s apart, and so frees the lock.
	if cfg.Runtime == nil {
		cfg.Runtime = map[string]string{}
	}
	for k, v := range map[string]string{"tcp_keepalives_idle": "5", "tcp_keepalives_interval": "2", "tcp_keepalives_count": "3"} {
		cfg.Runtime[k] = v
	}
	if cfg.ConnectTimeout == 0 || cfg.ConnectTimeout > 5*time.Second {
		cfg.ConnectTimeout = 5 * time.Second
	}
	connector, err := pq.NewConnectorConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("leader: %w", err)
	}
	db := sql.OpenDB(connector)
	// A session ends when its term does: no connection is kept idle, so
	// a term never inherits a session that may have lost the lock.
	db.SetMaxIdleConns(0)
	return &Elector{opts: opts, log: opts.Logger, db: db}, nil
}

// Leader reports whether this replica leads now, and since when.
func (e *Elector) Leader() (bool, time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.leader, e.since
}

func (e *Elector) set(leader bool) {
	e.mu.Lock()
	changed := e.leader != leader
	e.leader = leader
	if leader {
		e.since = time.Now()
	}
	e.mu.Unlock()
	if changed && e.opts.OnChange != nil {
		e.opts.OnChange(leader)
	}
}

// Run campaigns until ctx ends. Each time this replica wins, lead runs
// with a context that is cancelled the moment leadership may be lost (a
// failed check, a lost connection) or ctx ends; Run waits for lead to
// return before it campaigns again, and unlocks only then. lead must
// stop its work when its context ends. An error from lead ends Run with
// that error (after stepping down); lead returning nil before its context
// ends steps down and campaigns again.
func (e *Elector) Run(ctx context.Context, lead func(ctx context.Context) error) error {
	defer e.db.Close()
	// Followers hear a leader stepping down on a listening connection of
	// their own, which lib/pq keeps up.
	wake := pq.NewListener(e.opts.URL, 100*time.Millisecond, 2*time.Second, nil)
	defer wake.Close()
	if err := wake.Listen(channel); err != nil {
		e.log.Warn("leader election: cannot listen for leaders stepping down; followers will try every interval", "err", err, "interval", e.opts.Retry.String())
	}
	for ctx.Err() == nil {
		err := e.term(ctx, wake.Notify, lead)
		var failed leadFailed
		if errors.As(err, &failed) {
			return failed.err
		}
		if err != nil && ctx.Err() == nil {
			e.log.Warn("leader election: lost the database connection; trying again", "err", err, "in", e.opts.Retry.String())
			if delivery.Sleep(ctx, e.opts.Retry) != nil {
				break
			}
		}
	}
	return nil
}

// leadFailed is lead's own error, which ends Run.
type leadFailed struct{ err error }

func (l leadFailed) Error() string { return l.err.Error() }

// term connects, waits to win, leads, and steps down: one session's worth
// of campaigning.
func (e *Elector) term(ctx context.Context, wake <-chan *pq.Notification, lead func(ctx context.Context) error) error {
	conn, err := e.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close()
	handedOver := false // the lock was freed by a leader stepping down
	for {
		var won bool
		if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", Key).Scan(&won); err != nil {
			return err
		}
		if won {
			break
		}
		// Wait for a leader stepping down, or the next try.
		handedOver = false
		t := time.NewTimer(e.opts.Retry)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case n := <-wake:
			// lib/pq sends nil after it reconnects the listener: that
			// is no leader stepping down.
			handedOver = n != nil
		case <-t.C:
		}
		t.Stop()
	}
	if !handedOver {
		// The lock was free without a leader saying it stepped down: a
		// leader whose session the server ended (a failover, a cut
		// network) may not know yet. It finds out at its next check and
		// stops at once; wait until it must have, so that the two never
		// run Matrix sync or the digests at the same time.
		fence := e.opts.Check + e.opts.CheckTimeout
		e.log.Info("leader election: won the lock; waiting for any earlier leader to have stopped", "wait", fence.String())
		if err := delivery.Sleep(ctx, fence); err != nil {
			return err
		}
		if err := e.ping(ctx, conn); err != nil {
			return err
		}
	}
	return e.leadWhileHeld(ctx, conn, lead)
}

// ping checks the lock's session within the check timeout. A session
// behind a cut network may not answer at all, even to a cancelled query,
// so the wait is bounded here rather than by the driver.
func (e *Elector) ping(ctx context.Context, conn *sql.Conn) error {
	cctx, cancel := context.WithTimeout(ctx, e.opts.CheckTimeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- conn.PingContext(cctx) }()
	select {
	case err := <-done:
		return err
	case <-cctx.Done():
		return fmt.Errorf("no answer within %v", e.opts.CheckTimeout)
	}
}

// leadWhileHeld runs lead while conn, which holds the lock, stays healthy.
func (e *Elector) leadWhileHeld(ctx context.Context, conn *sql.Conn, lead func(ctx context.Context) error) error {
	lctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	e.set(true)
	e.log.Info("leader election: this replica is the leader; starting Matrix sync and digests")
	done := make(chan error, 1)
	go func() { done <- lead(lctx) }()

	t := time.NewTicker(e.opts.Check)
	defer t.Stop()
	var lost error
	var leadErr error
loop:
	for {
		select {
		case leadErr = <-done:
			break loop
		case <-ctx.Done():
			stop(ctx.Err())
			leadErr = <-done
			break loop
		case <-t.C:
			if err := e.ping(ctx, conn); err != nil && ctx.Err() == nil {
				lost = fmt.Errorf("the leader's database connection failed a check: %w", err)
				e.log.Error("leader election: lost the lock's connection; stopping Matrix sync and digests now", "err", err)
				stop(lost)
				leadErr = <-done
				break loop
			}
		}
	}
	e.set(false)
	if lost != nil {
		return lost
	}
	// Step down cleanly, so that another replica takes over at once.
	uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), e.opts.CheckTimeout)
	defer cancel()
	if _, err := conn.ExecContext(uctx, "SELECT pg_advisory_unlock($1)", Key); err == nil {
		conn.ExecContext(uctx, "NOTIFY "+channel)
		e.log.Info("leader election: stepped down")
	}
	if leadErr != nil && ctx.Err() == nil {
		return leadFailed{leadErr}
	}
	return nil
}
