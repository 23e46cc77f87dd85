// Package deliverytest holds the table of posting-policy cases that every
// adapter's Classifier must pass with its own platform's errors, and the
// fake clock they run on, so that Slack and Matrix cannot drift apart in
// what they retry.
package deliverytest

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/policybot/policybot/bot/delivery"
)

// Errors are one platform's examples of each kind of post failure, as its
// client library returns them.
type Errors struct {
	// Transient fails now but may not next time, and certainly posted
	// nothing (e.g. connection refused).
	Transient error
	// Ambiguous fails in a way that may have posted after all: an HTTP 5xx
	// or a connection reset after the request was sent.
	Ambiguous error
	// Permanent is refused for good (bad token, unknown conversation).
	Permanent []error
	// RateLimited is the platform asking to wait for wait.
	RateLimited func(wait time.Duration) error
}

// Clock is a fake clock: Sleep returns at once, advancing Now by the wait
// and recording it.
type Clock struct {
	mu     sync.Mutex
	t      time.Time
	sleeps []time.Duration
}

// NewClock starts a Clock at a fixed time.
func NewClock() *Clock { return &Clock{t: time.Unix(1_800_000_000, 0)} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Sleep advances the clock by d and records it; it fails only when ctx
// has ended.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.sleeps = append(c.sleeps, d)
		c.t = c.t.Add(d)
	}
	return ctx.Err()
}

// Sleeps are the waits so far.
func (c *Clock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// Run runs the policy cases against classifier c with the platform's
// example errors e.
func Run(t *testing.T, c delivery.Classifier, e Errors) {
	t.Helper()
	const conv = "conversation-7"
	type result struct {
		attempts []delivery.Attempt
		err      error
		sleeps   []time.Duration
		limited  []time.Duration
	}
	run := func(t *testing.T, script []error, mod func(*delivery.Options)) result {
		t.Helper()
		clock := NewClock()
		var r result
		o := delivery.Options{
			Classifier: c, Now: clock.Now, Sleep: clock.Sleep,
			OnRateLimited: func(d time.Duration) { r.limited = append(r.limited, d) },
		}
		if mod != nil {
			mod(&o)
		}
		p, err := delivery.New(o)
		if err != nil {
			t.Fatal(err)
		}
		r.err = p.Do(t.Context(), conv, func(_ context.Context, at delivery.Attempt) error {
			r.attempts = append(r.attempts, at)
			if i := len(r.attempts) - 1; i < len(script) {
				return script[i]
			}
			return script[len(script)-1] // the last answer repeats
		})
		r.sleeps = clock.Sleeps()
		return r
	}

	t.Run("transient failure then success posts once", func(t *testing.T) {
		r := run(t, []error{e.Transient, nil}, nil)
		if r.err != nil || len(r.attempts) != 2 {
			t.Fatalf("err %v after %d attempts, want success on the 2nd", r.err, len(r.attempts))
		}
		if r.attempts[1].Uncertain {
			t.Errorf("a failure that posted nothing made the retry uncertain")
		}
		if len(r.sleeps) != 1 || r.sleeps[0] != delivery.DefaultBackoff(1) {
			t.Errorf("waits %v, want one backoff of %v", r.sleeps, delivery.DefaultBackoff(1))
		}
	})

	t.Run("ambiguous failure makes the retry look first", func(t *testing.T) {
		r := run(t, []error{e.Ambiguous, e.RateLimited(time.Second), nil}, nil)
		if r.err != nil || len(r.attempts) != 3 {
			t.Fatalf("err %v after %d attempts, want success on the 3rd", r.err, len(r.attempts))
		}
		if !r.attempts[1].Uncertain || !r.attempts[2].Uncertain {
			t.Errorf("attempts %+v: every try after %v must know the post may be there already", r.attempts, e.Ambiguous)
		}
	})

	for _, perm := range e.Permanent {
		t.Run("permanent is not retried: "+perm.Error(), func(t *testing.T) {
			r := run(t, []error{perm, nil}, nil)
			// By text: some platform errors are not comparable.
			if r.err == nil || r.err.Error() != perm.Error() || len(r.attempts) != 1 || len(r.sleeps) != 0 {
				t.Fatalf("err %v after %d attempts and waits %v, want %v at once", r.err, len(r.attempts), r.sleeps, perm)
			}
		})
	}

	t.Run("rate limit waits as long as the platform said", func(t *testing.T) {
		r := run(t, []error{e.RateLimited(7 * time.Second), e.RateLimited(3 * time.Second), nil}, nil)
		if r.err != nil || len(r.attempts) != 3 {
			t.Fatalf("err %v after %d attempts", r.err, len(r.attempts))
		}
		if len(r.sleeps) != 2 || r.sleeps[0] != 7*time.Second || r.sleeps[1] != 3*time.Second {
			t.Errorf("waits %v, want [7s 3s]", r.sleeps)
		}
		if len(r.limited) != 2 || r.limited[0] != 7*time.Second {
			t.Errorf("OnRateLimited got %v, want [7s 3s]", r.limited)
		}
		if r.attempts[2].Uncertain {
			t.Errorf("a rate limit posted nothing, yet the retry was told to look for a copy")
		}
	})

	t.Run("rate limit with pacing holds the conversation", func(t *testing.T) {
		r := run(t, []error{e.RateLimited(5 * time.Second), nil}, func(o *delivery.Options) { o.Pace = time.Second })
		if r.err != nil || len(r.sleeps) != 1 || r.sleeps[0] != 5*time.Second {
			t.Fatalf("err %v, waits %v, want one wait of 5s", r.err, r.sleeps)
		}
	})

	t.Run("deadline reached names the reason", func(t *testing.T) {
		r := run(t, []error{e.Ambiguous}, func(o *delivery.Options) { o.Deadline = time.Minute })
		var gave *delivery.GaveUpError
		if !errors.As(r.err, &gave) || gave.Why != "deadline" || !errors.Is(r.err, e.Ambiguous) {
			t.Fatalf("err = %v, want a GaveUpError for the deadline around %v", r.err, e.Ambiguous)
		}
		if msg := r.err.Error(); !strings.Contains(msg, conv) || !strings.Contains(msg, "deadline") || !strings.Contains(msg, e.Ambiguous.Error()) {
			t.Errorf("error %q does not name the conversation, the deadline and the last failure", msg)
		}
		var waited time.Duration
		for _, d := range r.sleeps {
			waited += d
		}
		if waited > time.Minute || gave.Elapsed > time.Minute || len(r.attempts) < 3 {
			t.Errorf("%d attempts over %v (reported %v), want several within the 1m deadline", len(r.attempts), waited, gave.Elapsed)
		}
	})

	t.Run("a rate limit past the deadline gives up at once", func(t *testing.T) {
		r := run(t, []error{e.RateLimited(time.Hour)}, nil)
		var gave *delivery.GaveUpError
		if !errors.As(r.err, &gave) || len(r.attempts) != 1 || len(r.sleeps) != 0 {
			t.Fatalf("err %v after %d attempts and waits %v, want to give up without waiting an hour", r.err, len(r.attempts), r.sleeps)
		}
	})

	t.Run("attempts bounded", func(t *testing.T) {
		r := run(t, []error{e.Transient}, func(o *delivery.Options) { o.MaxAttempts = 3 })
		var gave *delivery.GaveUpError
		if !errors.As(r.err, &gave) || gave.Why != "attempts" || len(r.attempts) != 3 {
			t.Fatalf("err %v after %d attempts, want to give up after 3", r.err, len(r.attempts))
		}
	})
}
