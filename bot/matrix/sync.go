package matrix

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"go.mau.fi/util/retryafter"
	"maunium.net/go/mautrix"

	"github.com/policybot/policybot/bot/delivery"
)

// syncer is mautrix's default event dispatcher with policybot's reaction
// to failed syncs: wait with injectable backoff, honour rate limits, and
// report readiness.
type syncer struct {
	*mautrix.DefaultSyncer
	a *Adapter
	// tokens is the client's sync store; its token is committed once a
	// response has been handled.
	tokens syncStore
	// refused is set when a question of the response being handled could
	// not be recorded: the response is then not taken as handled.
	refused error

	mu     sync.Mutex
	parent context.Context // the context life was made for
	life   context.Context // parent's, ending processGrace after it
}

// processGrace is how long the handling of a sync response may go on once
// shutdown has begun.
const processGrace = 5 * time.Second

// ProcessResponse handles a sync response to the end even when shutdown
// begins meanwhile (within processGrace), and only then commits its sync
// token (see syncStore): the token is the bot's acknowledgement of the
// response's events. A response whose question the inbox could not
// record is not acknowledged, and Run syncs again from the last token.
// Finishing on shutdown matters for the rest too (room membership, the
// devices to encrypt for): a restart would otherwise encrypt for nobody in
// a room joined just before.
//
// The handlers' context does not end with the response: mautrix waits in
// the background (up to 25s) for a room key that comes in a later sync
// than the message it opens, as it does when the sender's client sends the
// key just before the message, and gives the message up when the context
// ends.
func (s *syncer) ProcessResponse(ctx context.Context, res *mautrix.RespSync, since string) error {
	err := s.DefaultSyncer.ProcessResponse(s.lifetime(ctx), res, since)
	s.mu.Lock()
	refused := s.refused
	s.refused = nil
	s.mu.Unlock()
	if refused != nil {
		s.tokens.drop()
		return refused
	}
	// Even when a handler failed (mautrix turns a panic into an error):
	// replaying a response that makes the bot fail would wedge it.
	if cerr := s.tokens.commit(context.WithoutCancel(ctx)); cerr != nil {
		return fmt.Errorf("%w: %w", errNotRecorded, cerr)
	}
	return err
}

// errNotRecorded ends a sync whose response could not be recorded; Run
// syncs again from the last token saved, so its events come back.
var errNotRecorded = errors.New("matrix: the state file could not record a sync response")

// refuse marks the response being handled as not recorded.
func (s *syncer) refuse(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refused == nil {
		s.refused = fmt.Errorf("%w: %w", errNotRecorded, err)
	}
}

// lifetime returns a context with ctx's values that ends processGrace
// after ctx does; one for each ctx (mautrix passes the same one for every
// response), so nothing piles up per response.
func (s *syncer) lifetime(ctx context.Context) context.Context {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.life == nil || s.parent != ctx {
		life, cancel := context.WithCancel(context.WithoutCancel(ctx))
		context.AfterFunc(ctx, func() { time.AfterFunc(processGrace, cancel) })
		s.parent, s.life = ctx, life
	}
	return s.life
}

// OnFailedSync waits before the next attempt itself (through the adapter's
// Sleep) and returns 0, so tests control the wait. Only a rejected access
// token stops syncing.
func (s *syncer) OnFailedSync(_ *mautrix.RespSync, err error) (time.Duration, error) {
	a := s.a
	if errors.Is(err, mautrix.MUnknownToken) {
		a.setNotReady(err)
		if a.opts.AccessToken == "" {
			// Forget the dead session so the next start logs in afresh
			// with the same device.
			_ = a.store.SetState(context.Background(), stateNamespace, keyAccessToken+string(a.self), "")
			return 0, fmt.Errorf("matrix: the homeserver no longer accepts the bot's session; restart to log in again: %w", err)
		}
		return 0, fmt.Errorf("matrix: the homeserver rejected POLICYBOT_MATRIX_ACCESS_TOKEN; create a new token for %s: %w", a.self, err)
	}
	a.mu.Lock()
	a.failures++
	n := a.failures
	a.mu.Unlock()
	a.setNotReady(err)
	wait, _ := a.retryDelay(err, n)
	a.log.Warn("matrix: sync failed, retrying", "attempt", n, "in", wait, "err", err)
	ctx := a.runCtx()
	if err := a.sleep(ctx, wait); err != nil {
		return 0, err
	}
	return 0, nil
}

// synced runs after every successful sync.
func (a *Adapter) synced(_ context.Context, _ *mautrix.RespSync, _ string) bool {
	a.mu.Lock()
	wasFailing := a.failures > 0
	a.failures = 0
	a.ready = nil
	a.mu.Unlock()
	if wasFailing {
		a.log.Info("matrix: sync works again", "homeserver", a.opts.Homeserver)
		if a.OnReconnect != nil {
			a.OnReconnect()
		}
	}
	return true
}

func (a *Adapter) setNotReady(err error) {
	a.mu.Lock()
	a.ready = fmt.Errorf("matrix: not connected to %s: %w", a.opts.Homeserver, err)
	a.mu.Unlock()
}

// retryDelay says whether err is worth retrying and how long to wait
// before attempt n+1: as long as the homeserver asks on M_LIMIT_EXCEEDED
// (retry_after_ms, or the Retry-After header), else the backoff.
func (a *Adapter) retryDelay(err error, n int) (time.Duration, bool) {
	if d, ok := rateLimit(err, a.backoff(n)); ok {
		if a.OnRateLimited != nil {
			a.OnRateLimited(d)
		}
		return d, true
	}
	return a.backoff(n), transient(err)
}

// rateLimit recognises M_LIMIT_EXCEEDED / HTTP 429 and returns the wait
// the homeserver asked for, or fallback when it named none.
func rateLimit(err error, fallback time.Duration) (time.Duration, bool) {
	var he mautrix.HTTPError
	if !errors.As(err, &he) {
		return 0, false
	}
	limited := he.IsStatus(http.StatusTooManyRequests) ||
		(he.RespError != nil && he.RespError.ErrCode == mautrix.MLimitExceeded.ErrCode)
	if !limited {
		return 0, false
	}
	d := fallback
	if he.RespError != nil {
		if ms, ok := he.RespError.ExtraData["retry_after_ms"].(float64); ok && ms > 0 {
			return time.Duration(ms) * time.Millisecond, true
		}
	}
	if he.Response != nil {
		d = retryafter.Parse(he.Response.Header.Get("Retry-After"), fallback)
	}
	return max(d, 0), true
}

// classify is what the posting policy needs to know about the
// homeserver's errors: the same rate limits and transient failures that
// sync retries. Whether a failed send may have been posted matters less
// here than on Slack, since every retry reuses its transaction ID; it is
// reported all the same.
func classify(err error) delivery.Verdict {
	if d, ok := rateLimit(err, 0); ok {
		return delivery.Verdict{Retry: true, Wait: d, Limited: true}
	}
	if !transient(err) {
		return delivery.Verdict{}
	}
	var op *net.OpError
	refused := errors.As(err, &op) && op.Op == "dial"
	return delivery.Verdict{Retry: true, Ambiguous: !refused}
}

// transient reports whether err may go away by itself: the homeserver is
// unreachable, overloaded or restarting.
func transient(err error) bool {
	var he mautrix.HTTPError
	if errors.As(err, &he) {
		if he.Response == nil {
			return true // no answer at all: connection refused, reset, timeout
		}
		return he.Response.StatusCode >= 500
	}
	var ne net.Error
	return errors.As(err, &ne)
}
