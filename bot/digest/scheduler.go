// Package digest schedules and delivers daily quote digests: each
// subscribed conversation gets one digest per local calendar date at the
// time it chose, walking its own shuffled rotation of the statement's
// quotable paragraphs, exactly once even across crashes and restarts.
//
// Exactly once rests on the ledger in the state store (an intent is
// committed before a digest is sent and success after) and on the
// platform's help with uncertain deliveries: a Sender given retry=true
// must find out whether the earlier attempt was posted (see Sender).
package digest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/policybot/policybot/bot"
	"github.com/policybot/policybot/bot/delivery"
	"github.com/policybot/policybot/bot/store"
	"github.com/policybot/policybot/knowledge"
)

// Sender posts digests to one platform: the core's bot.DigestSender,
// which composes the message and hands it to the platform's adapter.
type Sender interface {
	// SendDigest posts d. d.Key is unique per subscription and local
	// date ("digest-<subscriptionID>-2026-11-26"); d.Retry is true when an
	// earlier attempt with this key may already have been posted, and
	// then the sender must not post a second copy (see
	// bot.DigestPoster).
	SendDigest(ctx context.Context, d bot.Digest) error
}

// readySender is a Sender that can tell whether it can post now
// (connected, and for Matrix synced). A lane holds its deliveries while
// its sender is not ready, so that digests due at start-up go out as soon
// as the platform is connected instead of failing and waiting for a retry.
type readySender interface {
	Ready() error
}

// readyPoll is how often a lane whose sender is not ready looks again.
const readyPoll = 500 * time.Millisecond

// Failpoint names, for crash tests only (see Options.Failpoint).
const (
	FailpointBeforeSend = "digest-before-send" // the intent is committed, nothing is sent yet
	FailpointAfterSend  = "digest-after-send"  // the platform accepted the digest, success is not recorded
)

// DefaultGrace is how late a missed digest may still be sent.
const DefaultGrace = 6 * time.Hour

// DefaultPace is the default minimum interval between two digests on one
// platform: five a second, 300 a minute. Each digest goes to a different
// conversation, so Slack's limit of about one message per second per
// channel is not the bound; its workspace-wide limit ("several hundred
// a minute") is, and the adapters wait out whatever a 429 or
// M_LIMIT_EXCEEDED asks on top. 10,000 digests due at once take about 35
// minutes, well within the grace period, while answers go first.
const DefaultPace = 200 * time.Millisecond

// Options configures a Scheduler. Zero values take the defaults noted.
type Options struct {
	Store  *store.Store
	Doc    *knowledge.Document
	Clock  Clock // default SystemClock
	Logger *slog.Logger
	Grace  time.Duration // default DefaultGrace
	// Pace is the minimum interval between two digests per platform;
	// default DefaultPace for a platform not listed. Negative: no pacing.
	Pace map[string]time.Duration
	// Workers sending per platform (default 4) and the length of each
	// platform's queue of due digests (default 64).
	Workers, Queue int
	// SendTimeout bounds one Deliver call (default 30s). A delivery that
	// has started is finished even on shutdown, within this bound.
	SendTimeout time.Duration
	// Seed returns the rotation seed of a new subscription; default
	// math/rand/v2.
	Seed func() int64
	// Shared says that replicas share the store (PostgreSQL). Then Run
	// reads the subscriptions every RefreshEvery, to see those other
	// replicas changed, and a digest whose latest attempt began less than
	// SendTimeout ago waits until that attempt must have ended: another
	// replica that led a moment before may be sending it.
	Shared bool

	// Metrics hooks, called after each attempt; may be nil. The workers
	// call them concurrently, so they must be safe for that.
	OnDelivered func(platform string)
	OnFailed    func(platform string, err error)

	// Failpoint is FOR CRASH TESTS ONLY: when set it is called with
	// FailpointBeforeSend and FailpointAfterSend at those points of every
	// delivery, so that a test binary can kill itself there. Leave nil.
	Failpoint func(name string)
}

// Scheduler implements bot.Subscriptions and delivers the digests.
type Scheduler struct {
	opts     Options
	clk      Clock
	log      *slog.Logger
	st       *store.Store
	doc      *knowledge.Document
	quotable []int // paragraph numbers
	// lanes holds one lane per registered platform. It is written only by
	// Register, before Run; subscriptions on other platforms are refused
	// (from chat) or wait (stored ones) until that platform is configured.
	lanes map[string]*lane

	mu      sync.Mutex
	running bool
}

