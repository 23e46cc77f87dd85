package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/policybot/policybot/bot"
	"github.com/policybot/policybot/bot/delivery"
	"github.com/policybot/policybot/bot/inbox"
	"github.com/policybot/policybot/bot/insights"
	"github.com/policybot/policybot/bot/leader"
	"github.com/policybot/policybot/bot/store"
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
	// core is the core wrapped with logging, metrics, panic recovery and
	// in-flight tracking: give this to adapters as their Responder.
	core bot.Responder
	// store is the state file (adapter state, subscriptions).
	store *store.Store
	// inbox records every question before it is acknowledged, until it
	// is answered (bot/inbox), for every platform.
	inbox *inbox.Inbox
	// metrics gives each platform its hooks: metrics.platform("slack").
	metrics *metrics
	mux     *http.ServeMux // shared HTTP server: health, metrics, Slack endpoints
	// insights records outcomes and votes (always: votes need it);
	// /insights shows them only when insights.token is set.
	insights *insights.Recorder
	// posting bounds posts in flight across every platform.
	posting *delivery.Limiter
	flags   serveFlags
}

// service is something serve runs until shutdown: a chat platform, the
// digest scheduler.
type service interface {
	Name() string
	// Run blocks until ctx is cancelled or the service fails for good.
	// When ctx is cancelled it must stop taking new work, finish what is
	// in flight (serve bounds the wait by shutdown_timeout) and return nil.
	Run(ctx context.Context) error
}

// namedService gives a name to a Run func, such as the digest scheduler's.
type namedService struct {
	name string
	run  func(ctx context.Context) error
}

func (s namedService) Name() string                  { return s.name }
func (s namedService) Run(ctx context.Context) error { return s.run(ctx) }

// platform is one running chat adapter.
type platform interface {
	service
	// Ready returns nil while the platform is connected, else why not;
	// /readyz reports it.
	Ready() error
}

// platformBuilder returns (nil, nil) when its platform is not configured.
type platformBuilder func(ctx context.Context, d *serveDeps) (platform, error)

// platformBuilders lists every chat platform serve can start.
func platformBuilders() []platformBuilder {
	return []platformBuilder{buildMatrix, buildSlack}
}

const noPlatformHelp = `policybot: no chat platform is configured, so here is the console chat.
  To connect Slack:  set POLICYBOT_SLACK_BOT_TOKEN=xoxb-… and either
                     POLICYBOT_SLACK_APP_TOKEN=xapp-… (Socket Mode) or
                     POLICYBOT_SLACK_SIGNING_SECRET=… (HTTP endpoints on POLICYBOT_HTTP_ADDR).
  To connect Matrix: set POLICYBOT_MATRIX_HOMESERVER=https://…, POLICYBOT_MATRIX_USER=@bot:server
                     and POLICYBOT_MATRIX_PASSWORD (or POLICYBOT_MATRIX_ACCESS_TOKEN).
  The same keys can go in a YAML file given with --config; see config/policybot.example.yaml.
  Check a configuration with: policybot config check

`

// serveFlags are serve's own flags, beyond those it shares with chat.
type serveFlags struct {
	// resetMatrixIdentity replaces a Matrix cross-signing identity whose
	// recovery key is lost (see matrix.Options.ResetIdentity).
	resetMatrixIdentity bool
}

func runServe(ctx context.Context, env *cmdEnv, args []string) error {
	var sf serveFlags
	cfg, err := configFromFlags(env, "serve", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&sf.resetMatrixIdentity, "reset-matrix-identity", false,
			"replace the bot's Matrix cross-signing identity with a new one when its recovery key is lost (needs matrix.password; prints the new recovery key)")
	})
	if err != nil {
		return err
	}
	if !cfg.AnyPlatform() {
		fmt.Fprint(env.stderr, noPlatformHelp)
		return chatWith(ctx, env, cfg)
	}
	log := newLogger(env.stderr, cfg.LogLevel, cfg.LogFormat)
	return serve(ctx, cfg, log, sf)
}

