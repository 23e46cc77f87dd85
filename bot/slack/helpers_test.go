package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack/slacktest"

	"github.com/policybot/policybot/bot"
	"github.com/policybot/policybot/bot/delivery/deliverytest"
)

const (
	testBotUser = "UBOT"
	testBotID   = "BBOT"
	testSecret  = "8f742231b10e8888abcd99yyyzzz85a5"
)

// fakeResponder stands in for the core until a test needs the real one.
// It panics unless the test says how to answer, so an unexpected call is
// loud.
type fakeResponder struct {
	mu      sync.Mutex
	respond func(bot.Message) (bot.Reply, bool)
	got     []bot.Message
}

func (f *fakeResponder) Respond(_ context.Context, m bot.Message) (bot.Reply, bool) {
	f.mu.Lock()
	f.got = append(f.got, m)
	fn := f.respond
	f.mu.Unlock()
	if fn == nil {
		panic("fakeResponder.Respond called but the test did not set respond")
	}
	return fn(m)
}

func (f *fakeResponder) messages() []bot.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]bot.Message(nil), f.got...)
}

// echo answers every message with a one-passage reply quoting its text.
func echo(m bot.Message) (bot.Reply, bool) {
	return bot.Reply{Kind: bot.KindAnswer, Title: "Echo", Passages: []bot.Passage{{Text: m.Text, Citation: "test ¶1"}}}, true
}

// call is one request the fake Web API or a response_url received.
type call struct {
	Path string
	Form url.Values     // Web API methods (form-encoded by slack-go)
	JSON map[string]any // response_url posts
}

// fakeSlack is slack-go's slacktest server with handlers that record what
// the adapter sends; slacktest's own handlers record nothing.
type fakeSlack struct {
	srv *slacktest.Server

	mu        sync.Mutex
	calls     []call
	notify    chan call
	limited   int              // answer this many chat.postMessage calls with 429 first
	history   []map[string]any // conversations.history messages
	keepPosts bool             // chat.postMessage adds the message to history, newest first, as Slack does
	posted    int              // chat.postMessage calls answered ok
	failPost  string           // chat.postMessage answers ok:false with this error
	postDelay time.Duration    // how long chat.postMessage takes to answer
	inFlight  int              // chat.postMessage calls being answered
	maxFlight int              // the most in flight at once
	// faults are how the next chat.postMessage calls fail, one each, in
	// order: "500" and "503" answer that status, "500-recorded" keeps the
	// message (as keepPosts does) and then answers 500, "reset" reads the
	// request and resets the connection.
	faults       []string
	repliesError string // conversations.replies answers ok:false with this error
	wsURL        string // what apps.connections.open hands out
	opens        int    // apps.connections.open calls
	authError    string // auth.test answers ok:false with this error
}

func newFakeSlack(t testing.TB) *fakeSlack {
	f := &fakeSlack{notify: make(chan call, 100)}
	f.srv = slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/auth.test", func(w http.ResponseWriter, r *http.Request) {
			f.mu.Lock()
			fail := f.authError
			f.mu.Unlock()
			if fail != "" {
				writeJSON(w, map[string]any{"ok": false, "error": fail})
				return
			}
			writeJSON(w, map[string]any{"ok": true, "team": "Test", "user": "policybot", "user_id": testBotUser, "bot_id": testBotID})
		})
		c.Handle("/chat.postMessage", f.postMessage)
		c.Handle("/chat.postEphemeral", f.record)
		c.Handle("/views.open", func(w http.ResponseWriter, r *http.Request) {
			var m map[string]any
			b, _ := io.ReadAll(r.Body)
			_ = json.Unmarshal(b, &m)
			f.add(call{Path: r.URL.Path, JSON: m})
			writeJSON(w, map[string]any{"ok": true, "view": map[string]any{"id": "V1"}})
		})
		c.Handle("/conversations.history", f.conversationsHistory)
		c.Handle("/conversations.replies", f.conversationsReplies)
		c.Handle("/hook/", f.hook)
		c.Handle("/apps.connections.open", func(w http.ResponseWriter, r *http.Request) {
			f.mu.Lock()
			f.opens++
			u := f.wsURL
			f.mu.Unlock()
			if r.Header.Get("Authorization") != "Bearer xapp-test" {
				writeJSON(w, map[string]any{"ok": false, "error": "invalid_auth"})
				return
			}
			writeJSON(w, map[string]any{"ok": true, "url": u})
		})
	})
	f.srv.Start()
	t.Cleanup(f.srv.Stop)
	return f
}

