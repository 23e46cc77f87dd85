package slack

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestPostPacedPerChannel(t *testing.T) {
	e := newTestEnv(t, nil)
	ctx := t.Context()
	for _, ch := range []string{"C1", "C1", "C2", "C1"} {
		if _, err := e.a.send.post(ctx, ch, Rendered{Text: "hi"}); err != nil {
			t.Fatal(err)
		}
	}
	// C1's 2nd and 3rd posts wait a second each; C2 is not held up by C1.
	got := e.clock.Sleeps()
	if len(got) != 2 || got[0] != time.Second || got[1] != time.Second {
		t.Fatalf("waits %v, want [1s 1s]", got)
	}
	for i := 0; i < 4; i++ {
		e.api.next(t)
	}
}

func TestRateLimitRetryAfter(t *testing.T) {
	var mu sync.Mutex
	var hooks []time.Duration
	e := newTestEnv(t, func(o *Options) {
		o.OnRateLimited = func(d time.Duration) { mu.Lock(); hooks = append(hooks, d); mu.Unlock() }
	})
	e.api.limited = 2
	if _, err := e.a.send.post(t.Context(), "C1", Rendered{Text: "hi"}); err != nil {
		t.Fatalf("post after two 429s: %v", err)
	}
	if c := e.api.next(t); c.Form.Get("text") != "hi" {
		t.Fatalf("posted %v", c.Form)
	}
	if len(hooks) != 2 || hooks[0] != 7*time.Second {
		t.Errorf("OnRateLimited got %v, want [7s 7s]", hooks)
	}
	var waited time.Duration
	for _, d := range e.clock.Sleeps() {
		waited += d
	}
	if waited < 14*time.Second {
		t.Errorf("waited %v in total, want at least the two Retry-After of 7s", waited)
	}
}

func TestRateLimitGivesUp(t *testing.T) {
	e := newTestEnv(t, nil)
	e.api.limited = 100
	_, err := e.a.send.post(t.Context(), "C5", Rendered{Text: "hi"})
	if err == nil || !strings.Contains(err.Error(), "C5") || !strings.Contains(err.Error(), "rate limit") {
		t.Fatalf("err = %v, want a rate limit error naming the channel", err)
	}
}

func TestPostFailureLogged(t *testing.T) {
	var logs bytes.Buffer
	e := newTestEnv(t, func(o *Options) { o.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
	e.core.respond = echo
	e.api.failPost = "channel_not_found"
	body := eventJSON("Ev1", map[string]any{"type": "app_mention", "user": "U1", "text": "<@UBOT> hi", "ts": "1.1", "channel": "C404"})
	if w := e.serve(e.signed("/slack/events", "application/json", body)); w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	e.a.flights.Wait()
	out := logs.String()
	if !strings.Contains(out, "could not post answer") || !strings.Contains(out, "channel=C404") || !strings.Contains(out, "channel_not_found") {
		t.Fatalf("failure not logged with channel and reason:\n%s", out)
	}
}
