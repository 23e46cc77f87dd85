package slack

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Slack's documented example (docs.slack.dev, "Verifying requests from
// Slack"): this secret, timestamp and /webhook-collect body sign to this
// signature.
const (
	docTimestamp = "1531420618"
	docBody      = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
	docSig       = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
)

func TestSignatureKnownAnswer(t *testing.T) {
	if got := SignatureHeader(testSecret, docTimestamp, []byte(docBody)); got != docSig {
		t.Fatalf("signature of Slack's example = %s, want %s", got, docSig)
	}
}

func TestVerify(t *testing.T) {
	at := time.Unix(1531420618, 0)
	header := func(ts, sig string) http.Header {
		h := http.Header{}
		if ts != "" {
			h.Set("X-Slack-Request-Timestamp", ts)
		}
		if sig != "" {
			h.Set("X-Slack-Signature", sig)
		}
		return h
	}
	tests := []struct {
		name   string
		secret string
		now    time.Time
		h      http.Header
		body   string
		want   error
	}{
		{"slack's example", testSecret, at, header(docTimestamp, docSig), docBody, nil},
		{"clock 4m59s ahead", testSecret, at.Add(4*time.Minute + 59*time.Second), header(docTimestamp, docSig), docBody, nil},
		{"clock 4m59s behind", testSecret, at.Add(-4*time.Minute - 59*time.Second), header(docTimestamp, docSig), docBody, nil},
		{"stale by 5m01s", testSecret, at.Add(5*time.Minute + time.Second), header(docTimestamp, docSig), docBody, ErrStaleTimestamp},
		{"future by 5m01s", testSecret, at.Add(-5*time.Minute - time.Second), header(docTimestamp, docSig), docBody, ErrStaleTimestamp},
		{"today's clock", testSecret, time.Now(), header(docTimestamp, docSig), docBody, ErrStaleTimestamp},
		{"wrong secret", "8f742231b10e8888abcd99yyyzzz85a6", at, header(docTimestamp, docSig), docBody, ErrBadSignature},
		{"body changed", testSecret, at, header(docTimestamp, docSig), strings.Replace(docBody, "text=", "text=x", 1), ErrBadSignature},
		{"timestamp changed", testSecret, at.Add(time.Second), header("1531420619", docSig), docBody, ErrBadSignature},
		{"no v0 prefix", testSecret, at, header(docTimestamp, strings.TrimPrefix(docSig, "v0=")), docBody, ErrBadSignature},
		{"v1 scheme", testSecret, at, header(docTimestamp, "v1="+strings.TrimPrefix(docSig, "v0=")), docBody, ErrBadSignature},
		{"not hex", testSecret, at, header(docTimestamp, "v0=zz"+docSig[5:]), docBody, ErrBadSignature},
		{"short signature", testSecret, at, header(docTimestamp, docSig[:40]), docBody, ErrBadSignature},
		{"non-numeric timestamp", testSecret, at, header("15314206l8", docSig), docBody, ErrBadSignature},
		{"no signature", testSecret, at, header(docTimestamp, ""), docBody, ErrMissingSignature},
		{"no timestamp", testSecret, at, header("", docSig), docBody, ErrMissingSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := tt.now
			v := Verifier{Secret: tt.secret, Now: func() time.Time { return now }}
			err := v.Verify(tt.h, []byte(tt.body))
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}
