package main

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/policybot/policybot/bot"
	"github.com/policybot/policybot/bot/insights"
)

// observed wraps the core for serve: it logs every reply, counts it in the
// metrics, keeps a panic in one reply from taking the process down, and
// tracks replies in flight so shutdown can wait for them.
type observed struct {
	next    bot.Responder
	log     *slog.Logger
	metrics *metrics
	now     func() time.Time
	flights *flights
	// insights records each reply's outcome and cited paragraphs; nil
	// records nothing.
	insights *insights.Recorder
}

func (o *observed) Respond(ctx context.Context, m bot.Message) (r bot.Reply, ok bool) {
	o.flights.add()
	o.metrics.inFlight.Inc()
	start := o.now()
	defer func() {
		o.metrics.inFlight.Dec()
		o.flights.done()
		if p := recover(); p != nil {
			o.log.Error("the core panicked answering a message; it was told something went wrong",
				"platform", m.Platform, "conversation", m.Conversation.ID, "message", m.ID,
				"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			r, ok = bot.Reply{
				Kind: bot.KindError,
				Text: "Sorry, something went wrong while answering that. The operator can find the details in the log.",
			}, true
		}
		if !ok {
			return
		}
		took := o.now().Sub(start)
		o.metrics.observeReply(m.Platform, r, took)
		if o.insights != nil {
			if err := o.insights.Observe(context.WithoutCancel(ctx), m, r); err != nil {
				// Never the question: the error names only what failed.
				o.log.Warn("could not record the reply for insights", "platform", m.Platform, "err", err)
			}
		}
		// What was asked is the user's business; what was quoted, where and
		// how fast is the operator's. Never the message text, never tokens.
		o.log.Info("replied",
			"platform", m.Platform,
			"conversation", m.Conversation.ID,
			"direct", m.Conversation.Direct,
			"message", m.ID,
			"kind", r.Kind.String(),
			"paragraphs", paragraphsOf(r),
			"latency_ms", float64(took.Microseconds())/1000,
		)
	}()
	return o.next.Respond(ctx, m)
}

func paragraphsOf(r bot.Reply) []int {
	ps := make([]int, 0, len(r.Passages))
	for _, p := range r.Passages {
		ps = append(ps, p.Paragraph)
	}
	return ps
}

// flights counts work in progress so shutdown can wait for it.
type flights struct {
	mu   sync.Mutex
	n    int
	idle chan struct{} // closed while n == 0
}

func newFlights() *flights {
	f := &flights{idle: make(chan struct{})}
	close(f.idle)
	return f
}

func (f *flights) add() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n == 0 {
		f.idle = make(chan struct{})
	}
	f.n++
}

func (f *flights) done() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n--
	if f.n == 0 {
		close(f.idle)
	}
}

// wait returns a channel closed once nothing is in flight.
func (f *flights) wait() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.idle
}

func (f *flights) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n
}
