package slack

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"

	slackgo "github.com/slack-go/slack"

	"github.com/policybot/policybot/bot/delivery"
)

// classify is what the posting policy needs to know about Slack's errors.
//
// A 429 (or ok:false "ratelimited") posted nothing and says how long to
// wait. A 5xx, Slack's own internal_error family, a connection cut after
// the request was sent, or a timeout may have posted the message, so the
// retry looks for it first. A refused connection never reached Slack.
// Everything else (invalid_auth, channel_not_found, not_in_channel,
// msg_too_long, …) will fail the same way however often it is tried.
func classify(err error) delivery.Verdict {
	var rl *slackgo.RateLimitedError
	if errors.As(err, &rl) {
		return delivery.Verdict{Retry: true, Wait: rl.RetryAfter, Limited: true}
	}
	var sc slackgo.StatusCodeError
	if errors.As(err, &sc) {
		switch {
		case sc.Code == http.StatusTooManyRequests: // without Retry-After
			return delivery.Verdict{Retry: true, Limited: true}
		case sc.Code >= 500:
			return delivery.Verdict{Retry: true, Ambiguous: true}
		}
		return delivery.Verdict{}
	}
	var se slackgo.SlackErrorResponse
	if errors.As(err, &se) {
		switch se.Err {
		case "ratelimited":
			return delivery.Verdict{Retry: true, Limited: true}
		case "internal_error", "fatal_error", "service_unavailable", "request_timeout":
			// Slack's documentation: "it's possible some aspect of the
			// operation succeeded before the error was raised".
			return delivery.Verdict{Retry: true, Ambiguous: true}
		}
		return delivery.Verdict{}
	}
	if errors.Is(err, context.Canceled) {
		return delivery.Verdict{}
	}
	// *url.Error is itself a net.Error whatever it wraps (a bad URL too),
	// so judge what it wraps.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return delivery.Verdict{Retry: true}
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, context.DeadlineExceeded) {
		return delivery.Verdict{Retry: true, Ambiguous: true}
	}
	return delivery.Verdict{}
}
