package matrix

import (
	"context"
	"database/sql"
	"log/slog"
	"sync"
	"testing"
	"time"

	"maunium.net/go/mautrix"

	"github.com/policybot/policybot/bot"
)

// memStore is an in-memory Store for unit tests that need no database.
type memStore struct {
	mu    sync.Mutex
	state map[string]string
}

func newMemStore() *memStore {
	return &memStore{state: map[string]string{}}
}

func (m *memStore) DB() *sql.DB { panic("memStore has no database") }

func (m *memStore) Dialect() string { return "sqlite" }

func (m *memStore) GetState(_ context.Context, ns, key string) (string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.state[ns+"\x00"+key]
	return v, ok, nil
}

func (m *memStore) SetState(_ context.Context, ns, key, value string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.state[ns+"\x00"+key] = value
	return nil
}

// fakeCore is a Responder that records messages; Respond panics unless
// the test set reply.
type fakeCore struct {
	mu    sync.Mutex
	got   []bot.Message
	reply func(bot.Message) (bot.Reply, bool)
}

func (f *fakeCore) Respond(_ context.Context, m bot.Message) (bot.Reply, bool) {
	f.mu.Lock()
	f.got = append(f.got, m)
	f.mu.Unlock()
	if f.reply == nil {
		panic("fakeCore.Respond called but the test set no reply")
	}
	return f.reply(m)
}

// sleeps records waits instead of sleeping.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

// testAdapter is an adapter wired to a client for homeserver hs without
// logging in, with an in-memory room state.
func testAdapter(t *testing.T, hs string, core bot.Responder) (*Adapter, *sleeps) {
	t.Helper()
	sl := &sleeps{}
	if core == nil {
		core = &fakeCore{}
	}
	a, err := New(Options{
		Homeserver: hs, UserID: "@policybot:example.org", AccessToken: "tok",
		Store: newMemStore(), Responder: core, Sleep: sl.sleep, Logger: slog.New(slog.DiscardHandler),
		Now: func() time.Time { return time.UnixMilli(1_000_000) },
	})
	if err != nil {
		t.Fatal(err)
	}
	cli, err := mautrix.NewClient(hs, "@policybot:example.org", "tok")
	if err != nil {
		t.Fatal(err)
	}
	cli.DefaultHTTPRetries = 0
	cli.IgnoreRateLimit = true
	cli.StateStore = mautrix.NewMemoryStateStore()
	a.cli = cli
	a.cutoffMS = 1_000_000
	return a, sl
}
