package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/policybot/policybot/bot"
	"github.com/policybot/policybot/bot/insights"
)

// observe wraps the core for serve in a bot.Guard (panic recovery,
// replies in flight) whose hooks log every reply, count it in the
// metrics and record it for insights (rec may be nil).
func observe(next bot.Responder, log *slog.Logger, m *metrics, rec *insights.Recorder) *bot.Guard {
	return bot.NewGuard(next, bot.GuardOptions{
		Logger: log,
		Began:  m.inFlight.Inc,
		Ended: func(ctx context.Context, msg bot.Message, r bot.Reply, ok bool, took time.Duration) {
			m.inFlight.Dec()
			if !ok {
				return
			}
			m.observeReply(msg.Platform, r, took)
			if rec != nil {
				if err := rec.Observe(context.WithoutCancel(ctx), msg, r); err != nil {
					// Never the question: the error names only what failed.
					log.Warn("could not record the reply for insights", "platform", msg.Platform, "err", err)
				}
			}
			// What was asked is the user's business; what was quoted,
			// where and how fast is the operator's. Never the message
			// text, never tokens.
			log.Info("replied",
				"platform", msg.Platform,
				"conversation", msg.Conversation.ID,
				"direct", msg.Conversation.Direct,
				"message", msg.ID,
				"kind", r.Kind.String(),
				"paragraphs", paragraphsOf(r),
				"latency_ms", float64(took.Microseconds())/1000,
			)
		},
	})
}

func paragraphsOf(r bot.Reply) []int {
	ps := make([]int, 0, len(r.Passages))
	for _, p := range r.Passages {
		ps = append(ps, p.Paragraph)
	}
	return ps
}
