package inbox_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/policybot/policybot/bot/inbox"
	"github.com/policybot/policybot/bot/store"
	"github.com/policybot/policybot/bot/store/pgtest"
)

// counting counts the transactions that record messages.
type counting struct {
	*store.Store
	commits atomic.Int64
	fail    error
}

func (c *counting) AcceptInbox(ctx context.Context, entries []store.InboxEntry) ([]bool, error) {
	c.commits.Add(1)
	if c.fail != nil {
		return nil, c.fail
	}
	return c.Store.AcceptInbox(ctx, entries)
}

func openStore(t *testing.T, path string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// pg is the PostgreSQL cluster of this test binary, started by the first
// test that needs it.
var pg pgtest.Lazy

func TestMain(m *testing.M) { os.Exit(pg.Main(m)) }

func TestAcceptDeduplicates(t *testing.T) {
	for name, open := range map[string]func(t *testing.T) *inbox.Inbox{
		"file": func(t *testing.T) *inbox.Inbox {
			return inbox.New(openStore(t, filepath.Join(t.TempDir(), "state.db")), inbox.Options{})
		},
		"postgres": func(t *testing.T) *inbox.Inbox {
			return inbox.New(openStore(t, pg.Database(t)), inbox.Options{Owner: "replica-1"})
		},
		"memory": func(*testing.T) *inbox.Inbox { return inbox.Memory(inbox.Options{}) },
	} {
		t.Run(name, func(t *testing.T) { testAcceptDeduplicates(t, open(t)) })
	}
}

func testAcceptDeduplicates(t *testing.T, in *inbox.Inbox) {
	ctx := context.Background()
	for _, c := range []struct {
		step     string
		platform string
		key      string
		settle   bool
		want     bool
	}{
		{"first delivery", "slack", "C1/1.1", false, true},
		{"redelivered while it is answered", "slack", "C1/1.1", true, false},
		{"redelivered after it was answered", "slack", "C1/1.1", false, false},
		{"same key on another platform", "matrix", "C1/1.1", false, true},
		{"another message", "slack", "C1/1.2", false, true},
	} {
		fresh, err := in.Accept(ctx, c.platform, c.key, `{"text":"q"}`)
		if err != nil || fresh != c.want {
			t.Fatalf("%s: Accept = %v, %v; want %v", c.step, fresh, err, c.want)
		}
		if c.settle {
			if err := in.Settle(ctx, c.platform, c.key, store.InboxAnswered); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := in.Accept(ctx, "slack", "", ""); err == nil {
		t.Error("Accept with no key succeeded")
	}
}

// Under concurrent load the messages share transactions, and every one is
// recorded exactly once.
func TestAcceptSharesCommits(t *testing.T) {
	ctx := context.Background()
	c := &counting{Store: openStore(t, filepath.Join(t.TempDir(), "state.db"))}
	in := inbox.New(c, inbox.Options{})
	const senders, each = 32, 40
	var wg sync.WaitGroup
	var fresh atomic.Int64
	for s := range senders {
		wg.Go(func() {
			for i := range each {
				ok, err := in.Accept(ctx, "slack", fmt.Sprintf("C%d/%d", s, i), "m")
				if err != nil {
					t.Error(err)
					return
				}
				if ok {
					fresh.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if fresh.Load() != senders*each {
		t.Fatalf("%d of %d messages recorded as new", fresh.Load(), senders*each)
	}
	owed, err := c.ClaimInbox(ctx, "slack", "", time.Now(), time.Now().Add(time.Minute), store.ClaimAll)
	if err != nil || len(owed) != senders*each {
		t.Fatalf("%d owed (%v), want %d", len(owed), err, senders*each)
	}
	if n := c.commits.Load(); n > senders*each/2 {
		t.Errorf("%d transactions for %d messages: they did not share commits", n, senders*each)
	}
	t.Logf("%d messages in %d transactions", senders*each, c.commits.Load())
}

// When the state cannot be written every message of the batch is refused,
// so that none is acknowledged.
func TestAcceptFailsWholeBatch(t *testing.T) {
	c := &counting{Store: openStore(t, filepath.Join(t.TempDir(), "state.db")), fail: errors.New("disk I/O error")}
	in := inbox.New(c, inbox.Options{})
	if _, err := in.Accept(context.Background(), "slack", "C1/1", "m"); err == nil {
		t.Fatal("Accept succeeded while the store fails")
	}
}

// After a restart, what was acknowledged and not answered is owed, unless
// it is too old or has been tried too often.
func TestOwedAfterRestart(t *testing.T) {
	t.Run("file", func(t *testing.T) { testOwedAfterRestart(t, filepath.Join(t.TempDir(), "state.db")) })
	t.Run("postgres", func(t *testing.T) { testOwedAfterRestart(t, pg.Database(t)) })
}

func testOwedAfterRestart(t *testing.T, path string) {
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	st := openStore(t, path)
	in := inbox.New(st, inbox.Options{Now: clock, MaxAge: time.Hour, MaxAttempts: 2})
	for _, k := range []string{"old", "answered", "poison", "recent"} {
		if _, err := in.Accept(ctx, "slack", k, "message "+k); err != nil {
			t.Fatal(err)
		}
		if k == "old" {
			now = now.Add(50 * time.Minute)
		}
	}
	if err := in.Settle(ctx, "slack", "answered", store.InboxAnswered); err != nil {
		t.Fatal(err)
	}
	now = now.Add(20 * time.Minute) // "old" is 70 minutes old now, the rest 20
	want := []struct {
		keys []string
	}{
		{[]string{"poison", "recent"}}, // first restart
		{[]string{"poison", "recent"}}, // second: each tried once before
		{nil},                          // third: both tried twice, the limit
	}
	for i, w := range want {
		st.Close()
		st = openStore(t, path)
		in = inbox.New(st, inbox.Options{Now: clock, MaxAge: time.Hour, MaxAttempts: 2})
		owed, err := in.Owed(ctx, "slack", inbox.Abandoned)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, o := range owed {
			got = append(got, o.Key)
			if o.Message != "message "+o.Key || o.Attempts != i {
				t.Errorf("restart %d: %s has message %q and %d attempts", i+1, o.Key, o.Message, o.Attempts)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(w.keys) {
			t.Fatalf("restart %d: owed %v, want %v", i+1, got, w.keys)
		}
	}
	for key, outcome := range map[string]string{"old": store.InboxExpired, "answered": store.InboxAnswered, "poison": store.InboxFailed, "recent": store.InboxFailed} {
		if got, ok, err := st.InboxOutcome(ctx, "slack", key); err != nil || !ok || got != outcome {
			t.Errorf("%s: outcome %q (%v, %v), want %q", key, got, ok, err, outcome)
		}
	}
	// Settled entries still deduplicate.
	if fresh, err := in.Accept(ctx, "slack", "old", "again"); err != nil || fresh {
		t.Errorf("an expired message redelivered: Accept = %v, %v; want false", fresh, err)
	}
}

// Replicas sharing a database: a message one replica took on is left to
// it while it renews its hold, taken over by one other replica once the
// hold lapses, and by a singleton taking over at once.
func TestReplicasShareInbox(t *testing.T) {
	ctx := context.Background()
	url := pg.Database(t)
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	replica := func(name string) *inbox.Inbox {
		return inbox.New(openStore(t, url), inbox.Options{Owner: name, Lease: 30 * time.Second, Now: clock})
	}
	a, b, c := replica("a"), replica("b"), replica("c")
	const n = 40
	for i := range n {
		if fresh, err := a.Accept(ctx, "slack", fmt.Sprint("m", i), "q"); err != nil || !fresh {
			t.Fatalf("Accept: %v %v", fresh, err)
		}
	}
	// The same message reaching another replica is not new there.
	if fresh, err := b.Accept(ctx, "slack", "m0", "q"); err != nil || fresh {
		t.Fatalf("a message already taken by a was new to b: %v %v", fresh, err)
	}
	advance(10 * time.Second)
	if owed, err := b.Owed(ctx, "slack", inbox.Abandoned); err != nil || len(owed) != 0 {
		t.Fatalf("b took %d of a's messages while a holds them (%v)", len(owed), err)
	}
	// a's own periodic look leaves alone what a is answering.
	if owed, err := a.Owed(ctx, "slack", inbox.Lapsed); err != nil || len(owed) != 0 {
		t.Fatalf("a's periodic look took %d of the messages it is answering (%v)", len(owed), err)
	}
	advance(25 * time.Second) // a's hold has lapsed
	var wg sync.WaitGroup
	got := make([][]inbox.Owed, 2)
	for i, in := range []*inbox.Inbox{b, c} {
		wg.Go(func() {
			o, err := in.Owed(ctx, "slack", inbox.Lapsed)
			if err != nil {
				t.Error(err)
			}
			got[i] = o
		})
	}
	wg.Wait()
	seen := map[string]int{}
	for _, o := range append(got[0], got[1]...) {
		seen[o.Key]++
	}
	if len(seen) != n {
		t.Fatalf("b and c took %d distinct messages between them; want all %d", len(seen), n)
	}
	for k, times := range seen {
		if times != 1 {
			t.Fatalf("%s taken by %d replicas", k, times)
		}
	}
	// A singleton taking over claims everything still owed, held or not.
	if _, err := a.Accept(ctx, "matrix", "$e1", "q"); err != nil {
		t.Fatal(err)
	}
	if owed, err := b.Owed(ctx, "matrix", inbox.Everything); err != nil || len(owed) != 1 {
		t.Fatalf("taking over: %d owed (%v); want 1", len(owed), err)
	}
}

// Keep renews the hold of a live replica, so that others leave its
// messages alone for as long as it runs.
func TestKeepRenews(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url := pg.Database(t)
	lease := 600 * time.Millisecond
	a := inbox.New(openStore(t, url), inbox.Options{Owner: "a", Lease: lease})
	b := inbox.New(openStore(t, url), inbox.Options{Owner: "b", Lease: lease})
	if _, err := a.Accept(ctx, "slack", "m", "q"); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { a.Keep(ctx); close(done) }()
	deadline := time.Now().Add(4 * lease)
	for time.Now().Before(deadline) {
		if owed, err := b.Owed(ctx, "slack", inbox.Abandoned); err != nil || len(owed) != 0 {
			t.Fatalf("b took a's message while a renews it: %d (%v)", len(owed), err)
		}
		time.Sleep(lease / 4)
	}
	cancel()
	<-done
	ctx = context.Background()
	for deadline := time.Now().Add(10 * lease); ; time.Sleep(lease / 4) {
		owed, err := b.Owed(ctx, "slack", inbox.Abandoned)
		if err != nil {
			t.Fatal(err)
		}
		if len(owed) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("b never took over the message after a stopped renewing")
		}
	}
}

// BenchmarkAccept is the cost of recording one message, fsync included,
// alone and with 32 concurrent senders sharing commits.
func BenchmarkAccept(b *testing.B) {
	for _, c := range []struct {
		engine string
		par    int
	}{{"file", 1}, {"file", 32}, {"postgres", 1}, {"postgres", 32}} {
		b.Run(fmt.Sprintf("%s/senders=%d", c.engine, c.par), func(b *testing.B) {
			par := c.par
			where := filepath.Join(b.TempDir(), "state.db")
			if c.engine == "postgres" {
				where = pg.Database(b)
			}
			st, err := store.Open(context.Background(), where)
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			in := inbox.New(st, inbox.Options{})
			var n atomic.Int64
			b.SetParallelism(par)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := in.Accept(context.Background(), "slack", fmt.Sprint(n.Add(1)), `{"text":"what is co-governance?"}`); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// stuck is a store whose first transaction waits until released and then
// fails, as one does behind another process's lock until the busy timeout.
type stuck struct {
	*store.Store
	entered chan struct{}
	release chan struct{}
	calls   atomic.Int64
}

func (s *stuck) AcceptInbox(ctx context.Context, entries []store.InboxEntry) ([]bool, error) {
	if s.calls.Add(1) == 1 {
		close(s.entered)
		<-s.release
		return nil, errors.New("database is locked")
	}
	return s.Store.AcceptInbox(ctx, entries)
}

// Messages that queue behind a transaction that fails on a locked state
// file fail with it, instead of each waiting out the lock again: nothing
// waits longer than one busy timeout.
func TestQueueFailsWithLockedStore(t *testing.T) {
	ctx := context.Background()
	s := &stuck{Store: openStore(t, filepath.Join(t.TempDir(), "state.db")), entered: make(chan struct{}), release: make(chan struct{})}
	in := inbox.New(s, inbox.Options{})
	errs := make(chan error, 10)
	go func() { _, err := in.Accept(ctx, "slack", "first", "m"); errs <- err }()
	<-s.entered
	var queued sync.WaitGroup
	for i := range 9 {
		queued.Go(func() { _, err := in.Accept(ctx, "slack", fmt.Sprint("queued", i), "m"); errs <- err })
	}
	// The nine queue behind the first; give them the moment they need
	// to, then let the first fail. Should any arrive late, they commit on
	// their own and the check below says so.
	for range 100 {
		if inbox.QueueLen(in) == 9 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	close(s.release)
	queued.Wait()
	failed := 0
	for range 10 {
		if <-errs != nil {
			failed++
		}
	}
	if failed != 10 || s.calls.Load() != 1 {
		t.Errorf("%d of 10 failed after %d transactions; want all 10 failed with the one", failed, s.calls.Load())
	}
	// The store works again: the next message is recorded.
	if fresh, err := in.Accept(ctx, "slack", "after", "m"); err != nil || !fresh {
		t.Errorf("after the lock: Accept = %v, %v", fresh, err)
	}
}
