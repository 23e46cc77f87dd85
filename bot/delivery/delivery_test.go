package delivery_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/policybot/policybot/bot/delivery"
	"github.com/policybot/policybot/bot/delivery/deliverytest"
)

// fakeErr is a platform error for the policy's own tests.
type fakeErr struct {
	name      string
	retry     bool
	ambiguous bool
	wait      time.Duration
}

func (e *fakeErr) Error() string { return e.name }

var fakeClassifier = delivery.ClassifierFunc(func(err error) delivery.Verdict {
	var f *fakeErr
	if !errors.As(err, &f) {
		return delivery.Verdict{}
	}
	return delivery.Verdict{Retry: f.retry, Ambiguous: f.ambiguous, Wait: f.wait, Limited: f.wait > 0}
})

var fakeErrors = deliverytest.Errors{
	Transient: &fakeErr{name: "refused", retry: true},
	Ambiguous: &fakeErr{name: "HTTP 502", retry: true, ambiguous: true},
	Permanent: []error{&fakeErr{name: "forbidden"}, errors.New("not a platform error")},
	RateLimited: func(d time.Duration) error {
		return &fakeErr{name: "slow down", retry: true, wait: d}
	},
}

func TestPolicy(t *testing.T) {
	deliverytest.Run(t, fakeClassifier, fakeErrors)
}

func TestNewNeedsClassifier(t *testing.T) {
	if _, err := delivery.New(delivery.Options{}); err == nil {
		t.Fatal("New without a Classifier succeeded")
	}
}

func TestPacedPerConversation(t *testing.T) {
	clock := deliverytest.NewClock()
	p, err := delivery.New(delivery.Options{Classifier: fakeClassifier, Pace: time.Second, Now: clock.Now, Sleep: clock.Sleep})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"C1", "C1", "C2", "C1"} {
		if err := p.Do(t.Context(), c, func(context.Context, delivery.Attempt) error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
	// C1's 2nd and 3rd posts wait a second each; C2 is not held up by C1.
	if got := clock.Sleeps(); len(got) != 2 || got[0] != time.Second || got[1] != time.Second {
		t.Fatalf("waits %v, want [1s 1s]", got)
	}
}

// TestConcurrencyBounded starts many more posts than the limit, all of
// which block, and waits until every post beyond the limit is queued: the
// number in flight, counted by the posts themselves, must then be the
// limit, and never more until all are done.
func TestConcurrencyBounded(t *testing.T) {
	const limit, posts = 4, 40
	lim := delivery.NewLimiter(limit)
	// Two policies sharing one limiter, as the adapters share it.
	var ps []*delivery.Policy
	for range 2 {
		p, err := delivery.New(delivery.Options{Classifier: fakeClassifier, Limiter: lim})
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	var inFlight, most atomic.Int64
	release := make(chan struct{})
	var wg sync.WaitGroup
	for i := range posts {
		wg.Go(func() {
			_ = ps[i%2].Do(t.Context(), "C", func(context.Context, delivery.Attempt) error {
				n := inFlight.Add(1)
				for {
					m := most.Load()
					if n <= m || most.CompareAndSwap(m, n) {
						break
					}
				}
				<-release
				inFlight.Add(-1)
				return nil
			})
		})
	}
	waitFor(t, "every post beyond the limit to queue", func() bool {
		return lim.Waiting() == posts-limit && inFlight.Load() == limit
	})
	if m := most.Load(); m != limit {
		t.Fatalf("%d posts were in flight at once, want %d", m, limit)
	}
	close(release)
	wg.Wait()
	if m := most.Load(); m != limit {
		t.Errorf("%d posts were in flight at once, limit %d", m, limit)
	}
	if lim.InFlight() != 0 || lim.Waiting() != 0 {
		t.Errorf("after all posts: %d in flight, %d waiting", lim.InFlight(), lim.Waiting())
	}
}

// TestShutdownReturnsPromptly cancels the context while posts are in
// flight, queued for the limiter, and waiting to retry on the wall clock:
// every Do must return the cancellation within a second.
func TestShutdownReturnsPromptly(t *testing.T) {
	lim := delivery.NewLimiter(1)
	p, err := delivery.New(delivery.Options{
		Classifier: fakeClassifier, Limiter: lim,
		Backoff: func(int) time.Duration { return time.Hour }, // real sleep, cut short by ctx
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	entered := make(chan struct{}, 1)
	done := make(chan error, 3)
	// In flight: blocks until ctx ends, as an HTTP request does.
	go func() {
		done <- p.Do(ctx, "C1", func(ctx context.Context, _ delivery.Attempt) error {
			entered <- struct{}{}
			<-ctx.Done()
			return ctx.Err()
		})
	}()
	<-entered
	// Queued behind it.
	go func() { done <- p.Do(ctx, "C2", func(context.Context, delivery.Attempt) error { return nil }) }()
	waitFor(t, "a post to queue", func() bool { return lim.Waiting() == 1 })
	// Waiting an hour to retry: fails at once, its own limiter aside.
	p2, err := delivery.New(delivery.Options{Classifier: fakeClassifier, Deadline: 2 * time.Hour, Backoff: func(int) time.Duration { return time.Hour }})
	if err != nil {
		t.Fatal(err)
	}
	failed := make(chan struct{})
	go func() {
		done <- p2.Do(ctx, "C3", func(context.Context, delivery.Attempt) error {
			close(failed)
			return fakeErrors.Transient
		})
	}()
	<-failed
	start := time.Now()
	cancel()
	for range 3 {
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Do returned %v, want the cancellation", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Do still running 5s after its context was cancelled")
		}
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("shutdown took %v", d)
	}
}

func TestSleepOn(t *testing.T) {
	fired := make(chan time.Time, 1)
	after := func(time.Duration) <-chan time.Time { return fired }
	fired <- time.Time{}
	if err := delivery.SleepOn(t.Context(), after, time.Hour); err != nil {
		t.Errorf("SleepOn with the clock fired: %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := delivery.SleepOn(ctx, after, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("SleepOn after cancel: %v", err)
	}
	if err := delivery.Sleep(ctx, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep(0) after cancel: %v", err)
	}
}

func TestDefaultBackoff(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want time.Duration
	}{{1, time.Second}, {2, 2 * time.Second}, {5, 16 * time.Second}, {6, 30 * time.Second}, {50, 30 * time.Second}} {
		if got := delivery.DefaultBackoff(tc.n); got != tc.want {
			t.Errorf("DefaultBackoff(%d) = %v, want %v", tc.n, got, tc.want)
		}
	}
}

// waitFor polls cond until it holds, failing after 5 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
