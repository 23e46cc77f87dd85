package main

import (
	"context"
	"log/slog"
	"os"
	"syscall"

	"github.com/policybot/policybot/bot"
	"github.com/policybot/policybot/bot/digest"
	"github.com/policybot/policybot/bot/store"
	"github.com/policybot/policybot/config"
	"github.com/policybot/policybot/knowledge"
)

// failpointEnv names a point of a digest delivery at which the process
// kills itself (digest.FailpointBeforeSend or digest.FailpointAfterSend).
// It is FOR CRASH TESTS ONLY (bot/digest/crash_test.go): it lets a test
// stop the real binary dead between the ledger's intent and the send, or
// between the send and the ledger's success, and check that a restart
// still shows exactly one digest. Never set it in production.
const failpointEnv = "POLICYBOT_TEST_FAILPOINT"

// newDigests builds the digest scheduler over the state store. The
// platforms register with it afterwards (registerDigests), and then the
// config file's subscriptions are merged in (mergeStaticDigests), since
// they are checked against the platforms configured.
func newDigests(cfg *config.Config, log *slog.Logger, doc *knowledge.Document, st *store.Store, m *metrics) (*digest.Scheduler, error) {
	opts := digest.Options{
		Store:     st,
		Shared:    st.Postgres(),
		Doc:       doc,
		Logger:    log,
		Grace:     cfg.Digest.Grace,
		Failpoint: killAt(os.Getenv(failpointEnv)),
	}
	if m != nil {
		opts.OnDelivered = func(platform string) { m.platform(platform).DigestDelivered() }
		opts.OnFailed = func(platform string, _ error) { m.platform(platform).DigestFailed() }
	}
	return digest.New(opts)
}

// digestPlatform is a platform adapter that posts digests (Slack and
// Matrix do; the console does not).
type digestPlatform interface {
	bot.DigestPoster
	Platform() bot.Platform
}

// registerDigests registers p with the scheduler if it posts digests: the
// core composes each digest in p's conventions and hands it to p.
func registerDigests(s *digest.Scheduler, core *bot.Bot, p platform) error {
	dp, ok := p.(digestPlatform)
	if !ok {
		return nil
	}
	return s.Register(p.Name(), core.DigestSender(dp.Platform(), dp))
}

// mergeStaticDigests merges the config file's digest subscriptions into
// the stored ones.
func mergeStaticDigests(ctx context.Context, s *digest.Scheduler, cfg *config.Config) error {
	statics := make([]digest.Static, 0, len(cfg.Digest.Subscriptions))
	for _, c := range cfg.Digest.Subscriptions {
		statics = append(statics, digest.Static{Platform: c.Platform, Conversation: c.Conversation,
			Time: c.Time, Zone: c.Zone, Passages: c.Passages})
	}
	return s.MergeStatic(ctx, statics)
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
