// Package matrix is policybot's Matrix adapter, built on mautrix-go: it
// logs in, syncs, accepts invitations, turns room messages into
// bot.Messages, and posts the core's replies as m.notice events, in
// end-to-end encrypted rooms too. No mautrix type leaves this package.
package matrix

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/crypto/cryptohelper"
	"maunium.net/go/mautrix/id"

	"github.com/policybot/policybot/bot"
	"github.com/policybot/policybot/bot/delivery"
	"github.com/policybot/policybot/bot/inbox"
)

// Inbox records the questions the adapter takes on until they are
// answered (bot/inbox implements it over the state file).
type Inbox interface {
	Accept(ctx context.Context, platform, key, message string) (bool, error)
	inbox.Owing
}

// Options configures an Adapter. Homeserver, UserID, Store, Responder and
// one of Password or AccessToken are required.
type Options struct {
	Homeserver string
	UserID     string
	// Password logs in once; the device ID and access token are then kept
	// in the state file so that restarts reuse the device.
	Password    string
	AccessToken string
	// AllowedInviters are user IDs and ":server" patterns whose invitations
	// are accepted; empty means users on the bot's own server.
	AllowedInviters []string
	// PickleKey encrypts the crypto keys in the state file. Without it
	// the bot cannot read or write end-to-end encrypted rooms.
	PickleKey string
	// DeviceName is shown to users in their device lists.
	DeviceName string
	// PublicURL is where the statement page is; when set, citations in
	// the HTML body link to PublicURL + "/#pN".
	PublicURL string
	// Feedback, when set, records 👍/👎 reactions to the bot's answers.
	Feedback Feedback
	// RecoveryKey unlocks the bot's cross-signing keys in secret storage,
	// so that a new device (or state file) is signed by the same identity.
	// The state file keeps the key it was created with; this is for when
	// that copy is lost.
	RecoveryKey string
	// ResetIdentity replaces a published cross-signing identity that
	// policybot has no working recovery key for with a new one (needs
	// Password). It does nothing when the identity is already its own.
	ResetIdentity bool
	// NoCrossSigning leaves the device unsigned and publishes no identity.
	// FOR TESTS ONLY: it shows what clients that exclude unverified
	// devices do with such a bot.
	NoCrossSigning bool
	// Console is where a newly created recovery key is printed, once
	// (default os.Stderr); it never goes to the logger.
	Console io.Writer

	Store     Store
	Responder bot.Responder
	// Inbox records each question before the sync that brought it is
	// taken as handled, until it is answered, and deduplicates events a
	// sync brings again; default inbox.Memory, which forgets on restart.
	Inbox  Inbox
	Logger *slog.Logger
	// HTTPClient talks to the homeserver; default has no overall timeout
	// because /sync long-polls.
	HTTPClient *http.Client
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Backoff is the wait before retry number n (from 1) after a failed
	// sync or send; default doubles from 1s to 30s.
	Backoff func(n int) time.Duration
	// Sleep waits for d or until ctx ends; tests replace it so they never
	// wait for the wall clock.
	Sleep func(ctx context.Context, d time.Duration) error
	// MaxSendAttempts bounds attempts per message (default 8).
	MaxSendAttempts int
	// PostLimiter bounds posts in flight; share one with the other
	// adapters to bound them across the process. Default: 16 for this
	// adapter alone.
	PostLimiter *delivery.Limiter
	// PostDeadline is how long a failing send is retried; default 2 min.
	PostDeadline time.Duration
}

// Adapter is one Matrix account connected to one homeserver.
type Adapter struct {
	// OnReconnect is called when sync succeeds again after failing.
	OnReconnect func()
	// OnRateLimited is called with the wait whenever the homeserver
	// answers M_LIMIT_EXCEEDED.
	OnRateLimited func(time.Duration)

	opts     Options
	log      *slog.Logger
	store    Store
	inbox    Inbox
	core     bot.Responder
	self     id.UserID
	inviters inviterPolicy
	now      func() time.Time
	backoff  func(int) time.Duration
	sleep    func(context.Context, time.Duration) error
	console  io.Writer // Options.Console

	// post is the posting policy replies and digests are sent under. Its
	// retries leave readiness alone: a reply that is rate limited says
	// nothing about whether the bot is connected; only sync does.
	post *delivery.Policy

	cli    *mautrix.Client
	syncer *syncer
	crypto *cryptohelper.CryptoHelper
	name   addressee

	mu       sync.Mutex
	ready    error // nil once synced and while syncing works
	failures int   // consecutive failed syncs
	cutoffMS int64
	joinedAt map[id.RoomID]int64
	direct   map[id.RoomID]bool
	warned   map[id.RoomID]bool // rooms told about missing encryption support

	work sync.WaitGroup // replies in flight
	// answers runs the answers to questions, at most answerWorkers at
	// once (answerLater).
	answers *delivery.Pool
	ctx     context.Context // Run's, for waits inside mautrix callbacks
}

