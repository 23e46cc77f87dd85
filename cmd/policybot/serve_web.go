package main

import (
	"github.com/policybot/policybot/bot/web"
	"github.com/policybot/policybot/knowledge"
)

// buildWeb registers the statement page, the ask box and /api/ask on the
// shared HTTP server. It answers through the wrapped core, so web
// questions are logged, counted and recovered like chat ones, and
// /api/ask reports through the same retriever as `policybot ask --json`.
func buildWeb(d *serveDeps, ret *knowledge.Retriever) error {
	d.metrics.platform(web.Platform)
	var in web.Insights
	if d.insights != nil { // not a typed nil in the interface
		in = d.insights
	}
	s, err := web.New(web.Options{
		Document:  d.doc,
		Responder: d.core,
		Reporter:  ret,
		Logger:    d.log,
		// /insights only with a token; the recorder runs either way.
		Insights:      in,
		InsightsToken: d.cfg.Insights.Token,
	})
	if err != nil {
		return err
	}
	s.Register(d.mux)
	return nil
}
