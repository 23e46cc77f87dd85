package digest

import (
	"context"
	"sync"
	"time"

	"github.com/policybot/policybot/bot/delivery"
)

// Clock is the scheduler's source of time, injected so that tests run
// days of schedule without waiting.
type Clock interface {
	Now() time.Time
	// After delivers the time once d has passed.
	After(d time.Duration) <-chan time.Time
}

// SystemClock is the real clock.
type SystemClock struct{}

func (SystemClock) Now() time.Time                         { return time.Now() }
func (SystemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// sleep waits for d on clk, or until ctx is done.
func sleep(ctx context.Context, clk Clock, d time.Duration) error {
	return delivery.SleepOn(ctx, clk.After, d)
}

// pacer spaces out one platform's sends: at most one every interval,
// shared by all of that platform's workers.
type pacer struct {
	clk      Clock
	interval time.Duration
	mu       sync.Mutex
	next     time.Time
}

// wait blocks until this caller's turn.
func (p *pacer) wait(ctx context.Context) error {
	if p.interval <= 0 {
		return ctx.Err()
	}
	p.mu.Lock()
	now := p.clk.Now()
	slot := p.next
	if slot.Before(now) {
		slot = now
	}
	p.next = slot.Add(p.interval)
	p.mu.Unlock()
	return sleep(ctx, p.clk, slot.Sub(now))
}
