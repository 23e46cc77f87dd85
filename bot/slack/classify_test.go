package slack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"syscall"
	"testing"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/policybot/policybot/bot/delivery"
	"github.com/policybot/policybot/bot/delivery/deliverytest"
)

// urlErr wraps err as net/http's client does.
func urlErr(err error) error {
	return &url.Error{Op: "Post", URL: "https://slack.com/api/chat.postMessage", Err: err}
}

// slackErrors are the errors slack-go returns from chat.postMessage.
var slackErrors = deliverytest.Errors{
	Transient: urlErr(&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}),
	Ambiguous: slackgo.StatusCodeError{Code: 500, Status: "500 Internal Server Error"},
	Permanent: []error{
		slackgo.SlackErrorResponse{Err: "invalid_auth"},
		slackgo.SlackErrorResponse{Err: "channel_not_found"},
		slackgo.SlackErrorResponse{Err: "not_in_channel"},
		slackgo.SlackErrorResponse{Err: "msg_too_long"},
		slackgo.StatusCodeError{Code: 404, Status: "404 Not Found"},
		urlErr(errors.New(`unsupported protocol scheme "htp"`)),
	},
	RateLimited: func(d time.Duration) error { return &slackgo.RateLimitedError{RetryAfter: d} },
}

// TestPostingPolicy runs the posting policy's shared cases with Slack's
// errors.
func TestPostingPolicy(t *testing.T) {
	deliverytest.Run(t, delivery.ClassifierFunc(classify), slackErrors)
}

func TestClassify(t *testing.T) {
	reset := urlErr(&net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)})
	for _, tc := range []struct {
		name string
		err  error
		want delivery.Verdict
	}{
		{"429 with Retry-After", &slackgo.RateLimitedError{RetryAfter: 7 * time.Second}, delivery.Verdict{Retry: true, Wait: 7 * time.Second, Limited: true}},
		{"429 without Retry-After", slackgo.StatusCodeError{Code: 429}, delivery.Verdict{Retry: true, Limited: true}},
		{"ok:false ratelimited", slackgo.SlackErrorResponse{Err: "ratelimited"}, delivery.Verdict{Retry: true, Limited: true}},
		{"500", slackgo.StatusCodeError{Code: 500}, delivery.Verdict{Retry: true, Ambiguous: true}},
		{"503", slackgo.StatusCodeError{Code: 503}, delivery.Verdict{Retry: true, Ambiguous: true}},
		{"internal_error", slackgo.SlackErrorResponse{Err: "internal_error"}, delivery.Verdict{Retry: true, Ambiguous: true}},
		{"connection reset", reset, delivery.Verdict{Retry: true, Ambiguous: true}},
		{"wrapped reset", fmt.Errorf("post: %w", reset), delivery.Verdict{Retry: true, Ambiguous: true}},
		{"EOF", urlErr(io.EOF), delivery.Verdict{Retry: true, Ambiguous: true}},
		{"client timeout", urlErr(context.DeadlineExceeded), delivery.Verdict{Retry: true, Ambiguous: true}},
		{"connection refused", slackErrors.Transient, delivery.Verdict{Retry: true}},
		{"cancelled", urlErr(context.Canceled), delivery.Verdict{}},
		{"invalid_auth", slackgo.SlackErrorResponse{Err: "invalid_auth"}, delivery.Verdict{}},
		{"400", slackgo.StatusCodeError{Code: 400}, delivery.Verdict{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := classify(tc.err); got != tc.want {
				t.Errorf("classify(%v) = %+v, want %+v", tc.err, got, tc.want)
			}
		})
	}
}
