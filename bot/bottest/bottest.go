// Package bottest provides fakes for testing code that uses the bot core.
package bottest

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/policybot/policybot/bot"
)

// Subscriptions is an in-memory bot.Subscriptions that records calls.
type Subscriptions struct {
	mu   sync.Mutex
	subs map[string]bot.Subscription
	// Next is reported as the next delivery time by Subscribe and Status.
	Next time.Time
	// Err, when set, is returned by every call.
	Err error
	// Platforms are those that deliver digests; nil means every one.
	Platforms []string
}

// Delivers reports whether platform is among Platforms.
func (f *Subscriptions) Delivers(platform string) bool {
	return f.Platforms == nil || slices.Contains(f.Platforms, platform)
}

func key(platform, conv string) string { return platform + "\x00" + conv }

// Subscribe records s.
func (f *Subscriptions) Subscribe(_ context.Context, s bot.Subscription) (bot.SubscriptionStatus, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.Err != nil {
		return bot.SubscriptionStatus{}, f.Err
	}
	if f.subs == nil {
		f.subs = map[string]bot.Subscription{}
	}
	f.subs[key(s.Platform, s.Conversation)] = s
	return bot.SubscriptionStatus{Subscription: s, Next: f.Next}, nil
}

// Unsubscribe removes a subscription.
func (f *Subscriptions) Unsubscribe(_ context.Context, platform, conv string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.Err != nil {
		return false, f.Err
	}
	_, ok := f.subs[key(platform, conv)]
	delete(f.subs, key(platform, conv))
	return ok, nil
}

// Status reports a subscription.
func (f *Subscriptions) Status(_ context.Context, platform, conv string) (bot.SubscriptionStatus, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.Err != nil {
		return bot.SubscriptionStatus{}, false, f.Err
	}
	s, ok := f.subs[key(platform, conv)]
	return bot.SubscriptionStatus{Subscription: s, Next: f.Next}, ok, nil
}

// Get returns the recorded subscription for a conversation.
func (f *Subscriptions) Get(platform, conv string) (bot.Subscription, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.subs[key(platform, conv)]
	return s, ok
}

// Recorder is a fake adapter: it sends messages to a core and keeps the
// replies.
type Recorder struct {
	Core    bot.Responder
	Replies []bot.Reply
}

// Say sends text as a direct message and returns the reply, failing if
// the core ignored it.
func (r *Recorder) Say(ctx context.Context, text string) (bot.Reply, error) {
	rep, ok := r.Core.Respond(ctx, bot.Message{Platform: "test", Text: text, Prefix: "/", Conversation: bot.Conversation{ID: "dm", Direct: true}})
	if !ok {
		return bot.Reply{}, fmt.Errorf("%q was ignored", text)
	}
	r.Replies = append(r.Replies, rep)
	return rep, nil
}

// SoonMinute is the first whole UTC minute at least margin after now, and
// its "HH:MM" form: the time for a digest subscription that a real
// process just being started should deliver in about a minute. The
// margin leaves the process time to start before that minute passes;
// otherwise its first digest would be tomorrow's.
func SoonMinute(now time.Time, margin time.Duration) (time.Time, string) {
	at := now.UTC().Add(margin).Truncate(time.Minute).Add(time.Minute)
	return at, at.Format("15:04")
}

// WaitMetric polls a running policybot's /metrics at base (http://host:port)
// until the sample (name with labels, as Prometheus prints it) reaches
// want, and fails after timeout with the last value seen.
func WaitMetric(base, sample string, want float64, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	last := "absent"
	for {
		if got, ok := metric(base, sample); ok {
			last = fmt.Sprint(got)
			if got >= want {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s is %s after %v, want %v", sample, last, timeout, want)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func metric(base, sample string) (float64, bool) {
	res, err := http.Get(base + "/metrics")
	if err != nil {
		return 0, false
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), sample+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			return f, err == nil
		}
	}
	return 0, false
}
