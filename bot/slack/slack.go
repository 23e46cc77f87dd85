// Package slack is policybot's Slack adapter. It receives mentions, direct
// messages, slash commands and button clicks over Socket Mode and/or signed
// HTTP requests, hands them to the core as bot.Message values, and renders
// the core's bot.Reply as Block Kit. No slack-go type leaves this package.
package slack

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/policybot/policybot/bot"
	"github.com/policybot/policybot/bot/delivery"
	"github.com/policybot/policybot/bot/inbox"
)

// Inbox records the questions the adapter acknowledges until they are
// answered (bot/inbox implements it over the state file).
type Inbox interface {
	Accept(ctx context.Context, platform, key, message string) (bool, error)
	inbox.Owing
}

// Feedback records answers that carry 👍/👎 buttons and the votes on them
// (bot/insights implements it).
type Feedback interface {
	Answered(ctx context.Context, platform, ref string, m bot.Message, r bot.Reply) error
	Vote(ctx context.Context, platform, ref, user string, up bool) (bool, error)
	// Reason keeps what a person said was wrong with an answer they
	// voted down.
	Reason(ctx context.Context, platform, ref, user, text string) error
}

// Options configures an Adapter. Zero values take the defaults noted.
type Options struct {
	BotToken      string // xoxb-…, required
	AppToken      string // xapp-…: enables Socket Mode
	SigningSecret string // enables the HTTP endpoints
	APIURL        string // Web API base URL; default https://slack.com/api/

	Responder bot.Responder // required
	// PublicURL is where the statement page is; when set, citations link
	// to PublicURL + "/#pN".
	PublicURL string
	// Feedback, when set, puts 👍/👎 buttons under every answer and
	// records the clicks.
	Feedback Feedback
	// Inbox records each question before it is acknowledged, until it is
	// answered, and deduplicates redeliveries; default inbox.Memory, which
	// forgets on restart.
	Inbox  Inbox
	Logger *slog.Logger
	// HTTPClient talks to the Web API and response URLs; default a client
	// with a 15 s timeout.
	HTTPClient *http.Client

	Now   func() time.Time                                 // default time.Now
	Sleep func(ctx context.Context, d time.Duration) error // default a timer
	NewID func() string                                    // default 16 random hex digits

	// PostInterval paces posts to one channel; default 1 s.
	PostInterval time.Duration
	// PostLimiter bounds posts in flight; share one with the other
	// adapters to bound them across the process. Default: 16 for this
	// adapter alone.
	PostLimiter *delivery.Limiter
	// PostDeadline is how long a failing post is retried; default 2 min.
	PostDeadline time.Duration
	// AckBudget is how long a slash command may take before it is
	// acknowledged empty and answered through its response_url instead;
	// default 2 s (Slack allows 3).
	AckBudget time.Duration
	// PingInterval is how long Socket Mode waits for Slack's ping before it
	// reconnects; default 30 s.
	PingInterval time.Duration
	// DrainTimeout bounds the wait for answers in flight at shutdown;
	// default 10 s.
	DrainTimeout time.Duration

	// Hooks for metrics; nil means not counted.
	OnRateLimited func(retryAfter time.Duration)
	OnReconnect   func()
}

// Adapter is one Slack workspace connection. It is safe for concurrent
// use.
type Adapter struct {
	o      Options
	log    *slog.Logger
	api    *slackgo.Client
	send   *sender
	verify Verifier
	inbox  Inbox
	shares *shareCache
	// answers runs the answers to questions (answerLater).
	answers *delivery.Pool

	self atomic.Pointer[identity]

	mu       sync.Mutex
	notReady error // nil when ready

	// base outlives HTTP requests: answers to events are posted after the
	// request has been acknowledged.
	base    context.Context
	cancel  context.CancelFunc
	flights sync.WaitGroup
}

