package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/policybot/policybot/bot"
	"github.com/policybot/policybot/bot/store"
)

// fakePlatform is a chat platform whose readiness and run loop the test
// sets. Unset behaviour panics, so a test cannot pass by accident.
type fakePlatform struct {
	name  string
	ready atomic.Pointer[error]
	run   func(ctx context.Context) error
}

func (f *fakePlatform) Name() string { return f.name }
func (f *fakePlatform) Run(ctx context.Context) error {
	if f.run == nil {
		panic("fakePlatform.Run called but the test set no run func")
	}
	return f.run(ctx)
}
func (f *fakePlatform) Ready() error {
	if p := f.ready.Load(); p != nil {
		return *p
	}
	return nil
}
func (f *fakePlatform) setReady(err error) { f.ready.Store(&err) }

// fakeCore answers with one quoted paragraph, after the test releases it
// when release is set.
type fakeCore struct {
	started chan struct{} // closed when Respond is entered, if set
	release chan struct{} // Respond waits for it, if set
	panics  bool
	once    sync.Once
}

func (c *fakeCore) Respond(ctx context.Context, m bot.Message) (bot.Reply, bool) {
	if c.started != nil {
		c.once.Do(func() { close(c.started) })
	}
	if c.release != nil {
		<-c.release
	}
	if c.panics {
		panic("boom")
	}
	if !strings.HasPrefix(m.Text, "/") && !m.Mentioned {
		return bot.Reply{}, false
	}
	return bot.Reply{Kind: bot.KindAnswer, Passages: []bot.Passage{{Paragraph: 6, Text: "quoted"}, {Paragraph: 9}}}, true
}

type failingDB struct{}

func (failingDB) SetState(context.Context, string, string, string) error {
	return errors.New("disk I/O error")
}

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Code, rec.Body.String()
}

func TestHealthEndpoints(t *testing.T) {
	slack := &fakePlatform{name: "slack"}
	matrix := &fakePlatform{name: "matrix"}
	m := newMetrics("v1.2.3")
	h := &health{platforms: []platform{slack, matrix}, db: openStore(t), now: time.Now, version: "v1.2.3"}
	mux := http.NewServeMux()
	h.register(mux, m.handler())

	code, body := get(t, mux, "/healthz")
	if code != 200 || !strings.Contains(body, `"status": "ok"`) || !strings.Contains(body, "v1.2.3") {
		t.Errorf("/healthz = %d %s", code, body)
	}

	readyz := func() (int, readiness) {
		code, body := get(t, mux, "/readyz")
		var rd readiness
		if err := json.Unmarshal([]byte(body), &rd); err != nil {
			t.Fatalf("/readyz is not JSON: %v: %s", err, body)
		}
		return code, rd
	}
	if code, rd := readyz(); code != 200 || !rd.Ready || !rd.Platforms["slack"].Ready || !rd.Platforms["matrix"].Ready || !rd.Database.Ready {
		t.Errorf("all ready: /readyz = %d %+v", code, rd)
	}

	matrix.setReady(errors.New("matrix: sync failing: connection refused"))
	code, rd := readyz()
	if code != 503 || rd.Ready || !rd.Platforms["slack"].Ready || rd.Platforms["matrix"].Ready ||
		rd.Platforms["matrix"].Error != "matrix: sync failing: connection refused" {
		t.Errorf("matrix down: /readyz = %d %+v", code, rd)
	}
	matrix.setReady(nil)

	h.db = failingDB{}
	if code, rd := readyz(); code != 503 || rd.Database.Ready || !strings.Contains(rd.Database.Error, "disk I/O error") {
		t.Errorf("database failing: /readyz = %d %+v", code, rd)
	}
	h.db = openStore(t)

	h.stopping.Store(true)
	if code, rd := readyz(); code != 503 || !rd.ShuttingDown {
		t.Errorf("shutting down: /readyz = %d %+v", code, rd)
	}

	if code, _ := get(t, mux, "/nope"); code != 404 {
		t.Errorf("unknown path = %d", code)
	}
}

