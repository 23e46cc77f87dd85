package digest

import (
	"context"
	"fmt"
	"github.com/policybot/policybot/bot/localtime"
	"time"

	"github.com/policybot/policybot/bot"
	"github.com/policybot/policybot/bot/store"
)

// job is one digest about to be sent.
type job struct {
	sub   store.Subscription
	date  Date
	dueAt time.Time
	led   store.Delivery
	retry bool
}

// Key is the ledger and idempotency key of a subscription's digest for a
// local date.
func Key(subscription int64, date Date) string {
	return fmt.Sprintf("digest-%d-%s", subscription, date)
}

// deliver sends one subscription's digest if it is due: intent, send,
// success, each step committed before the next.
func (s *Scheduler) deliver(ctx context.Context, l *lane, id int64) {
	var retryAt time.Time
	defer func() { s.requeue(context.WithoutCancel(ctx), l, id, retryAt) }()
	if err := l.pacer.wait(ctx); err != nil {
		return
	}
	j, err := s.begin(ctx, id)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("digest: cannot record a delivery; retrying in a minute", "platform", l.platform, "subscription", id, "err", err)
			retryAt = s.clk.Now().Add(time.Minute)
		}
		return
	}
	if j == nil {
		return
	}
	// From here the delivery is finished even if ctx is cancelled
	// (shutdown), within SendTimeout, so that its outcome is recorded.
	fctx := context.WithoutCancel(ctx)
	s.failpoint(FailpointBeforeSend)
	sctx, cancel := context.WithTimeout(fctx, s.opts.SendTimeout)
	sendErr := l.sender.SendDigest(sctx, bot.Digest{Conversation: j.sub.Conversation, Date: j.date.Long(),
		Paragraphs: j.led.Paragraphs, Key: j.led.Key, Retry: j.retry})
	cancel()
	if sendErr == nil {
		s.failpoint(FailpointAfterSend)
	}
	if err := s.finish(fctx, j, sendErr); err != nil {
		// The ledger keeps the intent: the next attempt is a retry,
		// which the sender deduplicates.
		s.log.Error("digest: cannot record the outcome of a delivery; it will be checked and retried", "platform", l.platform,
			"conversation", j.sub.Conversation, "date", j.date.String(), "err", err)
		retryAt = s.clk.Now().Add(time.Minute)
	}
	if sendErr != nil {
		if s.opts.OnFailed != nil {
			s.opts.OnFailed(l.platform, sendErr)
		}
	} else if s.opts.OnDelivered != nil {
		s.opts.OnDelivered(l.platform)
	}
}

