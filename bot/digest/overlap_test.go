package digest

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/policybot/policybot/bot"
	"github.com/policybot/policybot/bot/bottest"
	"github.com/policybot/policybot/bot/store"
	"github.com/policybot/policybot/bot/store/pgtest"
	"github.com/policybot/policybot/knowledge"
)

// pg is the PostgreSQL cluster of this test binary, started by the first
// test that needs it.
var pg pgtest.Lazy

func TestMain(m *testing.M) { os.Exit(pg.Main(m)) }

// gatedPoster records digests and holds each Deliver until released.
type gatedPoster struct {
	mu      sync.Mutex
	posts   []string // keys
	entered chan string
	release chan struct{}
}

func (p *gatedPoster) Deliver(ctx context.Context, conv string, _ bot.Reply, key string, retry bool) error {
	p.entered <- key
	select {
	case <-p.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.posts = append(p.posts, key)
	return nil
}

func (p *gatedPoster) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.posts)
}

// Two replicas that both believe they lead for a moment (the old leader
// has not yet noticed it lost the lock) do not both post a digest: the
// second finds the first's intent in the ledger, too recent to be a
// failed attempt, and waits until that attempt has ended; by then it is
// recorded as sent. Without Shared the same timing posts it twice.
func TestOverlappingLeadersPostOnce(t *testing.T) {
	for _, shared := range []bool{true, false} {
		t.Run(fmt.Sprintf("shared=%v", shared), func(t *testing.T) {
			url := pg.Database(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			now := time.Now().UTC().Add(-time.Minute)
			sched := func(p *gatedPoster) (*Scheduler, *store.Store) {
				st, err := store.Open(ctx, url)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { st.Close() })
				s, err := New(Options{Store: st, Doc: knowledge.Embedded(), Shared: shared,
					SendTimeout: 2 * time.Second, Pace: map[string]time.Duration{"slack": -1}})
				if err != nil {
					t.Fatal(err)
				}
				core, _ := bottest.Core(t, bot.Options{})
				if err := s.Register("slack", core.DigestSender(bot.Platform{Name: "slack", Prefix: "/"}, p)); err != nil {
					t.Fatal(err)
				}
				return s, st
			}
			a := &gatedPoster{entered: make(chan string, 4), release: make(chan struct{})}
			b := &gatedPoster{entered: make(chan string, 4), release: make(chan struct{})}
			close(b.release) // b posts at once if it gets that far
			sa, st := sched(a)
			sb, _ := sched(b)
			var id int64
			if err := st.Write(ctx, func(tx *store.Tx) error {
				var err error
				id, err = tx.PutSubscription(ctx, store.Subscription{Platform: "slack", Conversation: "C1",
					Hour: now.Hour(), Minute: now.Minute(), Zone: "UTC", Passages: 1, Source: store.SourceChat,
					Active: true, NextDate: now.Format(time.DateOnly), NextDue: now, Seed: 7})
				return err
			}); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			defer wg.Wait()
			defer cancel()
			wg.Go(func() { sa.Run(ctx) })
			<-a.entered // a has recorded its intent and is sending
			wg.Go(func() { sb.Run(ctx) })
			if !shared {
				// b sends the same digest while a's is under way.
				select {
				case <-b.entered:
				case <-time.After(20 * time.Second):
					t.Fatal("without Shared, b never sent: the test cannot tell the cases apart")
				}
				close(a.release)
				waitFor(t, func() bool { return a.count() == 1 && b.count() == 1 })
				return
			}
			// b has looked at the digest and put it off until a's attempt
			// has ended.
			var intent time.Time
			waitFor(t, func() bool {
				d, ok, _ := st.Delivery(ctx, id, now.Format(time.DateOnly))
				sub, _, _ := st.SubscriptionByID(ctx, id)
				intent = d.Intent
				return ok && sub.NextDue.Equal(d.Intent.Add(3*time.Second))
			})
			close(a.release)
			// b comes back after a's send timeout, finds it sent, and
			// schedules the next day.
			lane := sb.lanes["slack"]
			waitFor(t, func() bool {
				lane.mu.Lock()
				defer lane.mu.Unlock()
				_, due, ok := lane.q.peek()
				return ok && due.After(intent.Add(time.Hour))
			})
			if a.count() != 1 || b.count() != 0 {
				t.Fatalf("posted by a %d, by b %d; want 1 and 0", a.count(), b.count())
			}
		})
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
	}
}