var _ bot.Subscriptions = (*Scheduler)(nil)

// lane is one platform's queue, dispatcher and workers.
type lane struct {
	platform string
	sender   Sender
	pacer    *pacer
	work     chan int64
	wake     chan struct{}

	mu       sync.Mutex
	q        *queue
	inflight map[int64]bool // popped from q and not yet back
}

// poke wakes the dispatcher without blocking.
func (l *lane) poke() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// New builds a scheduler. It does not deliver anything until Run.
func New(opts Options) (*Scheduler, error) {
	if opts.Store == nil || opts.Doc == nil {
		return nil, errors.New("digest: a store and a statement are required")
	}
	if opts.Clock == nil {
		opts.Clock = SystemClock{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Grace <= 0 {
		opts.Grace = DefaultGrace
	}
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	if opts.Queue <= 0 {
		opts.Queue = 64
	}
	if opts.SendTimeout <= 0 {
		opts.SendTimeout = 30 * time.Second
	}
	if opts.Seed == nil {
		opts.Seed = rand.Int64
	}
	s := &Scheduler{opts: opts, clk: opts.Clock, log: opts.Logger, st: opts.Store, doc: opts.Doc, lanes: map[string]*lane{}}
	for _, p := range opts.Doc.Paragraphs {
		if p.Quotable() {
			s.quotable = append(s.quotable, p.Number)
		}
	}
	if len(s.quotable) == 0 {
		return nil, errors.New("digest: the statement has no quotable paragraphs")
	}
	return s, nil
}

// Register adds the platform that sender posts to. It is called after New
// (the senders are built from the core, which is built with the
// scheduler) and before Run.
func (s *Scheduler) Register(platform string, sender Sender) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.running:
		return fmt.Errorf("digest: platform %s registered after the scheduler started", platform)
	case sender == nil || platform == "":
		return fmt.Errorf("digest: platform %q registered without a sender", platform)
	case s.lanes[platform] != nil:
		return fmt.Errorf("digest: platform %s registered twice", platform)
	}
	pace, ok := s.opts.Pace[platform]
	if !ok {
		pace = DefaultPace
	}
	s.lanes[platform] = &lane{
		platform: platform, sender: sender,
		pacer: &pacer{clk: s.clk, interval: pace},
		work:  make(chan int64, s.opts.Queue), wake: make(chan struct{}, 1),
		q: newQueue(), inflight: map[int64]bool{},
	}
	return nil
}

// Delivers reports whether digests can be posted on a platform.
func (s *Scheduler) Delivers(platform string) bool {
	_, ok := s.lanes[platform]
	return ok
}

// Run loads the stored subscriptions and delivers digests until ctx is
// cancelled. Digests missed while the bot was down go out now if they are
// at most the grace period late (one per subscription: the latest date),
// else they are skipped with a log line.
func (s *Scheduler) Run(ctx context.Context) error {
	s.mu.Lock()
	s.running = true
	s.mu.Unlock()
	if err := s.st.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.PruneDeliveries(ctx, s.clk.Now().AddDate(0, 0, -40))
		return err
	}); err != nil {
		return fmt.Errorf("digest: %w", err)
	}
	waiting, err := s.load(ctx)
	if err != nil {
		return fmt.Errorf("digest: %w", err)
	}
	for p, n := range waiting {
		s.log.Warn("digest subscriptions wait for a platform that is not configured", "platform", p, "subscriptions", n)
	}
	var wg sync.WaitGroup
	if s.opts.Shared {
		wg.Go(func() { s.refresh(ctx) })
	}
	for _, l := range s.lanes {
		s.log.Info("digests scheduled", "platform", l.platform, "subscriptions", l.q.len(), "pace", l.pacer.interval)
		wg.Go(func() { s.dispatch(ctx, l) })
		for range s.opts.Workers {
			wg.Go(func() { s.work(ctx, l) })
		}
	}
	wg.Wait()
	return nil
}