// begin decides in one transaction whether subscription id has a digest
// to send now and, if so, commits the intent: the ledger entry and the
// rotation advanced past the chosen paragraphs. It returns nil when there
// is nothing to send.
func (s *Scheduler) begin(ctx context.Context, id int64) (*job, error) {
	var out *job
	err := s.st.WriteDurable(ctx, func(tx *store.Tx) error {
		out = nil
		sub, ok, err := tx.SubscriptionByID(ctx, id)
		if err != nil || !ok || !sub.Active {
			return err
		}
		loc, err := localtime.LoadZone(sub.Zone)
		if err != nil {
			return fmt.Errorf("subscription %d: %w", id, err)
		}
		from, err := ParseDate(sub.NextDate)
		if err != nil {
			return fmt.Errorf("subscription %d: %w", id, err)
		}
		now := s.clk.Now()
		date, due := latestDue(from, now, sub.Hour, sub.Minute, loc)
		if !due {
			// Woken early (the schedule changed): wait for the real time.
			sub.NextDue = Occurrence(from, sub.Hour, sub.Minute, loc)
			_, err := tx.PutSubscription(ctx, sub)
			return err
		}
		log := s.log.With("platform", sub.Platform, "conversation", sub.Conversation)
		if date != from {
			log.Info("digest: skipping digests missed while the bot was down; at most the latest is sent",
				"from", from.String(), "to", date.AddDays(-1).String())
		}
		dueAt := Occurrence(date, sub.Hour, sub.Minute, loc)
		if late := now.Sub(dueAt); late > s.opts.Grace {
			log.Warn("digest: skipping a missed digest older than the grace period", "date", date.String(),
				"due", dueAt, "late", late.Round(time.Minute).String(), "grace", s.opts.Grace.String())
			next := date.AddDays(1)
			sub.NextDate, sub.NextDue = next.String(), Occurrence(next, sub.Hour, sub.Minute, loc)
			_, err := tx.PutSubscription(ctx, sub)
			return err
		}
		led, exists, err := tx.Delivery(ctx, id, date.String())
		if err != nil {
			return err
		}
		if exists && !led.Sent.IsZero() {
			// Sent already; only the schedule was behind.
			next := date.AddDays(1)
			sub.NextDate, sub.NextDue = next.String(), Occurrence(next, sub.Hour, sub.Minute, loc)
			_, err := tx.PutSubscription(ctx, sub)
			return err
		}
		if exists && s.opts.Shared && now.Sub(led.Intent) < s.opts.SendTimeout {
			// Another replica may be sending it this moment: come back
			// when that attempt has ended, sent or timed out.
			sub.NextDue = led.Intent.Add(s.opts.SendTimeout + time.Second)
			_, err := tx.PutSubscription(ctx, sub)
			return err
		}
		if exists {
			led.Attempts++
			led.Intent = now
		} else {
			led = store.Delivery{Subscription: id, LocalDate: date.String(), Key: Key(id, date),
				Paragraphs: pick(&sub, s.quotable, sub.Passages), Intent: now, Attempts: 1}
		}
		sub.NextDate = date.String()
		if err := tx.PutDelivery(ctx, led); err != nil {
			return err
		}
		if _, err := tx.PutSubscription(ctx, sub); err != nil {
			return err
		}
		out = &job{sub: sub, date: date, dueAt: dueAt, led: led, retry: exists}
		return nil
	})
	return out, err
}

// finish records the outcome of a send. A success moves the subscription
// to its next date; a failure is retried with growing pauses until the
// digest is more than the grace period late, then given up.
func (s *Scheduler) finish(ctx context.Context, j *job, sendErr error) error {
	return s.st.Write(ctx, func(tx *store.Tx) error {
		sub, ok, err := tx.SubscriptionByID(ctx, j.sub.ID)
		if err != nil || !ok {
			return err
		}
		loc, err := localtime.LoadZone(sub.Zone)
		if err != nil {
			return err
		}
		now := s.clk.Now()
		log := s.log.With("platform", sub.Platform, "conversation", sub.Conversation, "date", j.date.String())
		advance := func() {
			// Only if the schedule still points at this date: a
			// subscription changed meanwhile has its own next date.
			if sub.NextDate == j.date.String() {
				next := j.date.AddDays(1)
				sub.NextDate, sub.NextDue = next.String(), Occurrence(next, sub.Hour, sub.Minute, loc)
			}
		}
		if sendErr == nil {
			j.led.Sent = now
			if err := tx.PutDelivery(ctx, j.led); err != nil {
				return err
			}
			sub.LastDate, sub.LastSent = j.date.String(), now
			advance()
			log.Debug("digest delivered", "key", j.led.Key, "retry", j.retry)
		} else {
			backoff := min(time.Minute<<min(j.led.Attempts-1, 10), 30*time.Minute)
			if retryAt := now.Add(backoff); retryAt.Sub(j.dueAt) <= s.opts.Grace {
				log.Warn("digest: delivery failed; will retry", "attempt", j.led.Attempts, "retry_in", backoff.String(), "err", sendErr)
				if sub.NextDate == j.date.String() {
					sub.NextDue = retryAt
				}
			} else {
				log.Error("digest: delivery failed; giving up on this date after the grace period", "attempts", j.led.Attempts, "err", sendErr)
				advance()
			}
		}
		_, err = tx.PutSubscription(ctx, sub)
		return err
	})
}
