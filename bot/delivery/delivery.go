// Package delivery is the one posting policy every chat adapter uses: how
// many posts may be in flight at once, how fast one conversation may be
// posted to, and which failures are tried again, for how long. The
// adapters bring only their platform's knowledge, through Classifier, and
// the post itself.
package delivery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Verdict is a platform's reading of one failed post.
type Verdict struct {
	// Retry is true when the same post may succeed if tried again.
	Retry bool
	// Wait is how long the platform asked to wait before trying again
	// (Slack's Retry-After, Matrix's retry_after_ms); 0 means it did not
	// say, and the policy backs off.
	Wait time.Duration
	// Limited says the platform refused because of the posting rate, so
	// nothing was posted. The wait is reported to OnRateLimited.
	Limited bool
	// Ambiguous says the post may have reached the platform although it
	// failed (a 5xx, a connection reset or a timeout after the request
	// was sent): the next attempt must first look for the earlier copy.
	Ambiguous bool
}

// Classifier is the platform knowledge the policy needs.
type Classifier interface {
	Classify(err error) Verdict
}

// ClassifierFunc lets a plain function be a Classifier.
type ClassifierFunc func(err error) Verdict

// Classify calls f.
func (f ClassifierFunc) Classify(err error) Verdict { return f(err) }

// Attempt tells a post function which try this is.
type Attempt struct {
	N int // 1 for the first try
	// Uncertain is true when an earlier try of this post failed in a way
	// that may have posted it after all (Verdict.Ambiguous). A post
	// function that can look for its earlier copy should, before it posts
	// again.
	Uncertain bool
}

// Options configures a Policy. Zero values take the defaults noted.
type Options struct {
	// Classifier reads the platform's errors; required.
	Classifier Classifier
	// Limiter bounds posts in flight; share one between policies to bound
	// them across the process. Default: a Limiter of DefaultLimit for this
	// policy alone.
	Limiter *Limiter
	// Pace is the least time between two posts to one conversation; 0
	// means no pacing.
	Pace time.Duration
	// Deadline is how long one post is retried, counted from its first
	// try; default DefaultDeadline.
	Deadline time.Duration
	// MaxAttempts bounds the tries of one post; 0 means until Deadline.
	MaxAttempts int
	// Backoff is the wait after failed try number n (from 1) when the
	// platform named none; default doubles from 1 s to 30 s.
	Backoff func(n int) time.Duration
	Now     func() time.Time                                 // default time.Now
	Sleep   func(ctx context.Context, d time.Duration) error // default Sleep
	Logger  *slog.Logger                                     // default discards
	// OnRateLimited, when set, is told every wait a rate limit causes.
	OnRateLimited func(wait time.Duration)
}

// Defaults, also documented in README.md.
const (
	DefaultLimit    = 16
	DefaultDeadline = 2 * time.Minute
	maxBackoff      = 30 * time.Second
)

// DefaultBackoff waits 1 s after the first failure, doubling to 30 s.
func DefaultBackoff(n int) time.Duration {
	d := time.Second
	for i := 1; i < n && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}

// Policy runs posts under the options' limits. It is safe for concurrent
// use.
type Policy struct {
	o     Options
	pacer pacer
}