// newKeepingSlack is a fake Slack for the tests that run the binary: it
// keeps every post in its channel history (what answers counts and the
// earlier-copy search reads), answers each post after postDelay, and
// nobody waits on its notifications.
func newKeepingSlack(t testing.TB, postDelay time.Duration) *fakeSlack {
	f := newFakeSlack(t)
	f.keepPosts = true
	f.postDelay = postDelay
	f.discardNotifications(t)
	return f
}

func (f *fakeSlack) url() string { return f.srv.GetAPIURL() }

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// discardNotifications keeps the call notifications from filling up, for
// tests that count calls instead of waiting for them one by one.
func (f *fakeSlack) discardNotifications(t testing.TB) {
	done := make(chan struct{})
	t.Cleanup(func() { close(done) })
	go func() {
		for {
			select {
			case <-f.notify:
			case <-done:
				return
			}
		}
	}()
}

func (f *fakeSlack) add(c call) {
	f.mu.Lock()
	f.calls = append(f.calls, c)
	f.mu.Unlock()
	f.notify <- c
}

func (f *fakeSlack) record(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	f.add(call{Path: r.URL.Path, Form: r.PostForm})
	writeJSON(w, map[string]any{"ok": true, "message_ts": "1.000001"})
}

func (f *fakeSlack) postMessage(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	f.mu.Lock()
	limited := f.limited > 0
	if limited {
		f.limited--
	}
	fail, delay := f.failPost, f.postDelay
	fault := ""
	if !limited && len(f.faults) > 0 {
		fault, f.faults = f.faults[0], f.faults[1:]
	}
	f.inFlight++
	f.maxFlight = max(f.maxFlight, f.inFlight)
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inFlight--
		f.mu.Unlock()
	}()
	time.Sleep(delay)
	if limited {
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	switch fault {
	case "500", "503":
		f.add(call{Path: r.URL.Path + " (failed " + fault + ")", Form: r.PostForm})
		http.Error(w, "<html>server error</html>", map[string]int{"500": 500, "503": 503}[fault])
		return
	case "reset":
		f.add(call{Path: r.URL.Path + " (failed reset)", Form: r.PostForm})
		resetConnection(w)
		return
	case "500-recorded":
		f.keep(r.PostForm, true)
		f.add(call{Path: r.URL.Path + " (failed 500 after recording)", Form: r.PostForm})
		http.Error(w, "<html>server error</html>", http.StatusInternalServerError)
		return
	}
	if fail != "" {
		writeJSON(w, map[string]any{"ok": false, "error": fail})
		return
	}
	ts := f.keep(r.PostForm, false)
	f.add(call{Path: r.URL.Path, Form: r.PostForm})
	writeJSON(w, map[string]any{"ok": true, "channel": r.PostForm.Get("channel"), "ts": ts})
}

// keep counts a posted message and, with keepPosts (or always), adds it to
// the history, newest first, as Slack does, and returns its ts.
func (f *fakeSlack) keep(form url.Values, always bool) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.posted++
	ts := fmt.Sprintf("1700000000.%06d", f.posted)
	if f.keepPosts || always {
		m := map[string]any{"type": "message", "ts": ts, "bot_id": testBotID, "text": form.Get("text")}
		if th := form.Get("thread_ts"); th != "" {
			m["thread_ts"] = th
		}
		if meta := form.Get("metadata"); meta != "" {
			var v map[string]any
			if err := json.Unmarshal([]byte(meta), &v); err == nil {
				m["metadata"] = v
			}
		}
		f.history = append([]map[string]any{m}, f.history...)
	}
	return ts
}

// resetConnection drops the client's connection with a TCP reset, as a
// failing load balancer does, after the request has been read.
func resetConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// conversationsReplies answers with the kept messages of the thread,
// oldest first.
func (f *fakeSlack) conversationsReplies(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	f.add(call{Path: r.URL.Path, Form: r.Form})
	thread := r.Form.Get("ts")
	f.mu.Lock()
	if fail := f.repliesError; fail != "" {
		f.mu.Unlock()
		writeJSON(w, map[string]any{"ok": false, "error": fail})
		return
	}
	msgs := []map[string]any{}
	for i := len(f.history) - 1; i >= 0; i-- {
		if m := f.history[i]; m["thread_ts"] == thread {
			msgs = append(msgs, m)
		}
	}
	f.mu.Unlock()
	writeJSON(w, map[string]any{"ok": true, "messages": msgs, "has_more": false})
}

