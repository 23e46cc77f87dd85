package main

import (
	"context"
	"os"
	"syscall"

	"github.com/policybot/policybot/bot/digest"
)

// failpointEnv names a point of a digest delivery at which the process
// kills itself (digest.FailpointBeforeSend or digest.FailpointAfterSend).
// It is FOR CRASH TESTS ONLY (bot/digest/crash_test.go): it lets a test
// stop the real binary dead between the ledger's intent and the send, or
// between the send and the ledger's success, and check that a restart
// still shows exactly one digest. Never set it in production.
const failpointEnv = "POLICYBOT_TEST_FAILPOINT"

// newDigests builds the digest scheduler over the state store, with the
// static subscriptions of the config file merged in. senders maps a
// platform name ("slack", "matrix") to the adapter that posts there (see
// digestSenders). serve runs the result as a service and passes it to
// bot.Options.Subscriptions.
func newDigests(ctx context.Context, d *serveDeps, senders map[string]digest.Sender) (*digest.Scheduler, error) {
	opts := digest.Options{
		Store:     d.store,
		Doc:       d.doc,
		Senders:   senders,
		Logger:    d.log,
		Grace:     d.cfg.Digest.Grace,
		Failpoint: killAt(os.Getenv(failpointEnv)),
	}
	if d.metrics != nil {
		opts.OnDelivered = func(platform string) { d.metrics.platform(platform).DigestDelivered() }
		opts.OnFailed = func(platform string, _ error) { d.metrics.platform(platform).DigestFailed() }
	}
	s, err := digest.New(opts)
	if err != nil {
		return nil, err
	}
	statics := make([]digest.Static, 0, len(d.cfg.Digest.Subscriptions))
	for _, c := range d.cfg.Digest.Subscriptions {
		statics = append(statics, digest.Static{Platform: c.Platform, Conversation: c.Conversation,
			Time: c.Time, Zone: c.Zone, Passages: c.Passages})
	}
	if err := s.MergeStatic(ctx, statics); err != nil {
		return nil, err
	}
	return s, nil
}

// digestSenders picks the platforms that can post digests (the Slack and
// Matrix adapters implement digest.Sender).
func digestSenders(platforms []platform) map[string]digest.Sender {
	out := map[string]digest.Sender{}
	for _, p := range platforms {
		if s, ok := p.(digest.Sender); ok {
			out[p.Name()] = s
		}
	}
	return out
}

// killAt returns the failpoint hook for failpointEnv: SIGKILL, so that
// nothing after that point runs, no deferred function, no flush.
func killAt(point string) func(string) {
	if point == "" {
		return nil
	}
	return func(at string) {
		if at == point {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {} // the signal is asynchronous; never go on
		}
	}
}