// New checks the options and builds an adapter; it does not connect.
func New(opts Options) (*Adapter, error) {
	var problems []error
	if opts.Homeserver == "" {
		problems = append(problems, errors.New("matrix: homeserver URL is empty; set POLICYBOT_MATRIX_HOMESERVER, e.g. https://matrix.example.org"))
	}
	self := id.UserID(opts.UserID)
	if _, _, err := self.Parse(); err != nil || opts.UserID == "" {
		problems = append(problems, fmt.Errorf("matrix: user %q is not a full user ID; set POLICYBOT_MATRIX_USER, e.g. @policybot:example.org", opts.UserID))
	}
	if opts.Password == "" && opts.AccessToken == "" {
		problems = append(problems, errors.New("matrix: no credentials; set POLICYBOT_MATRIX_PASSWORD or POLICYBOT_MATRIX_ACCESS_TOKEN"))
	}
	if opts.Store == nil || opts.Responder == nil {
		problems = append(problems, errors.New("matrix: internal: Store and Responder are required"))
	}
	inv, err := parseInviters(opts.AllowedInviters, self)
	if err != nil && len(problems) == 0 {
		problems = append(problems, err)
	}
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	a := &Adapter{
		opts:     opts,
		log:      opts.Logger,
		store:    opts.Store,
		core:     opts.Responder,
		self:     self,
		inviters: inv,
		now:      opts.Now,
		backoff:  opts.Backoff,
		sleep:    opts.Sleep,
		ready:    errors.New("matrix: not yet synced with the homeserver"),
		joinedAt: map[id.RoomID]int64{},
		direct:   map[id.RoomID]bool{},
		warned:   map[id.RoomID]bool{},
		answers:  delivery.NewPool(answerWorkers),
		name:     addressee{user: self},
		console:  opts.Console,
	}
	if a.console == nil {
		a.console = os.Stderr
	}
	if a.log == nil {
		a.log = slog.Default()
	}
	if a.now == nil {
		a.now = time.Now
	}
	a.inbox = opts.Inbox
	if a.inbox == nil {
		a.inbox = inbox.Memory(inbox.Options{Now: a.now})
	}
	if a.backoff == nil {
		a.backoff = defaultBackoff
	}
	if a.sleep == nil {
		a.sleep = delivery.Sleep
	}
	if a.opts.MaxSendAttempts <= 0 {
		a.opts.MaxSendAttempts = 8
	}
	a.post, err = delivery.New(delivery.Options{
		Classifier:  delivery.ClassifierFunc(classify),
		Limiter:     opts.PostLimiter,
		Deadline:    opts.PostDeadline,
		MaxAttempts: a.opts.MaxSendAttempts,
		Backoff:     a.backoff,
		Now:         a.now,
		Sleep:       a.sleep,
		Logger:      a.log,
		// Read when called: the hook is set after New.
		OnRateLimited: func(d time.Duration) {
			if a.OnRateLimited != nil {
				a.OnRateLimited(d)
			}
		},
	})
	if err != nil {
		return nil, err
	}
	if a.opts.DeviceName == "" {
		a.opts.DeviceName = "policybot"
	}
	return a, nil
}

// Exclusive says that only one process may run the adapter for an
// account: a Matrix device's encryption state (one-time keys, Olm and
// Megolm sessions, the sync token) cannot be shared by two syncing
// processes. Among replicas, only the leader runs it.
func (a *Adapter) Exclusive() bool { return true }

// Name is the platform name used in messages, subscriptions and metrics.
func (a *Adapter) Name() string { return Conventions().Name }

// Ready returns nil while the adapter is synced with the homeserver.
func (a *Adapter) Ready() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.ready
}

// Run logs in, sets up encryption and syncs until ctx ends. Failed syncs
// are retried with backoff; only errors no retry can fix (bad
// credentials, an unreadable state file) end it early.
func (a *Adapter) Run(ctx context.Context) error {
	a.mu.Lock()
	a.ctx = ctx
	a.mu.Unlock()
	if err := a.connect(ctx); err != nil {
		return err
	}
	defer a.closeCrypto()
	a.log.Info("matrix: syncing", "user", a.self, "device", a.cli.DeviceID, "homeserver", a.opts.Homeserver, "encryption", a.crypto != nil)
	a.recover(ctx)
	var err error
	for n := 1; ; n++ {
		err = a.cli.SyncWithContext(ctx)
		if ctx.Err() != nil || !errors.Is(err, errNotRecorded) {
			break
		}
		a.setNotReady(err)
		wait := a.backoff(n)
		a.log.Warn("matrix: syncing again from the last sync token saved", "in", wait, "err", err)
		if a.sleep(ctx, wait) != nil {
			break
		}
	}
	a.work.Wait()
	if ctx.Err() != nil {
		return nil
	}
	return fmt.Errorf("matrix: sync with %s stopped: %w", a.opts.Homeserver, err)
}

// defaultBackoff is the posting policy's, for sync too.
func defaultBackoff(n int) time.Duration { return delivery.DefaultBackoff(n) }

func (a *Adapter) runCtx() context.Context {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.ctx == nil {
		return context.Background()
	}
	return a.ctx
}
