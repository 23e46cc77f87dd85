package digest

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // zones from the binary, as in production, not the host

	"github.com/policybot/policybot/bot/bottest"
	"github.com/policybot/policybot/bot/localtime"

	"github.com/policybot/policybot/bot"
	"github.com/policybot/policybot/bot/store"
	"github.com/policybot/policybot/knowledge"
)

// fakeClock is a manual clock: time moves only when the test says.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []fakeWaiter
}

type fakeWaiter struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock(t time.Time) *fakeClock { return &fakeClock{now: t} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, fakeWaiter{c.now.Add(d), ch})
	return ch
}

// set moves the clock to t and fires every timer due by then.
func (c *fakeClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.now) {
		c.now = t
	}
	keep := c.waiters[:0]
	for _, w := range c.waiters {
		if w.at.After(c.now) {
			keep = append(keep, w)
		} else {
			w.ch <- c.now
		}
	}
	c.waiters = keep
}

// nextTimer is the earliest pending timer.
func (c *fakeClock) nextTimer() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var at time.Time
	for _, w := range c.waiters {
		if at.IsZero() || w.at.Before(at) {
			at = w.at
		}
	}
	return at, !at.IsZero()
}

// post is one digest visible in a conversation.
type post struct {
	conv, key string
	reply     bot.Reply
	at        time.Time
}

// call is one Deliver call.
type call struct {
	conv, key string
	retry     bool
	at        time.Time
}

// fakePlatform records digests like a chat platform would show them,
// and deduplicates a retry by key the way the Slack and Matrix senders
// must (looking in history / transaction IDs).
type fakePlatform struct {
	clk Clock
	// failAfterPost, when it returns true, makes Deliver post and then
	// report an error (a timeout after the platform accepted the post).
	failAfterPost func(c call) bool
	// failBeforePost makes Deliver fail without posting.
	failBeforePost func(c call) bool

	mu    sync.Mutex
	posts []post
	calls []call
}

func (p *fakePlatform) Deliver(ctx context.Context, conv string, r bot.Reply, key string, retry bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := call{conv, key, retry, p.clk.Now()}
	p.calls = append(p.calls, c)
	if p.failBeforePost != nil && p.failBeforePost(c) {
		return errors.New("platform unavailable")
	}
	if retry && slices.ContainsFunc(p.posts, func(x post) bool { return x.key == key }) {
		return nil
	}
	p.posts = append(p.posts, post{conv, key, r, c.at})
	if p.failAfterPost != nil && p.failAfterPost(c) {
		return errors.New("timeout reading the response")
	}
	return nil
}

func (p *fakePlatform) snapshot() ([]post, []call) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.posts), slices.Clone(p.calls)
}

// env is a scheduler over a real state file, restartable.
type env struct {
	t    *testing.T
	path string
	clk  *fakeClock
	plat *fakePlatform
	logs *bottest.Buffer
	opts func(*Options)
	// posters are the platforms registered, each posting to plat by
	// default.
	posters map[string]bot.DigestPoster

	st     *store.Store
	s      *Scheduler
	cancel context.CancelFunc
	done   chan struct{}
}

func newEnv(t *testing.T, start time.Time, opts func(*Options)) *env {
	return newEnvPosting(t, start, opts, nil)
}

// newEnvPosting is newEnv with the platforms' posters chosen by posters,
// given the fake platform.
func newEnvPosting(t *testing.T, start time.Time, opts func(*Options), posters func(*fakePlatform) map[string]bot.DigestPoster) *env {
	clk := newFakeClock(start)
	e := &env{t: t, path: filepath.Join(t.TempDir(), "policybot.db"), clk: clk,
		plat: &fakePlatform{clk: clk}, logs: &bottest.Buffer{}, opts: opts}
	e.posters = map[string]bot.DigestPoster{"slack": e.plat, "matrix": e.plat}
	if posters != nil {
		e.posters = posters(e.plat)
	}
	e.open()
	t.Cleanup(e.close)
	return e
}

// open opens the store and builds a scheduler, without running it.
func (e *env) open() {
	e.t.Helper()
	st, err := store.Open(context.Background(), e.path)
	if err != nil {
		e.t.Fatal(err)
	}
	seed := int64(0)
	o := Options{Store: st, Doc: knowledge.Embedded(), Clock: e.clk,
		Logger: slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Pace:   map[string]time.Duration{"slack": -1, "matrix": -1},
		Seed:   func() int64 { seed++; return seed * 7919 },
	}
	if e.opts != nil {
		e.opts(&o)
	}
	s, err := New(o)
	if err != nil {
		e.t.Fatal(err)
	}
	// The real core composes the digests, as in serve.
	core, _ := bottest.Core(e.t, bot.Options{})
	for _, p := range []bot.Platform{{Name: "slack", Prefix: "/"}, {Name: "matrix", Prefix: "!"}} {
		if poster := e.posters[p.Name]; poster != nil {
			if err := s.Register(p.Name, core.DigestSender(p, poster)); err != nil {
				e.t.Fatal(err)
			}
		}
	}
	e.st, e.s = st, s
}

// start runs the scheduler in the background.
func (e *env) start() {
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel, e.done = cancel, make(chan struct{})
	go func() {
		defer close(e.done)
		if err := e.s.Run(ctx); err != nil {
			e.t.Error(err)
		}
	}()
}

// close stops the scheduler and closes the store: a clean shutdown or,
// after a failpoint stopped a worker dead, what is left of a crash.
func (e *env) close() {
	if e.cancel != nil {
		e.cancel()
		<-e.done
		e.cancel = nil
	}
	if e.st != nil {
		e.st.Close()
		e.st = nil
	}
}

// restart is a new process on the same file.
func (e *env) restart() {
	e.close()
	e.open()
	e.start()
}

// runUntil lets the scheduler work, moving the fake clock from timer to
// timer, until the clock reaches end and everything is idle. It must run
// inside a synctest bubble: synctest.Wait is how it knows every goroutine
// is idle before it moves time.
func (e *env) runUntil(end time.Time, wait func()) {
	for {
		wait()
		at, ok := e.clk.nextTimer()
		if !ok || at.After(end) {
			e.clk.set(end)
			wait()
			return
		}
		e.clk.set(at)
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := localtime.LoadZone(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
