package main

import (
	"context"

	"github.com/policybot/policybot/bot/slack"
)

// buildSlack wires the Slack adapter when Slack is configured. Socket Mode
// runs when an app token is set; the HTTP endpoints (/slack/commands,
// /slack/events, /slack/interactivity) are registered on the shared server
// when a signing secret is set; both may be on. Questions are recorded in
// the state file's inbox before they are acknowledged. The adapter also implements digest delivery
// (Deliver), for serve to hand to the digest scheduler as "slack".
func buildSlack(_ context.Context, d *serveDeps) (platform, error) {
	sc := d.cfg.Slack
	if !sc.Enabled() {
		return nil, nil
	}
	hooks := d.metrics.platform(slack.Platform)
	var fb slack.Feedback
	if d.insights != nil { // not a typed nil in the interface
		fb = d.insights
	}
	a, err := slack.New(slack.Options{
		BotToken:      sc.BotToken,
		AppToken:      sc.AppToken,
		SigningSecret: sc.SigningSecret,
		APIURL:        sc.APIURL,
		Responder:     d.core,
		PublicURL:     d.cfg.PublicURL,
		Feedback:      fb,
		Inbox:         d.inbox,
		Logger:        d.log,
		OnRateLimited: hooks.RateLimited,
		OnReconnect:   hooks.Reconnected,
		PostLimiter:   d.posting,
		// Answers in flight get the whole shutdown allowance.
		DrainTimeout: d.cfg.ShutdownTimeout,
	})
	if err != nil {
		return nil, err
	}
	a.Register(d.mux)
	return a, nil
}
