package matrixtest

import (
	"errors"
	"io"
	"net/http"
	"syscall"
	"time"
)

// restartWait bounds how long a test client's request waits for a server
// that is restarting: Dendrite is back within a few seconds.
const restartWait = 60 * time.Second

// Transport carries a test client's requests through the restarts of the
// homeserver: the harness restarts Dendrite when its database connection
// is stuck (stuck.go), and the tests restart it on purpose. A request that
// finds the server gone (connection refused, or reset or cut off by the
// restart) is sent again, every tenth of a second, until the server
// answers, restartWait passes or the request's context ends. Only the
// tests' own users go through it; the bot meets restarts as it would in
// production.
func Transport(base http.RoundTripper) http.RoundTripper { return retryTransport{base} }

type retryTransport struct{ base http.RoundTripper }

func (t retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	deadline := time.Now().Add(restartWait)
	for try := req; ; {
		resp, err := t.base.RoundTrip(try)
		if err == nil || !serverGone(err) || time.Now().After(deadline) || req.Body != nil && req.GetBody == nil {
			return resp, err
		}
		select {
		case <-req.Context().Done():
			return nil, req.Context().Err()
		case <-time.After(100 * time.Millisecond):
		}
		try = req.Clone(req.Context())
		if req.GetBody != nil {
			if try.Body, err = req.GetBody(); err != nil {
				return nil, err
			}
		}
	}
}

// serverGone reports an error of a request the server was not there to
// answer.
func serverGone(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}