// recorded is every call so far.
func (f *fakeSlack) recorded() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

// answers counts the kept messages that carry the answer key.
func (f *fakeSlack) answers(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, m := range f.history {
		meta, _ := m["metadata"].(map[string]any)
		payload, _ := meta["event_payload"].(map[string]any)
		if meta["event_type"] == answerEventType && payload["key"] == key {
			n++
		}
	}
	return n
}

func (f *fakeSlack) conversationsHistory(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	f.add(call{Path: r.URL.Path, Form: r.PostForm})
	f.mu.Lock()
	msgs := f.history
	f.mu.Unlock()
	if msgs == nil {
		msgs = []map[string]any{}
	}
	writeJSON(w, map[string]any{"ok": true, "messages": msgs, "has_more": false})
}

// hook plays a response_url.
func (f *fakeSlack) hook(w http.ResponseWriter, r *http.Request) {
	var m map[string]any
	b, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(b, &m); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	f.add(call{Path: "/hook", JSON: m})
	_, _ = w.Write([]byte("ok"))
}

// hookURL is a response_url served by the fake.
func (f *fakeSlack) hookURL() string {
	return strings.TrimSuffix(f.url(), "/") + "/hook/T1/1/abc"
}

// next waits for the next recorded call.
func (f *fakeSlack) next(t testing.TB) call {
	t.Helper()
	select {
	case c := <-f.notify:
		return c
	case <-time.After(5 * time.Second):
		t.Fatal("no call reached the fake Slack API within 5s")
		return call{}
	}
}

// none asserts that nothing more arrives once in-flight work is done.
func (f *fakeSlack) none(t testing.TB, a *Adapter) {
	t.Helper()
	a.flights.Wait()
	select {
	case c := <-f.notify:
		t.Fatalf("unexpected call %s %v %v", c.Path, c.Form, c.JSON)
	default:
	}
}

// fakeClock is a clock whose Sleep advances it instantly and records the
// waits, so pacing and Retry-After are tested without waiting.
type fakeClock = deliverytest.Clock

func newFakeClock() *fakeClock { return deliverytest.NewClock() }

type testEnv struct {
	a     *Adapter
	api   *fakeSlack
	core  *fakeResponder
	clock *fakeClock
}

// newTestEnv builds an adapter against a fake Slack with a fake core.
func newTestEnv(t testing.TB, mod func(*Options)) *testEnv {
	t.Helper()
	api := newFakeSlack(t)
	core := &fakeResponder{}
	clock := newFakeClock()
	o := Options{
		BotToken: "xoxb-test", SigningSecret: testSecret, APIURL: api.url(),
		Responder: core, Now: clock.Now, Sleep: clock.Sleep,
		Logger: slog.New(slog.DiscardHandler),
	}
	if mod != nil {
		mod(&o)
	}
	a, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.flights.Wait() })
	return &testEnv{a: a, api: api, core: core, clock: clock}
}

// signed builds a request signed like Slack signs it, at the env's clock.
func (e *testEnv) signed(path, contentType, body string) *http.Request {
	return signedRequest(path, contentType, body, testSecret, e.clock.Now())
}

func signedRequest(path, contentType, body, secret string, at time.Time) *http.Request {
	r, _ := http.NewRequest(http.MethodPost, path, strings.NewReader(body))
	ts := fmt.Sprint(at.Unix())
	r.Header.Set("Content-Type", contentType)
	r.Header.Set("X-Slack-Request-Timestamp", ts)
	r.Header.Set("X-Slack-Signature", SignatureHeader(secret, ts, []byte(body)))
	return r
}

const formType = "application/x-www-form-urlencoded"

func commandForm(cmd, text, channel, responseURL string) string {
	return url.Values{
		"command": {cmd}, "text": {text}, "user_id": {"U2CERLKJA"}, "user_name": {"roadrunner"},
		"channel_id": {channel}, "channel_name": {"general"}, "response_url": {responseURL},
		"trigger_id": {"398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"},
	}.Encode()
}

func eventJSON(eventID string, inner map[string]any) string {
	b, _ := json.Marshal(map[string]any{"type": "event_callback", "event_id": eventID, "event": inner})
	return string(b)
}

// blocks returns the "blocks" form field of a call as JSON without HTML
// escaping, so tests can look for Slack markup in it.
func (c call) blocks() string {
	var v any
	if err := json.Unmarshal([]byte(c.Form.Get("blocks")), &v); err != nil {
		return ""
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return b.String()
}