// New checks the options and builds an adapter; it does not connect.
func New(o Options) (*Adapter, error) {
	var problems []error
	if o.BotToken == "" {
		problems = append(problems, errors.New("slack: POLICYBOT_SLACK_BOT_TOKEN (slack.bot_token) is empty; copy the Bot User OAuth Token (xoxb-…) from the app's OAuth & Permissions page"))
	} else if !strings.HasPrefix(o.BotToken, "xoxb-") {
		problems = append(problems, errors.New("slack: POLICYBOT_SLACK_BOT_TOKEN (slack.bot_token) must be a bot token starting with xoxb-"))
	}
	if o.AppToken != "" && !strings.HasPrefix(o.AppToken, "xapp-") {
		problems = append(problems, errors.New("slack: POLICYBOT_SLACK_APP_TOKEN (slack.app_token) must be an app-level token starting with xapp- (Basic Information → App-Level Tokens, scope connections:write)"))
	}
	if o.AppToken == "" && o.SigningSecret == "" {
		problems = append(problems, errors.New("slack: set POLICYBOT_SLACK_APP_TOKEN for Socket Mode or POLICYBOT_SLACK_SIGNING_SECRET for HTTP request URLs (or both); with neither, Slack cannot reach the bot"))
	}
	if o.Responder == nil {
		problems = append(problems, errors.New("slack: no Responder (a bug in the caller)"))
	}
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = delivery.Sleep
	}
	if o.NewID == nil {
		o.NewID = randomID
	}
	if o.PostInterval == 0 {
		o.PostInterval = time.Second
	}
	if o.AckBudget == 0 {
		o.AckBudget = 2 * time.Second
	}
	if o.PingInterval == 0 {
		o.PingInterval = 30 * time.Second
	}
	if o.DrainTimeout == 0 {
		o.DrainTimeout = 10 * time.Second
	}
	if o.Inbox == nil {
		o.Inbox = inbox.Memory(inbox.Options{Now: o.Now})
	}
	opts := []slackgo.Option{slackgo.OptionHTTPClient(o.HTTPClient)}
	if o.APIURL != "" {
		u := o.APIURL
		if !strings.HasSuffix(u, "/") {
			u += "/"
		}
		opts = append(opts, slackgo.OptionAPIURL(u))
	}
	if o.AppToken != "" {
		opts = append(opts, slackgo.OptionAppLevelToken(o.AppToken))
	}
	api := slackgo.New(o.BotToken, opts...)
	log := o.Logger.With("platform", Platform)
	policy, err := delivery.New(delivery.Options{
		Classifier: delivery.ClassifierFunc(classify),
		Limiter:    o.PostLimiter,
		Pace:       o.PostInterval,
		Deadline:   o.PostDeadline,
		Now:        o.Now, Sleep: o.Sleep, Logger: log,
		OnRateLimited: o.OnRateLimited,
	})
	if err != nil {
		return nil, err
	}
	a := &Adapter{
		o:        o,
		log:      log,
		api:      api,
		verify:   Verifier{Secret: o.SigningSecret, Now: o.Now},
		inbox:    o.Inbox,
		shares:   newShareCache(o.Now),
		answers:  delivery.NewPool(answerWorkers),
		notReady: errors.New("slack: not connected yet"),
	}
	a.send = &sender{api: api, policy: policy, now: o.Now, log: log, self: a.identity}
	a.base, a.cancel = context.WithCancel(context.Background())
	return a, nil
}

// Name is the platform's name.
func (a *Adapter) Name() string { return Platform }

// Ready returns nil while the adapter can answer, else why it cannot.
func (a *Adapter) Ready() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.notReady
}

func (a *Adapter) setReady(err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.notReady = err
}

func (a *Adapter) identity() identity {
	if id := a.self.Load(); id != nil {
		return *id
	}
	return identity{}
}

// Run learns the bot's identity, then serves Socket Mode (when an app
// token is configured) until ctx ends. The HTTP endpoints work whether or
// not Run has been called; Run's end waits for answers in flight.
func (a *Adapter) Run(ctx context.Context) error {
	defer a.drain()
	// Ends the inbox watch before drain waits for it, however Run ends.
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	if err := a.authenticate(ctx); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		a.setReady(err)
		return err
	}
	a.flights.Add(1)
	go func() {
		defer a.flights.Done()
		a.recover(ctx)
	}()
	if a.o.AppToken == "" {
		a.setReady(nil)
		<-ctx.Done()
		return nil
	}
	return a.runSocketMode(ctx)
}

// authenticate calls auth.test until it succeeds, ctx ends, or Slack
// refuses the token for good.
func (a *Adapter) authenticate(ctx context.Context) error {
	wait := time.Second
	for {
		res, err := a.api.AuthTestContext(ctx)
		if err == nil {
			a.self.Store(&identity{UserID: res.UserID, BotID: res.BotID})
			a.log.Info("slack: authenticated", "team", res.Team, "bot_user", res.UserID)
			return nil
		}
		var se slackgo.SlackErrorResponse
		if errors.As(err, &se) {
			switch se.Err {
			case "invalid_auth", "not_authed", "token_revoked", "account_inactive", "token_expired":
				return fmt.Errorf("slack: auth.test refused POLICYBOT_SLACK_BOT_TOKEN (%s); reinstall the app and copy the current Bot User OAuth Token", se.Err)
			}
		}
		a.setReady(fmt.Errorf("slack: auth.test failed: %w", err))
		a.log.Warn("slack: auth.test failed; retrying", "reason", err, "in", wait)
		if err := a.o.Sleep(ctx, wait); err != nil {
			return err
		}
		wait = min(wait*2, time.Minute)
	}
}

// async runs f after the triggering request has been acknowledged.
func (a *Adapter) async(f func(ctx context.Context)) {
	a.flights.Add(1)
	go func() {
		defer a.flights.Done()
		f(a.base)
	}()
}

// drain waits for answers in flight, then cancels any that are stuck.
func (a *Adapter) drain() {
	done := make(chan struct{})
	go func() { a.flights.Wait(); close(done) }()
	t := time.NewTimer(a.o.DrainTimeout)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		a.log.Warn("slack: answers still in flight at shutdown; cancelling them")
	}
	a.cancel()
	<-done
}

func randomID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go ≥ 1.24)
	return hex.EncodeToString(b[:])
}
