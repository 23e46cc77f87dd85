package slack

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	slackgo "github.com/slack-go/slack"
)

// sender posts messages to Slack, at most one per channel per interval
// (Slack allows about one message per second per channel and throttles
// bursts), and waits out 429 answers for as long as Retry-After says.
type sender struct {
	api      *slackgo.Client
	now      func() time.Time
	sleep    func(ctx context.Context, d time.Duration) error
	interval time.Duration
	// retries is how many times a rate-limited post is tried again.
	retries       int
	onRateLimited func(time.Duration)

	mu   sync.Mutex
	next map[string]time.Time // channel → earliest time of its next post
}

// sleepCtx waits for d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// slot reserves the next posting time for a channel and returns how long
// to wait for it.
func (s *sender) slot(channel string) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if s.next == nil {
		s.next = map[string]time.Time{}
	}
	if len(s.next) > 10000 {
		// Forget channels that are free again, so the map stays small.
		for ch, t := range s.next {
			if !t.After(now) {
				delete(s.next, ch)
			}
		}
	}
	at := now
	if t, ok := s.next[channel]; ok && t.After(now) {
		at = t
	}
	s.next[channel] = at.Add(s.interval)
	return at.Sub(now)
}

// holdOff keeps a channel quiet until Slack's Retry-After has passed.
func (s *sender) holdOff(channel string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.now().Add(d); t.After(s.next[channel]) {
		s.next[channel] = t
	}
}

// post sends a rendered reply to a channel and returns the message's ts.
// The error names the channel and Slack's reason; callers log it once.
func (s *sender) post(ctx context.Context, channel string, r Rendered, extra ...slackgo.MsgOption) (string, error) {
	opts := append([]slackgo.MsgOption{
		slackgo.MsgOptionText(r.Text, false),
		slackgo.MsgOptionBlocks(r.Blocks...),
		slackgo.MsgOptionDisableLinkUnfurl(),
	}, extra...)
	for attempt := 0; ; attempt++ {
		if err := s.sleep(ctx, s.slot(channel)); err != nil {
			return "", fmt.Errorf("post to Slack channel %s: %w", channel, err)
		}
		_, ts, err := s.api.PostMessageContext(ctx, channel, opts...)
		if err == nil {
			return ts, nil
		}
		var rl *slackgo.RateLimitedError
		if !errors.As(err, &rl) || attempt >= s.retries {
			return "", fmt.Errorf("post to Slack channel %s: %w", channel, err)
		}
		if s.onRateLimited != nil {
			s.onRateLimited(rl.RetryAfter)
		}
		s.holdOff(channel, rl.RetryAfter)
	}
}