// New checks the options and builds a Policy.
func New(o Options) (*Policy, error) {
	if o.Classifier == nil {
		return nil, errors.New("delivery: no Classifier (a bug in the adapter)")
	}
	if o.Limiter == nil {
		o.Limiter = NewLimiter(DefaultLimit)
	}
	if o.Deadline <= 0 {
		o.Deadline = DefaultDeadline
	}
	if o.Backoff == nil {
		o.Backoff = DefaultBackoff
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = Sleep
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Policy{o: o, pacer: pacer{interval: o.Pace, next: map[string]time.Time{}}}, nil
}

// GaveUpError is what Do returns when a post that was worth retrying ran
// out of time or attempts. It unwraps to the last failure.
type GaveUpError struct {
	Conversation string
	Attempts     int
	Elapsed      time.Duration
	Why          string // "deadline" or "attempts"
	Err          error
}

func (e *GaveUpError) Error() string {
	limit := "the retry deadline passed"
	if e.Why == "attempts" {
		limit = "no attempts left"
	}
	return fmt.Sprintf("gave up posting to %s after %d attempts in %v (%s): %v", e.Conversation, e.Attempts, e.Elapsed.Round(time.Millisecond), limit, e.Err)
}

func (e *GaveUpError) Unwrap() error { return e.Err }

// Do runs post for conversation until it succeeds, fails for good, runs
// out of time or attempts, or ctx ends. Each try waits for the
// conversation's pace and a free slot in the limiter; the slot is held
// only while post runs, never while waiting to retry, so one slow
// conversation cannot starve the others. The error is post's last, or a
// *GaveUpError around it; the caller logs it once.
func (p *Policy) Do(ctx context.Context, conversation string, post func(ctx context.Context, at Attempt) error) error {
	start := p.o.Now()
	deadline := start.Add(p.o.Deadline)
	at := Attempt{N: 1}
	for ; ; at.N++ {
		if err := p.wait(ctx, p.pacer.slot(conversation, p.o.Now())); err != nil {
			return err
		}
		if err := p.o.Limiter.acquire(ctx); err != nil {
			return err
		}
		err := post(ctx, at)
		p.o.Limiter.release()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return err
		}
		v := p.o.Classifier.Classify(err)
		if !v.Retry {
			return err
		}
		at.Uncertain = at.Uncertain || v.Ambiguous
		wait := v.Wait
		if wait <= 0 {
			wait = p.o.Backoff(at.N)
		}
		now := p.o.Now()
		giveUp := ""
		switch {
		case p.o.MaxAttempts > 0 && at.N >= p.o.MaxAttempts:
			giveUp = "attempts"
		case now.Add(wait).After(deadline):
			giveUp = "deadline"
		}
		if giveUp != "" {
			return &GaveUpError{Conversation: conversation, Attempts: at.N, Elapsed: now.Sub(start), Why: giveUp, Err: err}
		}
		if v.Limited {
			if p.o.OnRateLimited != nil {
				p.o.OnRateLimited(wait)
			}
			p.o.Logger.Debug("delivery: rate limited; waiting", "conversation", conversation, "attempt", at.N, "in", wait)
			if p.o.Pace > 0 {
				// The platform asked for quiet: hold the whole paced
				// conversation, not just this post.
				p.pacer.holdOff(conversation, now.Add(wait))
				continue
			}
		} else {
			p.o.Logger.Warn("delivery: post failed; will retry", "conversation", conversation, "attempt", at.N, "in", wait, "may_have_posted", v.Ambiguous, "reason", err)
		}
		if err := p.wait(ctx, wait); err != nil {
			return err
		}
	}
}

// wait sleeps d, if there is anything to wait for.
func (p *Policy) wait(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	return p.o.Sleep(ctx, d)
}

// pacer spaces out posts per conversation.
type pacer struct {
	interval time.Duration
	mu       sync.Mutex
	next     map[string]time.Time // conversation → earliest time of its next post
}

// pacerForget is the size past which conversations that are free again
// are forgotten, so the map stays small.
const pacerForget = 10000

// slot reserves the conversation's next posting time and returns how long
// to wait for it.
func (p *pacer) slot(conversation string, now time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.next) > pacerForget {
		for c, t := range p.next {
			if !t.After(now) {
				delete(p.next, c)
			}
		}
	}
	if p.interval <= 0 {
		return 0
	}
	at := now
	if t, ok := p.next[conversation]; ok && t.After(now) {
		at = t
	}
	p.next[conversation] = at.Add(p.interval)
	return at.Sub(now)
}

// holdOff keeps a conversation quiet until t.
func (p *pacer) holdOff(conversation string, t time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if t.After(p.next[conversation]) {
		p.next[conversation] = t
	}
}

// Sleep waits for d or until ctx ends, on the wall clock. It is the sleep
// every package uses unless a test gives it another.
func Sleep(ctx context.Context, d time.Duration) error {
	return SleepOn(ctx, time.After, d)
}

// Every calls f every d, on the wall clock, until ctx ends; the first
// call is d from now. It is the loop of the bot's periodic chores
// (renewing inbox claims, looking for questions left owed, reading
// subscriptions other replicas changed).
func Every(ctx context.Context, d time.Duration, f func()) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			f()
		}
	}
}

// SleepOn is Sleep on another clock's After.
func SleepOn(ctx context.Context, after func(time.Duration) <-chan time.Time, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	select {
	case <-after(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
