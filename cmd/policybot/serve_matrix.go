package main

import (
	"context"
	"os"

	"github.com/policybot/policybot/bot/matrix"
)

// noCrossSigningEnv, set to 1, leaves the bot's Matrix device unsigned.
// It is FOR TESTS ONLY (bot/matrix/jsclient_test.go): it shows that a
// client which excludes unverified devices then gives the bot no room
// keys. Never set it in production.
const noCrossSigningEnv = "POLICYBOT_TEST_NO_CROSS_SIGNING"

// buildMatrix wires the Matrix adapter when a homeserver is configured.
// The adapter keeps its session, sync token, processed events and crypto
// keys in the shared state file. It also implements digest delivery
// (Deliver), for serve to hand to the digest scheduler as "matrix".
func buildMatrix(_ context.Context, d *serveDeps) (platform, error) {
	mc := d.cfg.Matrix
	if !mc.Enabled() {
		return nil, nil
	}
	var fb matrix.Feedback
	if d.insights != nil { // not a typed nil in the interface
		fb = d.insights
	}
	a, err := matrix.New(matrix.Options{
		Homeserver:      mc.Homeserver,
		UserID:          mc.User,
		Password:        mc.Password,
		AccessToken:     mc.AccessToken,
		AllowedInviters: mc.AllowedInviters,
		PickleKey:       mc.PickleKey,
		RecoveryKey:     mc.RecoveryKey,
		ResetIdentity:   d.flags.resetMatrixIdentity,
		NoCrossSigning:  os.Getenv(noCrossSigningEnv) == "1",
		Store:           d.store,
		Inbox:           d.inbox,
		Responder:       d.core,
		PublicURL:       d.cfg.PublicURL,
		Feedback:        fb,
		Logger:          d.log.With("platform", "matrix"),
		PostLimiter:     d.posting,
	})
	if err != nil {
		return nil, err
	}
	hooks := d.metrics.platform(a.Name())
	a.OnReconnect = hooks.Reconnected
	a.OnRateLimited = hooks.RateLimited
	return a, nil
}
