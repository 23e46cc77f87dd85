package bot

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"
)

// Guard wraps a Responder with what every platform needs around the core,
// once for all of them: a panic while answering one message becomes an
// apology in that conversation instead of the end of the process, and
// replies in flight are counted so that shutdown can wait for them. It is
// to the core what net/http's Server is to a Handler.
type Guard struct {
	next Responder
	opts GuardOptions

	mu   sync.Mutex
	n    int
	idle chan struct{} // closed while n == 0
}

// GuardOptions are a Guard's hooks; all may be nil.
type GuardOptions struct {
	Logger *slog.Logger
	Now    func() time.Time // default time.Now
	// Began and Ended bracket every message; Ended is told the reply
	// (ok false: none) and how long the core took.
	Began func()
	Ended func(ctx context.Context, m Message, r Reply, ok bool, took time.Duration)
}

// NewGuard guards next.
func NewGuard(next Responder, opts GuardOptions) *Guard {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	g := &Guard{next: next, opts: opts, idle: make(chan struct{})}
	close(g.idle)
	return g
}

// Respond answers m through the guarded Responder.
func (g *Guard) Respond(ctx context.Context, m Message) (r Reply, ok bool) {
	g.add(1)
	if g.opts.Began != nil {
		g.opts.Began()
	}
	start := g.opts.Now()
	defer func() {
		if p := recover(); p != nil {
			g.opts.Logger.Error("the core panicked answering a message; it was told something went wrong",
				"platform", m.Platform, "conversation", m.Conversation.ID, "message", m.ID,
				"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			r, ok = Reply{
				Kind: KindError,
				Text: "Sorry, something went wrong while answering that. The operator can find the details in the log.",
			}, true
		}
		if g.opts.Ended != nil {
			g.opts.Ended(ctx, m, r, ok, g.opts.Now().Sub(start))
		}
		g.add(-1)
	}()
	return g.next.Respond(ctx, m)
}

func (g *Guard) add(d int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.n == 0 && d > 0 {
		g.idle = make(chan struct{})
	}
	g.n += d
	if g.n == 0 {
		close(g.idle)
	}
}

// InFlight is how many messages the core is answering now.
func (g *Guard) InFlight() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.n
}

// Idle returns a channel that is closed once no message is being
// answered: shutdown waits on it.
func (g *Guard) Idle() <-chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.idle
}
