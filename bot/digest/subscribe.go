package digest

import (
	"context"
	"errors"
	"fmt"
	"github.com/policybot/policybot/bot/localtime"
	"time"

	"github.com/policybot/policybot/bot"
	"github.com/policybot/policybot/bot/store"
)

// Static is a subscription from the config file.
type Static struct {
	Platform     string
	Conversation string
	Time         string // HH:MM; default 09:00
	Zone         string // IANA name; default UTC
	Passages     int    // default 1
}

// Subscribe starts or changes a conversation's daily digest. A
// conversation that subscribes again keeps its rotation, and never gets a
// second digest for a date it has had one for.
func (s *Scheduler) Subscribe(ctx context.Context, want bot.Subscription) (bot.SubscriptionStatus, error) {
	if _, ok := s.lanes[want.Platform]; !ok {
		return bot.SubscriptionStatus{}, fmt.Errorf("daily digests are not available on %s here", want.Platform)
	}
	if want.Hour < 0 || want.Hour > 23 || want.Minute < 0 || want.Minute > 59 {
		return bot.SubscriptionStatus{}, fmt.Errorf("%02d:%02d is not a time of day: use 24-hour HH:MM, e.g. 09:00", want.Hour, want.Minute)
	}
	loc, err := localtime.LoadZone(want.Zone)
	if err != nil {
		return bot.SubscriptionStatus{}, err
	}
	var sub store.Subscription
	err = s.st.Write(ctx, func(tx *store.Tx) error {
		var err error
		sub, err = s.upsert(ctx, tx, want, store.SourceChat, loc)
		return err
	})
	if err != nil {
		return bot.SubscriptionStatus{}, fmt.Errorf("saving the digest subscription: %w", err)
	}
	s.schedule(sub)
	return statusOf(sub, loc), nil
}

// upsert writes a subscription, keeping the rotation and history of an
// existing row for the same conversation. The next date is recomputed
// only when the schedule changed or the subscription was off.
func (s *Scheduler) upsert(ctx context.Context, tx *store.Tx, want bot.Subscription, source string, loc *time.Location) (store.Subscription, error) {
	sub, exists, err := tx.Subscription(ctx, want.Platform, want.Conversation)
	if err != nil {
		return sub, err
	}
	if want.Passages < 1 {
		want.Passages = 1
	}
	same := exists && sub.Active && sub.Hour == want.Hour && sub.Minute == want.Minute && sub.Zone == loc.String()
	if !exists {
		sub = store.Subscription{Platform: want.Platform, Conversation: want.Conversation, Seed: s.opts.Seed()}
	}
	sub.Hour, sub.Minute, sub.Zone, sub.Passages, sub.Source, sub.Active = want.Hour, want.Minute, loc.String(), want.Passages, source, true
	if !same {
		next := firstDateFrom(s.clk.Now(), sub.Hour, sub.Minute, loc)
		if sub.LastDate != "" {
			if last, err := ParseDate(sub.LastDate); err == nil && next.Before(last.AddDays(1)) {
				next = last.AddDays(1)
			}
		}
		sub.NextDate, sub.NextDue = next.String(), Occurrence(next, sub.Hour, sub.Minute, loc)
	}
	sub.ID, err = tx.PutSubscription(ctx, sub)
	return sub, err
}

