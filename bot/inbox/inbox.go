// Package inbox keeps the bot's promise to answer what it acknowledged.
//
// A platform that is told a message was received does not send it again:
// Slack drops an acknowledged event for good, and a Matrix sync token once
// saved never returns the events before it. So before an adapter
// acknowledges a message it records it here, durably (the write is flushed
// to disk), and after the reply is posted it settles it. On start, what
// was acknowledged and never settled is answered then, if it is recent
// enough to still be wanted.
//
// Recording is one fsynced transaction, shared under load: while one is
// being committed the messages that arrive wait and go together in the
// next (group commit), so acknowledgements stay within milliseconds at a
// thousand messages a second.
//
// The same record deduplicates: a message recorded before is reported as
// not new, whether its answer is done or still under way.
package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/policybot/policybot/bot/delivery"
	"github.com/policybot/policybot/bot/store"
)

// Store is the durable state the inbox needs; *store.Store implements it.
type Store interface {
	AcceptInbox(ctx context.Context, entries []store.InboxEntry) ([]bool, error)
	SettleInbox(ctx context.Context, platform, key, outcome string) error
	ClaimInbox(ctx context.Context, platform, owner string, now, lease time.Time, claim store.InboxClaim) ([]store.InboxEntry, error)
	RenewInbox(ctx context.Context, owner string, lease time.Time) error
}

// Outcomes of a settled message.
const (
	Answered = store.InboxAnswered // posted, or nothing to post
	Expired  = store.InboxExpired  // owed longer than MaxAge at a restart
	Failed   = store.InboxFailed   // posting failed for good
)

// Defaults for Options.
const (
	// DefaultMaxAge bounds how old an unanswered message may be for the
	// bot to answer it after a restart: an hour later, a reply to a chat
	// question is more confusing than helpful.
	DefaultMaxAge = time.Hour
	// DefaultMaxAttempts bounds how often one message is tried again
	// after restarts, so that a message that kills the process cannot
	// keep it from starting.
	DefaultMaxAttempts = 3
	// DefaultLease is how long a replica holds the messages it took on
	// without renewing the hold (Keep renews it at a third of that). A
	// replica that dies leaves its messages to the others this long.
	DefaultLease = 30 * time.Second
	// maxBatch bounds the messages recorded in one transaction.
	maxBatch = 256
)

// Options configures an Inbox. Zero values take the defaults.
type Options struct {
	MaxAge      time.Duration
	MaxAttempts int
	// Owner names this process among replicas sharing one database; ""
	// for the only process on a state file, which owns every message
	// (so that after a restart it answers what it owed at once).
	Owner string
	// Lease is how long Owner holds a message it took on, renewed by
	// Keep while it runs.
	Lease time.Duration
	// OnDuplicate, when set, is told of each message that was recorded
	// already: a redelivery, or the same event at another replica.
	OnDuplicate func(platform string)
	Now         func() time.Time
	Logger      *slog.Logger
}

// Inbox records received messages and what became of them. It is safe for
// concurrent use.
type Inbox struct {
	st   Store
	opts Options
	log  *slog.Logger

	mu         sync.Mutex
	queue      []*request
	committing bool
}

// request is one Accept waiting for its transaction.
type request struct {
	entry store.InboxEntry
	fresh bool
	err   error
	done  chan struct{}
	// lead tells the request's goroutine to commit the next batch.
	lead chan struct{}
}