// dispatch hands due subscriptions to the lane's workers, sleeping until
// the earliest is due. A full queue blocks only this lane's dispatcher.
func (s *Scheduler) dispatch(ctx context.Context, l *lane) {
	for {
		if !s.awaitSender(ctx, l) {
			return
		}
		l.mu.Lock()
		id, due, ok := l.q.peek()
		now := s.clk.Now()
		if ok && !due.After(now) {
			l.q.pop()
			l.inflight[id] = true
			l.mu.Unlock()
			select {
			case l.work <- id:
				continue
			case <-ctx.Done():
				return
			}
		}
		l.mu.Unlock()
		var timer <-chan time.Time
		if ok {
			// Nothing is due: the lane rests until its earliest digest.
			// Crash tests wait for this line as the sign that a restarted
			// bot has looked at its queue and found nothing left to send.
			s.log.Debug("digest: nothing due; waiting for the next digest", "platform", l.platform, "subscription", id, "due", due)
			timer = s.clk.After(due.Sub(now))
		}
		select {
		case <-timer:
		case <-l.wake:
		case <-ctx.Done():
			return
		}
	}
}

// awaitSender returns once the lane's sender can post, or false when ctx
// ends first. Senders that cannot tell are always ready.
func (s *Scheduler) awaitSender(ctx context.Context, l *lane) bool {
	r, ok := l.sender.(readySender)
	if !ok {
		return true
	}
	logged := false
	for {
		err := r.Ready()
		if err == nil {
			return true
		}
		if !logged {
			s.log.Debug("digest: waiting for the platform before sending", "platform", l.platform, "why", err)
			logged = true
		}
		if sleep(ctx, s.clk, readyPoll) != nil {
			return false
		}
	}
}

func (s *Scheduler) work(ctx context.Context, l *lane) {
	for {
		select {
		case id := <-l.work:
			s.deliver(ctx, l, id)
		case <-ctx.Done():
			return
		}
	}
}

// requeue puts a subscription back in its lane's queue at the time the
// store says it is next due, or at retryAt when that is set.
func (s *Scheduler) requeue(ctx context.Context, l *lane, id int64, retryAt time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.inflight, id)
	sub, ok, err := s.st.SubscriptionByID(ctx, id)
	switch {
	case err != nil:
		// It stays due in the store; try again in a minute.
		if ctx.Err() == nil {
			s.log.Error("digest: cannot read a subscription back; retrying in a minute", "subscription", id, "err", err)
		}
		retryAt = s.clk.Now().Add(time.Minute)
	case !ok || !sub.Active || sub.Platform != l.platform:
		return
	case retryAt.IsZero():
		retryAt = sub.NextDue
	}
	l.q.set(id, retryAt)
	if head, _, _ := l.q.peek(); head == id {
		l.poke()
	}
}

// RefreshEvery is how often a scheduler sharing its store with other
// replicas reads the subscriptions again (Options.Shared): a digest
// subscribed through another replica is scheduled within this.
const RefreshEvery = 10 * time.Second

// load schedules every active subscription as the store has it, and
// counts those of platforms not registered.
func (s *Scheduler) load(ctx context.Context) (map[string]int, error) {
	waiting := map[string]int{}
	err := s.st.ActiveSubscriptions(ctx, func(sub store.Subscription) error {
		if _, ok := s.lanes[sub.Platform]; !ok {
			waiting[sub.Platform]++
			return nil
		}
		s.schedule(sub)
		return nil
	})
	return waiting, err
}

// refresh loads the subscriptions every RefreshEvery until ctx ends.
func (s *Scheduler) refresh(ctx context.Context) {
	delivery.Every(ctx, RefreshEvery, func() {
		if _, err := s.load(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("digest: cannot read the subscriptions again; keeping the schedule as it was", "err", err)
		}
	})
}

// schedule puts a changed subscription in its lane's queue, unless a
// worker has it (the worker requeues it when done, reading it afresh).
func (s *Scheduler) schedule(sub store.Subscription) {
	l, ok := s.lanes[sub.Platform]
	if !ok {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.inflight[sub.ID] {
		return
	}
	if !sub.Active {
		l.q.remove(sub.ID)
		return
	}
	l.q.set(sub.ID, sub.NextDue)
	if head, _, _ := l.q.peek(); head == sub.ID {
		l.poke()
	}
}

func (s *Scheduler) failpoint(name string) {
	if s.opts.Failpoint != nil {
		s.opts.Failpoint(name)
	}
}

// Name names the scheduler among serve's services.
func (s *Scheduler) Name() string { return "digest" }