// Unsubscribe stops a conversation's digest; it reports whether there was
// one. The row is kept (inactive) so that subscribing again continues the
// rotation.
func (s *Scheduler) Unsubscribe(ctx context.Context, platform, conversation string) (bool, error) {
	var sub store.Subscription
	var was bool
	err := s.st.Write(ctx, func(tx *store.Tx) error {
		var ok bool
		var err error
		sub, ok, err = tx.Subscription(ctx, platform, conversation)
		if err != nil || !ok || !sub.Active {
			return err
		}
		was, sub.Active = true, false
		_, err = tx.PutSubscription(ctx, sub)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("removing the digest subscription: %w", err)
	}
	if was {
		s.schedule(sub)
	}
	return was, nil
}

// Status reports a conversation's active subscription.
func (s *Scheduler) Status(ctx context.Context, platform, conversation string) (bot.SubscriptionStatus, bool, error) {
	sub, ok, err := s.st.Subscription(ctx, platform, conversation)
	if err != nil || !ok || !sub.Active {
		return bot.SubscriptionStatus{}, false, err
	}
	loc, err := localtime.LoadZone(sub.Zone)
	if err != nil {
		return bot.SubscriptionStatus{}, false, err
	}
	return statusOf(sub, loc), true, nil
}

func statusOf(sub store.Subscription, loc *time.Location) bot.SubscriptionStatus {
	st := bot.SubscriptionStatus{
		Subscription: bot.Subscription{Platform: sub.Platform, Conversation: sub.Conversation,
			Hour: sub.Hour, Minute: sub.Minute, Zone: sub.Zone, Passages: sub.Passages},
		Next: sub.NextDue.In(loc),
	}
	if !sub.LastSent.IsZero() {
		st.LastSent = sub.LastSent.In(loc)
	}
	return st
}

// MergeStatic makes the stored subscriptions from the config file match
// list: new entries are added, changed ones updated (keeping their
// rotation), and config subscriptions no longer listed are turned off.
// Subscriptions made from chat are left alone unless the config names the
// same conversation, which the config then takes over. Every invalid entry
// is reported, by its index in digest.subscriptions.
func (s *Scheduler) MergeStatic(ctx context.Context, list []Static) error {
	type entry struct {
		want bot.Subscription
		loc  *time.Location
	}
	var entries []entry
	var errs []error
	seen := map[[2]string]int{}
	for i, st := range list {
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("digest.subscriptions[%d]: "+format, append([]any{i}, args...)...))
		}
		if _, ok := s.lanes[st.Platform]; !ok {
			bad("platform %q is not configured: use slack or matrix and configure it, or remove the entry", st.Platform)
			continue
		}
		if st.Conversation == "" {
			bad("conversation is empty: give a Slack channel ID (C…) or a Matrix room ID (!…:server)")
			continue
		}
		k := [2]string{st.Platform, st.Conversation}
		if j, dup := seen[k]; dup {
			bad("%s %s is listed twice (also at [%d])", st.Platform, st.Conversation, j)
			continue
		}
		seen[k] = i
		tm := st.Time
		if tm == "" {
			tm = localtime.DefaultClock
		}
		h, m, err := localtime.ParseClock(tm)
		if err != nil {
			bad("time: %v", err)
			continue
		}
		loc, err := localtime.LoadZone(st.Zone)
		if err != nil {
			bad("zone: %v", err)
			continue
		}
		entries = append(entries, entry{bot.Subscription{Platform: st.Platform, Conversation: st.Conversation,
			Hour: h, Minute: m, Zone: loc.String(), Passages: st.Passages}, loc})
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	var changed []store.Subscription
	err := s.st.Write(ctx, func(tx *store.Tx) error {
		changed = changed[:0]
		old, err := tx.SubscriptionsFrom(ctx, store.SourceConfig)
		if err != nil {
			return err
		}
		for _, e := range entries {
			sub, err := s.upsert(ctx, tx, e.want, store.SourceConfig, e.loc)
			if err != nil {
				return err
			}
			changed = append(changed, sub)
		}
		for _, sub := range old {
			if _, listed := seen[[2]string{sub.Platform, sub.Conversation}]; listed {
				continue
			}
			sub.Active = false
			if _, err := tx.PutSubscription(ctx, sub); err != nil {
				return err
			}
			s.log.Info("digest: turning off a subscription removed from the config file", "platform", sub.Platform, "conversation", sub.Conversation)
			changed = append(changed, sub)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("merging digest subscriptions from the config file: %w", err)
	}
	for _, sub := range changed {
		s.schedule(sub)
	}
	return nil
}
