package digest

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/policybot/policybot/bot"
	"github.com/policybot/policybot/bot/bottest"
	"github.com/policybot/policybot/bot/store"
	"github.com/policybot/policybot/knowledge"
)

// countingSender accepts every digest and signals when it has seen n.
type countingSender struct {
	n    atomic.Int64
	want int64
	done chan struct{}
}

func (c *countingSender) Deliver(ctx context.Context, conv string, r bot.Reply, key string, retry bool) error {
	if c.n.Add(1) == c.want {
		close(c.done)
	}
	return nil
}

// BenchmarkDispatch10k measures scheduling and dispatch of 10,000
// subscriptions all due at once, on a real state file with the real
// clock and no pacing: each digest is two committed transactions (intent,
// success) around the send. It reports the cost per digest and the
// database size per subscription.
func BenchmarkDispatch10k(b *testing.B) {
	const n = 10000
	ctx := context.Background()
	doc := knowledge.Embedded()
	core, _ := bottest.Core(b, bot.Options{})
	var perSub float64
	for b.Loop() {
		b.StopTimer()
		st, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
		if err != nil {
			b.Fatal(err)
		}
		snd := &countingSender{want: n, done: make(chan struct{})}
		s, err := New(Options{Store: st, Doc: doc,
			Pace: map[string]time.Duration{"slack": -1}, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			b.Fatal(err)
		}
		// The core composes each digest, as in serve.
		if err := s.Register("slack", core.DigestSender(bot.Platform{Name: "slack", Prefix: "/"}, snd)); err != nil {
			b.Fatal(err)
		}
		// Subscribe a minute ago for "now": every one is due at startup.
		now := time.Now().UTC()
		s.clk = fixedClock{now.Add(-2 * time.Minute)}
		at := now.Add(-time.Minute)
		for i := range n {
			if _, err := s.Subscribe(ctx, bot.Subscription{Platform: "slack", Conversation: fmt.Sprintf("C%05d", i),
				Hour: at.Hour(), Minute: at.Minute(), Zone: "UTC", Passages: 1}); err != nil {
				b.Fatal(err)
			}
		}
		s.clk = SystemClock{}
		rctx, cancel := context.WithCancel(ctx)
		b.StartTimer()
		done := make(chan struct{})
		go func() { s.Run(rctx); close(done) }()
		<-snd.done
		b.StopTimer()
		cancel()
		<-done
		size, err := st.SizeBytes(ctx)
		if err != nil {
			b.Fatal(err)
		}
		perSub = float64(size) / n
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/digest")
	b.ReportMetric(perSub, "dbbytes/sub")
}

// BenchmarkQueue is the scheduling cost alone: one subscription is
// rescheduled among 10,000 queued ones and the earliest popped.
func BenchmarkQueue(b *testing.B) {
	q := newQueue()
	base := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	for i := range 10000 {
		q.set(int64(i), base.Add(time.Duration(i)*time.Second))
	}
	i := 0
	for b.Loop() {
		id := q.pop()
		q.set(id, base.Add(time.Duration(10000+i)*time.Second))
		i++
	}
}

// BenchmarkSubscribe is one "digest on" from chat: validation and one
// write transaction.
func BenchmarkSubscribe(b *testing.B) {
	ctx := context.Background()
	core, _ := bottest.Core(b, bot.Options{})
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	s, err := New(Options{Store: st, Doc: knowledge.Embedded()})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Register("slack", core.DigestSender(bot.Platform{Name: "slack", Prefix: "/"}, &countingSender{})); err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		if _, err := s.Subscribe(ctx, bot.Subscription{Platform: "slack", Conversation: fmt.Sprint("C", i), Hour: 9, Zone: "Europe/Berlin", Passages: 1}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time                         { return c.t }
func (c fixedClock) After(d time.Duration) <-chan time.Time { return make(chan time.Time) }
