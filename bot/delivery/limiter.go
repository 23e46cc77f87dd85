package delivery

import (
	"context"
	"sync/atomic"
)

// Limiter bounds how many posts are in flight at once. One Limiter shared
// by every adapter's Policy bounds them across the process, so a burst of
// questions costs a bounded number of connections and file descriptors
// however many arrive.
type Limiter struct {
	slots   chan struct{}
	waiting atomic.Int64 // posts queued for a slot
}

// NewLimiter allows n posts in flight (DefaultLimit if n < 1).
func NewLimiter(n int) *Limiter {
	if n < 1 {
		n = DefaultLimit
	}
	return &Limiter{slots: make(chan struct{}, n)}
}

// Limit is how many posts may be in flight.
func (l *Limiter) Limit() int { return cap(l.slots) }

// InFlight is how many posts are in flight now.
func (l *Limiter) InFlight() int { return len(l.slots) }

// Waiting is how many posts are queued for a slot now.
func (l *Limiter) Waiting() int { return int(l.waiting.Load()) }

func (l *Limiter) acquire(ctx context.Context) error {
	select {
	case l.slots <- struct{}{}:
		return nil
	default:
	}
	l.waiting.Add(1)
	defer l.waiting.Add(-1)
	select {
	case l.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (l *Limiter) release() { <-l.slots }
