package matrix

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/policybot/policybot/bot"
)

// scriptedHomeserver answers sends with the given responses in turn and
// records the transaction IDs it was sent.
type scriptedHomeserver struct {
	mu      sync.Mutex
	answers []func(w http.ResponseWriter)
	txns    []string
	bodies  []map[string]any
}

func (s *scriptedHomeserver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPut || !strings.Contains(r.URL.Path, "/send/m.room.message/") {
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.txns = append(s.txns, r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:])
	var body map[string]any
	_ = json.NewDecoder(r.Body).Decode(&body)
	s.bodies = append(s.bodies, body)
	n := len(s.txns) - 1
	if n >= len(s.answers) {
		w.Write([]byte(`{"event_id":"$sent"}`))
		return
	}
	s.answers[n](w)
}

func limited(body string, header string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		if header != "" {
			w.Header().Set("Retry-After", header)
		}
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write([]byte(body))
	}
}

func status(code int) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) { w.WriteHeader(code); w.Write([]byte(`{}`)) }
}

func TestSendRetriesWithSameTransactionID(t *testing.T) {
	hs := &scriptedHomeserver{answers: []func(http.ResponseWriter){
		limited(`{"errcode":"M_LIMIT_EXCEEDED","error":"slow down","retry_after_ms":1500}`, ""),
		limited(`{"errcode":"M_LIMIT_EXCEEDED","error":"slow down"}`, "7"),
		status(http.StatusBadGateway),
	}}
	srv := httptest.NewServer(hs)
	defer srv.Close()
	a, sl := testAdapter(t, srv.URL, nil)
	var limits []time.Duration
	a.OnRateLimited = func(d time.Duration) { limits = append(limits, d) }

	evt, err := a.send(context.Background(), "!room:example.org", Render(bot.Reply{Text: "hi"}), txnID("reply", "$q"))
	if err != nil {
		t.Fatal(err)
	}
	if evt != "$sent" {
		t.Errorf("event ID %q", evt)
	}
	if len(hs.txns) != 4 {
		t.Fatalf("%d attempts, want 4", len(hs.txns))
	}
	for _, txn := range hs.txns {
		if txn != hs.txns[0] {
			t.Errorf("transaction IDs differ between attempts: %v", hs.txns)
		}
	}
	want := []time.Duration{1500 * time.Millisecond, 7 * time.Second, defaultBackoff(3)}
	if len(sl.d) != 3 || sl.d[0] != want[0] || sl.d[1] != want[1] || sl.d[2] != want[2] {
		t.Errorf("waits %v, want %v", sl.d, want)
	}
	if len(limits) != 2 || limits[0] != want[0] || limits[1] != want[1] {
		t.Errorf("OnRateLimited got %v", limits)
	}
}

func TestSendGivesUpOnPermanentError(t *testing.T) {
	hs := &scriptedHomeserver{answers: []func(http.ResponseWriter){
		func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"errcode":"M_FORBIDDEN","error":"not in room"}`))
		},
	}}
	srv := httptest.NewServer(hs)
	defer srv.Close()
	a, sl := testAdapter(t, srv.URL, nil)
	_, err := a.send(context.Background(), "!room:example.org", Render(bot.Reply{Text: "hi"}), "t")
	if err == nil || !strings.Contains(err.Error(), "!room:example.org") {
		t.Fatalf("err = %v, want a failure naming the room", err)
	}
	if len(hs.txns) != 1 || len(sl.d) != 0 {
		t.Errorf("%d attempts and waits %v; a 403 must not be retried", len(hs.txns), sl.d)
	}
}

func TestSendBoundsAttempts(t *testing.T) {
	var answers []func(http.ResponseWriter)
	for range 20 {
		answers = append(answers, status(http.StatusServiceUnavailable))
	}
	hs := &scriptedHomeserver{answers: answers}
	srv := httptest.NewServer(hs)
	defer srv.Close()
	a, _ := testAdapter(t, srv.URL, nil)
	if _, err := a.send(context.Background(), "!r:example.org", Render(bot.Reply{Text: "x"}), "t"); err == nil {
		t.Fatal("send succeeded against a homeserver that always fails")
	}
	if len(hs.txns) != a.opts.MaxSendAttempts {
		t.Errorf("%d attempts, want %d", len(hs.txns), a.opts.MaxSendAttempts)
	}
}

func TestDeliverUsesKeyAsTransaction(t *testing.T) {
	hs := &scriptedHomeserver{}
	srv := httptest.NewServer(hs)
	defer srv.Close()
	a, _ := testAdapter(t, srv.URL, nil)
	r := bot.Reply{Kind: bot.KindAnswer, Passages: []bot.Passage{{Text: "q", Citation: "c"}}}
	if err := a.Deliver(context.Background(), "!r:example.org", r, "k", false); err == nil || len(hs.txns) != 0 {
		t.Fatalf("Deliver before the first sync: err %v, %d sends; want a refusal", err, len(hs.txns))
	}
	a.synced(context.Background(), nil, "")
	for _, retry := range []bool{false, true} {
		if err := a.Deliver(context.Background(), "!r:example.org", r, "digest-7-2026-11-26", retry); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Deliver(context.Background(), "!r:example.org", r, "digest-7-2026-11-27", false); err != nil {
		t.Fatal(err)
	}
	if hs.txns[0] != hs.txns[1] || hs.txns[0] == hs.txns[2] {
		t.Errorf("transaction IDs %v: same key must give the same ID, other keys another", hs.txns)
	}
	if !strings.Contains(hs.txns[0], "digest-7-2026-11-26") {
		t.Errorf("transaction ID %q does not show its key", hs.txns[0])
	}
	if hs.bodies[0]["msgtype"] != "m.notice" || hs.bodies[0]["m.relates_to"] != nil {
		t.Errorf("digest body %v: want an m.notice without relation", hs.bodies[0])
	}
}

func TestTxnIDSanitises(t *testing.T) {
	a, b := txnID("reply", "$abc/def+g:server"), txnID("reply", "$abc_def_g_server")
	if a == b {
		t.Error("keys that sanitise alike got one transaction ID")
	}
	if strings.ContainsAny(a, "$/+:") {
		t.Errorf("unsafe characters in %q", a)
	}
}
