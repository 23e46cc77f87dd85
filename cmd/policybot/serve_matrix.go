package main

import (
	"context"

	"github.com/policybot/policybot/bot/matrix"
)

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
		Store:           d.store,
		Responder:       d.core,
		PublicURL:       d.cfg.PublicURL,
		Feedback:        fb,
		Logger:          d.log.With("platform", "matrix"),
	})
	if err != nil {
		return nil, err
	}
	hooks := d.metrics.platform(a.Name())
	a.OnReconnect = hooks.Reconnected
	a.OnRateLimited = hooks.RateLimited
	return a, nil
}
