package matrix

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/policybot/policybot/bot"
)

// scriptedHomeserver answers sends with the given responses in turn and
// records the transaction IDs it was sent. GET /messages is answered by
// history, if set, and recorded.
type scriptedHomeserver struct {
	mu      sync.Mutex
	answers []func(w http.ResponseWriter)
	txns    []string
	bodies  []map[string]any
	history func(w http.ResponseWriter, r *http.Request)
	reads   []url.Values // queries of the /messages requests
}

func (s *scriptedHomeserver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/messages") && s.history != nil {
		s.mu.Lock()
		s.reads = append(s.reads, r.URL.Query())
		s.mu.Unlock()
		s.history(w, r)
		return
	}
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
	hs := &scriptedHomeserver{history: page("")} // the retry finds no earlier copy
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

// page is a /messages answer with the given events and end token.
func page(end string, events ...map[string]any) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		for _, e := range events {
			e["room_id"] = "!r:example.org"
			e["origin_server_ts"] = 1_000_000
		}
		b, _ := json.Marshal(map[string]any{"start": r.URL.Query().Get("from"), "end": end, "chunk": events})
		w.Write(b)
	}
}

// msg is a client event of type m.room.message.
func msg(evtID, sender string, content map[string]any) map[string]any {
	if content == nil {
		content = map[string]any{}
	}
	content["msgtype"], content["body"] = "m.notice", "Daily quote"
	return map[string]any{"event_id": evtID, "sender": sender, "type": "m.room.message", "content": content}
}

func marked(key string) map[string]any {
	return map[string]any{digestField: map[string]any{"key": key}}
}

func TestDeliverRetryLooksForEarlierCopy(t *testing.T) {
	const (
		self = "@policybot:example.org"
		key  = "digest-7-2026-11-26"
	)
	txn := txnID("digest", key)
	withTxn := msg("$t", self, nil)
	withTxn["unsigned"] = map[string]any{"transaction_id": txn}
	many := make([]map[string]any, 0, historyPageSize)
	for i := range historyPageSize {
		many = append(many, msg(fmt.Sprintf("$n%d", i), self, nil))
	}
	for _, tc := range []struct {
		name    string
		retry   bool
		history func(w http.ResponseWriter, r *http.Request)
		reads   int  // /messages requests
		sent    bool // whether the digest is posted
		err     bool
	}{
		{name: "first attempt sends without reading history", retry: false,
			history: page("", msg("$d", self, marked(key))), reads: 0, sent: true},
		{name: "earlier copy found by its digest field", retry: true,
			history: page("t1", msg("$q", "@alice:example.org", nil), msg("$d", self, marked(key))), reads: 1, sent: false},
		{name: "earlier copy found by its transaction ID", retry: true,
			history: page("t1", withTxn), reads: 1, sent: false},
		{name: "earlier copy on the second page", retry: true,
			history: func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Query().Get("from") == "" {
					page("t1", many...)(w, r)
					return
				}
				page("t2", msg("$d", self, marked(key)))(w, r)
			}, reads: 2, sent: false},
		{name: "no copy: sends once", retry: true,
			history: page("", msg("$o", self, marked("digest-7-2026-11-25"))), reads: 1, sent: true},
		{name: "history is bounded", retry: true,
			history: page("more", many...), reads: historyPages, sent: true},
		{name: "same field from another user is ignored", retry: true,
			history: page("", msg("$x", "@mallory:example.org", marked(key))), reads: 1, sent: true},
		{name: "transaction ID from another user is ignored", retry: true,
			history: func(w http.ResponseWriter, r *http.Request) {
				e := msg("$x", "@mallory:example.org", nil)
				e["unsigned"] = map[string]any{"transaction_id": txn}
				page("", e)(w, r)
			}, reads: 1, sent: true},
		{name: "encrypted message is skipped while encryption is off", retry: true,
			history: page("", map[string]any{"event_id": "$e", "sender": self, "type": "m.room.encrypted",
				"content": map[string]any{"algorithm": "m.megolm.v1.aes-sha2", "ciphertext": "AAAA", "session_id": "s"}}), reads: 1, sent: true},
		{name: "history unreadable: error, nothing sent", retry: true,
			history: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusForbidden)
				w.Write([]byte(`{"errcode":"M_FORBIDDEN","error":"no"}`))
			}, reads: 1, sent: false, err: true},
		{name: "history unavailable: retried, then error, nothing sent", retry: true,
			history: func(w http.ResponseWriter, r *http.Request) { status(http.StatusBadGateway)(w) },
			reads:   8, sent: false, err: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hs := &scriptedHomeserver{history: tc.history}
			srv := httptest.NewServer(hs)
			defer srv.Close()
			a, _ := testAdapter(t, srv.URL, nil)
			a.synced(context.Background(), nil, "")
			r := bot.Reply{Kind: bot.KindAnswer, Title: "Daily quote", Passages: []bot.Passage{{Text: "q", Citation: "c"}}}
			err := a.Deliver(context.Background(), "!r:example.org", r, key, tc.retry)
			if (err != nil) != tc.err {
				t.Fatalf("err = %v, want error: %v", err, tc.err)
			}
			if err != nil && !strings.Contains(err.Error(), "not posting") {
				t.Errorf("error %q does not tell the operator that nothing was posted", err)
			}
			if len(hs.reads) != tc.reads {
				t.Errorf("%d history requests, want %d", len(hs.reads), tc.reads)
			}
			for _, q := range hs.reads {
				if q.Get("dir") != "b" || q.Get("limit") != fmt.Sprint(historyPageSize) {
					t.Errorf("history request %v: want the latest %d events backwards", q, historyPageSize)
				}
			}
			if tc.sent != (len(hs.txns) == 1) || len(hs.txns) > 1 {
				t.Fatalf("%d sends, want sent=%v", len(hs.txns), tc.sent)
			}
			if tc.sent {
				if hs.txns[0] != txn {
					t.Errorf("transaction ID %q, want %q", hs.txns[0], txn)
				}
				if got := digestKey(hs.bodies[0]); got != key {
					t.Errorf("digest body %v does not carry %s with key %q", hs.bodies[0], digestField, key)
				}
			}
		})
	}
}