// serve opens the state, builds the core and the platforms, and runs them
// with the HTTP server until ctx ends.
func serve(ctx context.Context, cfg *config.Config, log *slog.Logger, sf serveFlags) (err error) {
	st, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	closeStore := sync.OnceValue(st.Close)
	defer func() {
		if cerr := closeStore(); cerr != nil && err == nil {
			err = fmt.Errorf("close state database %s: %w", cfg.DB, cerr)
		}
	}()
	ret, err := knowledge.Open(cfg.Statement)
	if err != nil {
		return err
	}
	m := newMetrics(versionString())
	m.watchDB(st.DB())
	rec, err := insights.New(insights.Options{
		Store:         st,
		KeepQuestions: cfg.Insights.KeepQuestions,
		Retention:     time.Duration(cfg.Insights.Retention) * 24 * time.Hour,
		OnVote:        m.voted,
	})
	if err != nil {
		return err
	}
	// Start-up in two phases: the scheduler, the core over it and the
	// adapters over the core are built first; then each adapter that
	// posts digests registers with the scheduler through the core, which
	// composes them. Nothing runs until every part is in place.
	digests, err := newDigests(cfg, log, ret.Document(), st, m)
	if err != nil {
		return err
	}
	core, err := bot.New(ret.Document(), ret, bot.Options{
		Subscriptions: digests,
		MaxPassages:   cfg.Answers.MaxPassages,
		MaxChars:      cfg.Answers.MaxChars,
		Logger:        log,
	})
	if err != nil {
		return err
	}
	guard := observe(core, log, m, rec)
	inboxOpts := inbox.Options{Logger: log, OnDuplicate: m.claimConflict}
	if st.Postgres() {
		inboxOpts.Owner = replicaID()
		log = log.With("replica", inboxOpts.Owner)
		inboxOpts.Logger = log
	}
	deps := &serveDeps{
		cfg: cfg, log: log, doc: ret.Document(),
		core:  guard,
		store: st, inbox: inbox.New(st, inboxOpts),
		metrics: m, mux: http.NewServeMux(), insights: rec, flags: sf,
		posting: delivery.NewLimiter(delivery.DefaultLimit),
	}
	platforms, err := buildPlatforms(ctx, deps, platformBuilders())
	if err != nil {
		return err
	}
	for _, p := range platforms {
		if err := registerDigests(digests, core, p); err != nil {
			return err
		}
	}
	if err := mergeStaticDigests(ctx, digests, cfg); err != nil {
		return err
	}
	services, watched, lead, err := arrange(st, log, m, platforms, namedService{"digest", digests.Run}, deps.inbox)
	if err != nil {
		return err
	}
	if err := buildWeb(deps, ret); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on http_addr %s: %w; free the port or set http_addr (POLICYBOT_HTTP_ADDR)", cfg.HTTPAddr, err)
	}
	h := &health{platforms: watched, db: st, now: time.Now, version: versionString()}
	if lead != nil { // not a typed nil in the interface
		h.leader = lead
	}
	h.register(deps.mux, m.handler())
	lc := &lifecycle{
		log:      log,
		services: services,
		server: &http.Server{
			Handler:           deps.mux,
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      30 * time.Second,
			IdleTimeout:       2 * time.Minute,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		},
		listener: ln,
		health:   h,
		flights:  guard,
		timeout:  cfg.ShutdownTimeout,
		after:    time.After,
		close:    closeStore,
	}
	return lc.run(ctx)
}

// arrange decides what runs where. On one process (SQLite) every service
// runs. With replicas (PostgreSQL) the exclusive platforms (Matrix) and
// the digest scheduler run under the leader election, the inbox renews
// this replica's claims, and /readyz sees the exclusive platforms as
// standing by while another replica leads. It returns the services, the
// platforms for /readyz and the elector (nil on one process).
func arrange(st *store.Store, log *slog.Logger, m *metrics, platforms []platform, digests service, in *inbox.Inbox) ([]service, []platform, *leader.Elector, error) {
	if !st.Postgres() {
		m.leader.Set(1)
		services := make([]service, 0, len(platforms)+1)
		for _, p := range platforms {
			services = append(services, p)
		}
		return append(services, digests), platforms, nil, nil
	}
	el, err := newElector(st, log, m)
	if err != nil {
		return nil, nil, nil, err
	}
	lead := &singletons{el: el}
	services := []service{lead, namedService{"inbox", func(ctx context.Context) error { in.Keep(ctx); return nil }}}
	watched := make([]platform, 0, len(platforms))
	for _, p := range platforms {
		if x, ok := p.(interface{ Exclusive() bool }); ok && x.Exclusive() {
			lead.services = append(lead.services, p)
			watched = append(watched, standby{platform: p, el: el})
			continue
		}
		services = append(services, p)
		watched = append(watched, p)
	}
	lead.services = append(lead.services, digests)
	return services, watched, el, nil
}

// buildPlatforms runs every builder and checks that each platform the
// configuration enables was built.
func buildPlatforms(ctx context.Context, deps *serveDeps, builders []platformBuilder) ([]platform, error) {
	var out []platform
	for _, b := range builders {
		p, err := b(ctx, deps)
		if err != nil {
			return nil, err
		}
		if p != nil {
			out = append(out, p)
		}
	}
	built := make([]string, 0, len(out))
	for _, p := range out {
		built = append(built, p.Name())
	}
	var missing []error
	for _, want := range []struct {
		name string
		on   bool
	}{{"slack", deps.cfg.Slack.Enabled()}, {"matrix", deps.cfg.Matrix.Enabled()}} {
		if name := want.name; want.on && !slices.Contains(built, name) {
			missing = append(missing, fmt.Errorf("%s is configured, but this build of policybot cannot connect to it; remove the %s keys or use a full build", name, name))
		}
	}
	return out, errors.Join(missing...)
}