func TestMetricsEndpoint(t *testing.T) {
	m := newMetrics("v9")
	var logs bytes.Buffer
	core := observe(&fakeCore{}, slog.New(slog.NewJSONHandler(&logs, nil)), m, nil)
	hooks := m.platform("slack")
	m.platform("matrix")
	core.Respond(context.Background(), bot.Message{Platform: "slack", Text: "/ask who governs", Conversation: bot.Conversation{ID: "C1"}})
	core.Respond(context.Background(), bot.Message{Platform: "slack", Text: "chatter"}) // not for the bot: not counted
	hooks.Reconnected()
	hooks.RateLimited(1500 * time.Millisecond)
	hooks.DigestDelivered()
	hooks.DigestFailed()
	hooks.DigestFailed()

	mux := http.NewServeMux()
	(&health{db: failingDB{}, now: time.Now}).register(mux, m.handler())
	code, body := get(t, mux, "/metrics")
	if code != 200 {
		t.Fatalf("/metrics = %d", code)
	}
	for _, want := range []string{
		`policybot_questions_total{outcome="answered",platform="slack"} 1`,
		`policybot_questions_total{outcome="declined",platform="slack"} 0`,
		`policybot_questions_total{outcome="answered",platform="matrix"} 0`,
		`policybot_answer_duration_seconds_count{platform="slack"} 1`,
		`policybot_reconnects_total{platform="slack"} 1`,
		`policybot_rate_limit_waits_total{platform="slack"} 1`,
		`policybot_rate_limit_wait_seconds_total{platform="slack"} 1.5`,
		`policybot_digest_deliveries_total{platform="slack"} 1`,
		`policybot_digest_failures_total{platform="slack"} 2`,
		`policybot_replies_in_flight 0`,
		`policybot_build_info{goversion="go`,
		`version="v9"} 1`,
		`go_goroutines `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func TestObservedLogsRepliesWithoutText(t *testing.T) {
	var logs bytes.Buffer
	m := newMetrics("v")
	core := observe(&fakeCore{}, slog.New(slog.NewJSONHandler(&logs, nil)), m, nil)
	r, ok := core.Respond(context.Background(), bot.Message{
		Platform: "matrix", ID: "$ev1", Text: "/ask secret question text",
		Conversation: bot.Conversation{ID: "!room:example.org"},
	})
	if !ok || r.Kind != bot.KindAnswer {
		t.Fatalf("reply = %+v, %v", r, ok)
	}
	var line map[string]any
	if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
		t.Fatalf("want one JSON log line: %v: %s", err, logs.String())
	}
	if line["platform"] != "matrix" || line["conversation"] != "!room:example.org" || line["message"] != "$ev1" || line["kind"] != "answer" {
		t.Errorf("log line lacks identifiers: %v", line)
	}
	if ps, _ := line["paragraphs"].([]any); len(ps) != 2 || ps[0] != 6.0 || ps[1] != 9.0 {
		t.Errorf("paragraphs = %v, want [6 9]", line["paragraphs"])
	}
	if _, ok := line["latency_ms"].(float64); !ok {
		t.Errorf("latency_ms missing: %v", line)
	}
	if strings.Contains(logs.String(), "secret question") {
		t.Errorf("the message text was logged: %s", logs.String())
	}

	logs.Reset()
	if _, ok := core.Respond(context.Background(), bot.Message{Platform: "matrix", Text: "chatter"}); ok || logs.Len() != 0 {
		t.Errorf("ignored message: ok=%v, logged %q", ok, logs.String())
	}
}

func TestObservedRecoversFromPanic(t *testing.T) {
	var logs bytes.Buffer
	m := newMetrics("v")
	core := observe(&fakeCore{panics: true}, slog.New(slog.NewTextHandler(&logs, nil)), m, nil)
	r, ok := core.Respond(context.Background(), bot.Message{Platform: "slack", Text: "/help"})
	if !ok || r.Kind != bot.KindError || r.Text == "" {
		t.Fatalf("after a panic: %+v, %v; want an error reply", r, ok)
	}
	if !strings.Contains(logs.String(), "panicked") || !strings.Contains(logs.String(), "boom") {
		t.Errorf("panic not logged: %s", logs.String())
	}
	if core.InFlight() != 0 {
		t.Errorf("a panicking reply stayed in flight")
	}
	_, body := get(t, m.handler(), "/metrics")
	if !strings.Contains(body, `policybot_questions_total{outcome="error",platform="slack"} 1`) {
		t.Errorf("panic not counted as an error")
	}
}
