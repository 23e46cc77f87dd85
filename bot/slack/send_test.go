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

// TestAnswerSurvivesFailedPost: a mention whose first chat.postMessage
// fails (500, 503, a reset connection, or a 500 after Slack had kept the
// message) is answered exactly once. After a failure that may have posted,
// the thread is read for the answer's key before posting again; after a
// 429, which posts nothing, it is not.
func TestAnswerSurvivesFailedPost(t *testing.T) {
	for _, tc := range []struct {
		fault   string
		posts   int // chat.postMessage attempts
		lookups int // conversations.replies calls
	}{
		{"500", 2, 1},
		{"503", 2, 1},
		{"reset", 2, 1},
		{"500-recorded", 1, 1},
		{"429", 1, 0}, // the fake does not record the refused call
	} {
		t.Run(tc.fault, func(t *testing.T) {
			var logs lockedBuffer
			e := newTestEnv(t, func(o *Options) { o.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
			e.core.respond = echo
			e.api.keepPosts = true
			if tc.fault == "429" {
				e.api.limited = 1
			} else {
				e.api.faults = []string{tc.fault}
			}
			body := eventJSON("EvFault", map[string]any{"type": "app_mention", "user": "U1", "text": "<@UBOT> hi", "ts": "1.1", "channel": "C1"})
			if w := e.serve(e.signed("/slack/events", "application/json", body)); w.Code != http.StatusOK {
				t.Fatalf("status %d", w.Code)
			}
			e.a.flights.Wait()
			if n := e.api.answers("EvFault"); n != 1 {
				t.Fatalf("%d answers in the thread, want exactly 1\n%s", n, logs.String())
			}
			var posts, lookups int
			for _, c := range e.api.recorded() {
				switch {
				case strings.HasPrefix(c.Path, "/chat.postMessage"):
					posts++
					if c.Form.Get("thread_ts") != "1.1" {
						t.Errorf("posted outside the thread: %v", c.Form)
					}
				case c.Path == "/conversations.replies":
					lookups++
					if c.Form.Get("ts") != "1.1" || c.Form.Get("include_all_metadata") != "1" {
						t.Errorf("looked for the earlier copy with %v", c.Form)
					}
				}
			}
			if posts != tc.posts || lookups != tc.lookups {
				t.Errorf("%d posts and %d lookups, want %d and %d\n%s", posts, lookups, tc.posts, tc.lookups, logs.String())
			}
			if tc.fault == "500-recorded" && !strings.Contains(logs.String(), "had been posted after all") {
				t.Errorf("the found copy is not logged:\n%s", logs.String())
			}
		})
	}
}

// TestFailedPostUncheckable: when the thread cannot be read after an
// ambiguous failure, the answer is posted again and the log says that it
// may now show twice.
func TestFailedPostUncheckable(t *testing.T) {
	var logs lockedBuffer
	e := newTestEnv(t, func(o *Options) { o.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
	e.api.faults = []string{"500"}
	e.api.repliesError = "missing_scope"
	if _, err := e.a.send.post(t.Context(), "C1", Rendered{Text: "hi"}, inThread("1.1"), keyed(answerEventType, "k")); err != nil {
		t.Fatal(err)
	}
	if out := logs.String(); !strings.Contains(out, "cannot be read to check") || !strings.Contains(out, "missing_scope") {
		t.Errorf("the blind re-post is not logged with its reason:\n%s", out)
	}
}

// TestPostGivesUpAtDeadline: a channel that keeps failing is given up on
// once the deadline has passed, and the answer's failure is logged once
// with the channel and the reason.
func TestPostGivesUpAtDeadline(t *testing.T) {
	var logs lockedBuffer
	e := newTestEnv(t, func(o *Options) { o.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
	e.core.respond = echo
	for range 50 {
		e.api.faults = append(e.api.faults, "503")
	}
	body := eventJSON("EvDead", map[string]any{"type": "app_mention", "user": "U1", "text": "<@UBOT> hi", "ts": "1.1", "channel": "C9"})
	if w := e.serve(e.signed("/slack/events", "application/json", body)); w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	e.a.flights.Wait()
	out := logs.String()
	if n := strings.Count(out, "could not post answer"); n != 1 || !strings.Contains(out, "channel=C9") || !strings.Contains(out, "deadline") || !strings.Contains(out, "503") {
		t.Fatalf("want one log line naming the channel, the deadline and the 503:\n%s", out)
	}
	var waited time.Duration
	for _, d := range e.clock.Sleeps() {
		waited += d
	}
	if waited > 2*time.Minute || waited < time.Minute {
		t.Errorf("retried for %v, want up to the 2 min deadline", waited)
	}
}