// New returns an inbox over st.
func New(st Store, opts Options) *Inbox {
	if opts.MaxAge <= 0 {
		opts.MaxAge = DefaultMaxAge
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = DefaultMaxAttempts
	}
	if opts.Lease <= 0 {
		opts.Lease = DefaultLease
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Inbox{st: st, opts: opts, log: opts.Logger}
}

// Accept records a received message durably and reports whether it is new.
// message is whatever the adapter needs to answer it again after a crash.
// Acknowledge the message to the platform only after Accept returns nil:
// an error means nothing is promised, and the platform should send the
// message again (Slack redelivers an event answered with an error; an
// unsaved Matrix sync token brings the events back).
//
// Accept waits for its transaction even when ctx ends, so that its answer
// is always the truth about what was recorded.
func (in *Inbox) Accept(ctx context.Context, platform, key, message string) (bool, error) {
	if platform == "" || key == "" {
		return false, errors.New("inbox: a message needs a platform and a key")
	}
	r := &request{
		entry: in.entry(platform, key, message),
		done:  make(chan struct{}), lead: make(chan struct{}, 1),
	}
	in.mu.Lock()
	in.queue = append(in.queue, r)
	if !in.committing {
		in.committing = true
		r.lead <- struct{}{}
	}
	in.mu.Unlock()
	for {
		select {
		case <-r.done:
			if r.err == nil && !r.fresh && in.opts.OnDuplicate != nil {
				in.opts.OnDuplicate(platform)
			}
			return r.fresh, r.err
		case <-r.lead:
			in.commit(context.WithoutCancel(ctx))
		}
	}
}

// entry is a message received now, held by this process.
func (in *Inbox) entry(platform, key, message string) store.InboxEntry {
	now := in.opts.Now()
	return store.InboxEntry{Platform: platform, Key: key, Message: message, Received: now,
		Owner: in.opts.Owner, Lease: now.Add(in.opts.Lease)}
}

// commit records the head of the queue, at most maxBatch, in one
// transaction and hands the next batch to the request now at the head.
// The goroutine that commits is always that of the first request in its
// batch, so nobody waits for a batch they are not in.
func (in *Inbox) commit(ctx context.Context) {
	in.mu.Lock()
	n := min(len(in.queue), maxBatch)
	batch := make([]*request, n)
	copy(batch, in.queue)
	in.queue = append(in.queue[:0], in.queue[n:]...)
	in.mu.Unlock()

	entries := make([]store.InboxEntry, n)
	for i, r := range batch {
		entries[i] = r.entry
	}
	fresh, err := in.st.AcceptInbox(ctx, entries)
	in.mu.Lock()
	if err != nil {
		// Whatever queued meanwhile would wait for the same lock or
		// disk again, one busy timeout after another: it fails now too,
		// and its platform sends it again.
		batch = append(batch, in.queue...)
		in.queue = in.queue[:0]
	}
	if len(in.queue) > 0 {
		in.queue[0].lead <- struct{}{}
	} else {
		in.committing = false
	}
	in.mu.Unlock()
	for i, r := range batch {
		if err != nil {
			r.err = fmt.Errorf("inbox: %w", err)
		} else {
			r.fresh = fresh[i]
		}
		close(r.done)
	}
}

// Settle records that a message was answered, or that there was nothing to
// post, or that posting failed for good (outcome store.InboxFailed).
func (in *Inbox) Settle(ctx context.Context, platform, key, outcome string) error {
	return in.st.SettleInbox(context.WithoutCancel(ctx), platform, key, outcome)
}

// Owed is a message acknowledged before a restart and never answered.
type Owed struct {
	Key     string
	Message string
	// Received is when it was recorded; Attempts how often it was tried
	// before, this one excluded.
	Received time.Time
	Attempts int
}

// Claim says which owed messages Owed takes on.
type Claim = store.InboxClaim

const (
	// Abandoned are the messages this process holds and those whose
	// holder stopped renewing its hold: what a restart answers.
	Abandoned = store.ClaimOwnAndLapsed
	// Lapsed are only those whose holder stopped renewing its hold: what
	// a replica answers from time to time, while it answers its own.
	Lapsed = store.ClaimLapsed
	// Everything is every owed message: for a singleton (Matrix sync)
	// that has just taken over from a leader that stopped.
	Everything = store.ClaimAll
)

// Owed takes on the platform's messages owed an answer (which, says
// claim) that are recent enough to answer now, and returns them oldest
// first, each counted as tried once more. Older ones, and ones tried
// MaxAttempts times, are settled as expired or failed with a log line
// each, and not returned.
func (in *Inbox) Owed(ctx context.Context, platform string, claim Claim) ([]Owed, error) {
	now := in.opts.Now()
	entries, err := in.st.ClaimInbox(ctx, platform, in.opts.Owner, now, now.Add(in.opts.Lease), claim)
	if err != nil {
		return nil, fmt.Errorf("inbox: %w", err)
	}
	var out []Owed
	for _, e := range entries {
		age := now.Sub(e.Received)
		switch {
		case age > in.opts.MaxAge:
			in.log.Warn("inbox: a message acknowledged before the restart is too old to answer now; it stays unanswered",
				"platform", platform, "message", e.Key, "age", age.Round(time.Second).String(), "max_age", in.opts.MaxAge.String())
			if err := in.st.SettleInbox(ctx, platform, e.Key, store.InboxExpired); err != nil {
				return nil, fmt.Errorf("inbox: %w", err)
			}
			continue
		case e.Attempts >= in.opts.MaxAttempts:
			in.log.Error("inbox: a message was tried before each of the last restarts and never answered; giving up on it",
				"platform", platform, "message", e.Key, "attempts", e.Attempts)
			if err := in.st.SettleInbox(ctx, platform, e.Key, store.InboxFailed); err != nil {
				return nil, fmt.Errorf("inbox: %w", err)
			}
			continue
		}
		out = append(out, Owed{Key: e.Key, Message: e.Message, Received: e.Received, Attempts: e.Attempts})
	}
	return out, nil
}

// Shared reports whether replicas share the inbox (Options.Owner is set):
// then messages a replica left owed are found by the others, with Watch.
func (in *Inbox) Shared() bool { return in.opts.Owner != "" }

// Keep renews this replica's hold on the messages it is answering until
// ctx ends, so that no other replica takes them over while it lives. It
// returns at once for an inbox that is not shared.
func (in *Inbox) Keep(ctx context.Context) {
	if !in.Shared() {
		return
	}
	delivery.Every(ctx, in.opts.Lease/3, func() {
		if err := in.st.RenewInbox(ctx, in.opts.Owner, in.opts.Now().Add(in.opts.Lease)); err != nil && ctx.Err() == nil {
			in.log.Warn("inbox: cannot renew the hold on messages being answered; another replica may answer them too once it lapses", "err", err, "lease", in.opts.Lease.String())
		}
	})
}

// Owing is the part of an inbox that Resume and Watch need.
type Owing interface {
	Owed(ctx context.Context, platform string, claim Claim) ([]Owed, error)
	Settle(ctx context.Context, platform, key, outcome string) error
	Shared() bool
}

// Watch is Resume (Abandoned) now and, when replicas share the inbox,
// Resume (Lapsed) every watchEvery until ctx ends: the messages a replica
// that died took on are answered by another once its hold lapses, and
// never those this replica is answering.
func Watch[T any](ctx context.Context, in Owing, platform string, log *slog.Logger, answer func(q *T, o Owed)) {
	Resume(ctx, in, platform, Abandoned, log, answer)
	if !in.Shared() {
		return
	}
	delivery.Every(ctx, watchEvery, func() { Resume(ctx, in, platform, Lapsed, log, answer) })
}

// watchEvery is how often Watch looks for messages left owed: a third of
// the default lease, so one is picked up at most 40 s after its holder died.
const watchEvery = DefaultLease / 3

// Resume hands each message owed on platform (which, says claim) to
// answer, decoded into a T from the JSON record the adapter gave Accept.
// A record that does not decode is settled as failed, with a log line;
// so is the whole lot not read when the inbox cannot be.
func Resume[T any](ctx context.Context, in Owing, platform string, claim Claim, log *slog.Logger, answer func(q *T, o Owed)) {
	owed, err := in.Owed(ctx, platform, claim)
	if err != nil {
		log.Error("inbox: cannot read the messages owed an answer; those received before the restart may stay unanswered", "platform", platform, "err", err)
		return
	}
	for _, o := range owed {
		q := new(T)
		if err := json.Unmarshal([]byte(o.Message), q); err != nil {
			log.Error("inbox: unreadable entry; not answering it", "platform", platform, "key", o.Key, "err", err)
			_ = in.Settle(ctx, platform, o.Key, Failed)
			continue
		}
		answer(q, o)
	}
}
