package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/policybot/policybot/bot"
	"github.com/policybot/policybot/config"
	"github.com/policybot/policybot/knowledge"
)

// serveDeps is what serve builds once and hands to every platform.
// Each adapter's wiring lives in its own file (serve_slack.go,
// serve_matrix.go, ...) and adds itself to platformBuilders.
type serveDeps struct {
	cfg *config.Config
	log *slog.Logger
	doc *knowledge.Document
	bot *bot.Bot
	mux *http.ServeMux // shared HTTP server: health, metrics, Slack endpoints
}

// platform is one running chat adapter.
type platform interface {
	Name() string
	// Run blocks until ctx is cancelled or the platform fails for good.
	Run(ctx context.Context) error
	// Ready returns nil while the platform is connected, else why not;
	// /readyz reports it.
	Ready() error
}

// platformBuilder returns (nil, nil) when its platform is not configured.
type platformBuilder func(ctx context.Context, d *serveDeps) (platform, error)

// platformBuilders lists every chat platform serve can start.
func platformBuilders() []platformBuilder {
	return []platformBuilder{}
}

func runServe(ctx context.Context, env *cmdEnv, args []string) error {
	return errors.New("serve: not built yet")
}
