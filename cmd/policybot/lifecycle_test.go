package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/policybot/policybot/bot/bottest"

	"github.com/policybot/policybot/bot"
)

// testLifecycle builds a lifecycle on a loopback port whose shutdown
// timeout fires only when the test sends on the returned channel.
type testLifecycle struct {
	*lifecycle
	logs     *bottest.Buffer
	draining chan struct{} // closed when shutdown starts waiting
	deadline chan time.Time
	closed   atomic.Bool
	addr     string
}

func newTestLifecycle(t *testing.T, platforms ...platform) *testLifecycle {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tl := &testLifecycle{logs: &bottest.Buffer{}, draining: make(chan struct{}), deadline: make(chan time.Time, 1), addr: ln.Addr().String()}
	log := slog.New(slog.NewTextHandler(tl.logs, nil))
	mux := http.NewServeMux()
	h := &health{platforms: platforms, db: openStore(t), now: time.Now, version: "test"}
	h.register(mux, newMetrics("test").handler())
	var services []service
	for _, p := range platforms {
		services = append(services, p)
	}
	var once sync.Once
	tl.lifecycle = &lifecycle{
		log: log, services: services, server: &http.Server{Handler: mux}, listener: ln,
		health: h, flights: bot.NewGuard(nil, bot.GuardOptions{}), timeout: 10 * time.Second,
		after: func(time.Duration) <-chan time.Time {
			once.Do(func() { close(tl.draining) })
			return tl.deadline
		},
		close: func() error { tl.closed.Store(true); return nil },
	}
	return tl
}

// adapterLike behaves as the real adapters do on shutdown: it answers a
// message in its own goroutine and, when ctx ends, waits for that answer
// before Run returns.
func adapterLike(name string, core bot.Responder, sent chan<- bot.Reply) *fakePlatform {
	return &fakePlatform{name: name, run: func(ctx context.Context) error {
		var wg sync.WaitGroup
		wg.Go(func() {
			r, ok := core.Respond(context.WithoutCancel(ctx), bot.Message{Platform: name, Text: "/ask who governs the internet"})
			if ok {
				sent <- r
			}
		})
		<-ctx.Done()
		wg.Wait()
		return nil
	}}
}

// TestShutdownFinishesReplyInFlight: SIGTERM arrives while the core is
// still producing a reply. The reply must complete and be sent, and only
// then may the database close and serve return nil (exit 0).
func TestShutdownFinishesReplyInFlight(t *testing.T) {
	fc := &fakeCore{started: make(chan struct{}), release: make(chan struct{})}
	sent := make(chan bot.Reply, 1)
	var tl *testLifecycle
	core := observe(fc, slog.New(slog.DiscardHandler), newMetrics("t"), nil)
	p := adapterLike("slack", core, sent)
	tl = newTestLifecycle(t, p)
	tl.flights = core

	ctx, sigterm := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- tl.run(ctx) }()

	<-fc.started // a reply is in flight
	if code, _ := httpGet(t, "http://"+tl.addr+"/healthz"); code != 200 {
		t.Fatalf("/healthz while running = %d", code)
	}
	sigterm()
	<-tl.draining // shutdown has begun and is waiting

	if rd := tl.health.readiness(context.Background()); rd.Ready || !rd.ShuttingDown {
		t.Errorf("readiness while draining = %+v, want shutting down", rd)
	}
	select {
	case err := <-done:
		t.Fatalf("serve returned (%v) with a reply still in flight", err)
	default:
	}
	if tl.closed.Load() {
		t.Fatal("database closed with a reply still in flight")
	}
	if tl.flights.InFlight() != 1 {
		t.Errorf("in flight = %d, want 1", tl.flights.InFlight())
	}

	close(fc.release) // the reply completes
	if err := <-done; err != nil {
		t.Fatalf("serve after SIGTERM = %v, want nil (exit 0)", err)
	}
	select {
	case r := <-sent:
		if r.Kind != bot.KindAnswer {
			t.Errorf("sent %+v", r)
		}
	default:
		t.Fatal("the reply in flight was not sent")
	}
	if !tl.closed.Load() {
		t.Error("database not closed")
	}
	if _, err := net.Dial("tcp", tl.addr); err == nil {
		t.Error("HTTP server still accepting connections after shutdown")
	}
	if !strings.Contains(tl.logs.String(), "all work in flight finished") {
		t.Errorf("logs: %s", tl.logs.String())
	}
}

// TestShutdownTimeout: a reply that never finishes cannot hold the process
// past shutdown_timeout; the database is still closed.
func TestShutdownTimeout(t *testing.T) {
	fc := &fakeCore{started: make(chan struct{}), release: make(chan struct{})}
	defer close(fc.release)
	core := observe(fc, slog.New(slog.DiscardHandler), newMetrics("t"), nil)
	tl := newTestLifecycle(t, adapterLike("matrix", core, make(chan bot.Reply, 1)))
	tl.flights = core
	ctx, sigterm := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- tl.run(ctx) }()
	<-fc.started
	sigterm()
	<-tl.draining
	tl.deadline <- time.Time{} // the shutdown timeout fires
	if err := <-done; err != nil {
		t.Fatalf("serve = %v, want nil", err)
	}
	if !tl.closed.Load() {
		t.Error("database not closed after the timeout")
	}
	if logs := tl.logs.String(); !strings.Contains(logs, "shutdown timeout reached") || !strings.Contains(logs, "replies_in_flight=1") {
		t.Errorf("timeout not logged with the work abandoned: %s", logs)
	}
}

// TestPlatformFailureStopsServe: a platform that fails for good (bad
// credentials) ends serve with its error, after a clean shutdown of the
// rest, so the supervisor restarts it and the operator sees why.
func TestPlatformFailureStopsServe(t *testing.T) {
	bad := &fakePlatform{name: "matrix", run: func(context.Context) error {
		return errors.New("login refused: M_FORBIDDEN")
	}}
	stopped := make(chan struct{})
	good := &fakePlatform{name: "slack", run: func(ctx context.Context) error {
		<-ctx.Done()
		close(stopped)
		return nil
	}}
	tl := newTestLifecycle(t, good, bad)
	err := tl.run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "matrix: login refused: M_FORBIDDEN") {
		t.Fatalf("serve = %v, want the matrix failure", err)
	}
	select {
	case <-stopped:
	default:
		t.Error("the healthy platform was not stopped")
	}
	if !tl.closed.Load() {
		t.Error("database not closed")
	}
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
