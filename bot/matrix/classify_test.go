package matrix

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"maunium.net/go/mautrix"

	"github.com/policybot/policybot/bot"
	"github.com/policybot/policybot/bot/delivery"
	"github.com/policybot/policybot/bot/delivery/deliverytest"
)

func respErr(code int, errcode, msg string, extra map[string]any) mautrix.HTTPError {
	return mautrix.HTTPError{
		Response:  &http.Response{StatusCode: code, Header: http.Header{}},
		RespError: &mautrix.RespError{ErrCode: errcode, Err: msg, StatusCode: code, ExtraData: extra},
	}
}

// matrixErrors are the errors mautrix returns from a send.
var matrixErrors = deliverytest.Errors{
	Transient: mautrix.HTTPError{Message: "failed to send request", WrappedError: &url.Error{Op: "Put", URL: "https://hs/_matrix",
		Err: &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}},
	Ambiguous: mautrix.HTTPError{Response: &http.Response{StatusCode: http.StatusBadGateway}},
	Permanent: []error{
		respErr(http.StatusForbidden, "M_FORBIDDEN", "not in room", nil),
		respErr(http.StatusUnauthorized, "M_UNKNOWN_TOKEN", "gone", nil),
		errors.New("encrypt for room: no session"),
	},
	RateLimited: func(d time.Duration) error {
		return respErr(http.StatusTooManyRequests, "M_LIMIT_EXCEEDED", "slow down", map[string]any{"retry_after_ms": float64(d.Milliseconds())})
	},
}

// TestPostingPolicy runs the posting policy's shared cases with Matrix's
// errors.
func TestPostingPolicy(t *testing.T) {
	deliverytest.Run(t, delivery.ClassifierFunc(classify), matrixErrors)
}

// TestRateLimitedReplyKeepsReady: a reply the homeserver refuses once with
// M_LIMIT_EXCEEDED is still delivered, with the same transaction ID, and
// the adapter stays ready the whole time: a slow reply says nothing about
// the connection, and /readyz and digests must not pause for it.
func TestRateLimitedReplyKeepsReady(t *testing.T) {
	hs := &scriptedHomeserver{answers: []func(http.ResponseWriter){
		limited(`{"errcode":"M_LIMIT_EXCEEDED","error":"slow down","retry_after_ms":2500}`, ""),
	}}
	var (
		a        *Adapter
		mu       sync.Mutex
		readyAt  []error // Ready() as each send arrived, the retry's after the wait
		attempts int
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		readyAt = append(readyAt, a.Ready())
		attempts++
		mu.Unlock()
		hs.ServeHTTP(w, r)
	}))
	defer srv.Close()
	core := &fakeCore{reply: func(m bot.Message) (bot.Reply, bool) {
		return bot.Reply{Kind: bot.KindAnswer, Text: "answer to " + m.Text}, true
	}}
	ad, sl := testAdapter(t, srv.URL, core)
	mu.Lock() // the handler reads a
	a = ad
	mu.Unlock()
	a.synced(context.Background(), nil, "")
	if err := a.Ready(); err != nil {
		t.Fatalf("not ready after a sync: %v", err)
	}

	q := &question{Event: "$q1", Room: "!r:example.org", Sender: "@alice:example.org",
		Msg: bot.Message{Platform: "matrix", ID: "$q1", Text: "hello", Conversation: bot.Conversation{ID: "!r:example.org"}}}
	a.answer(context.Background(), q, time.Time{})

	if len(hs.txns) != 2 || hs.txns[0] != hs.txns[1] || hs.txns[0] != txnID("reply", "$q1") {
		t.Fatalf("sends with transaction IDs %v, want the reply's twice", hs.txns)
	}
	if got := sl.d; len(got) != 1 || got[0] != 2500*time.Millisecond {
		t.Errorf("waits %v, want the 2.5s the homeserver asked for", got)
	}
	rel, _ := hs.bodies[1]["m.relates_to"].(map[string]any)
	if inReply, _ := rel["m.in_reply_to"].(map[string]any); inReply["event_id"] != "$q1" {
		t.Errorf("delivered body %v is not a reply to the question", hs.bodies[1])
	}
	mu.Lock()
	defer mu.Unlock()
	for i, r := range readyAt {
		if r != nil {
			t.Errorf("not ready during the rate-limited reply (observation %d): %v", i, r)
		}
	}
	if attempts != 2 {
		t.Errorf("%d sends observed, want 2", attempts)
	}
	if err := a.Ready(); err != nil {
		t.Errorf("not ready after the reply: %v", err)
	}
}

// TestClassify: the homeserver's errors as the policy reads them.
func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want delivery.Verdict
	}{
		{"limit with retry_after_ms", matrixErrors.RateLimited(1500 * time.Millisecond), delivery.Verdict{Retry: true, Wait: 1500 * time.Millisecond, Limited: true}},
		{"limit without a wait", respErr(http.StatusTooManyRequests, "M_LIMIT_EXCEEDED", "slow", nil), delivery.Verdict{Retry: true, Limited: true}},
		{"502", matrixErrors.Ambiguous, delivery.Verdict{Retry: true, Ambiguous: true}},
		{"connection refused", matrixErrors.Transient, delivery.Verdict{Retry: true}},
		{"reset", mautrix.HTTPError{Message: "failed to send request", WrappedError: &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}}, delivery.Verdict{Retry: true, Ambiguous: true}},
		{"forbidden", respErr(http.StatusForbidden, "M_FORBIDDEN", "no", nil), delivery.Verdict{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := classify(tc.err); got != tc.want {
				t.Errorf("classify(%v) = %+v, want %+v", tc.err, got, tc.want)
			}
		})
	}
}
