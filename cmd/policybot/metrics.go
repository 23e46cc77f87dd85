package main

import (
	"database/sql"
	"net/http"
	"runtime"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/policybot/policybot/bot"
)

// metrics is everything /metrics reports. It owns its own registry, made
// by serve, so nothing is registered globally and tests can make as many
// as they like. Adapters and the digest scheduler never see Prometheus
// types: they get the func-valued hooks of platformMetrics.
type metrics struct {
	reg           *prometheus.Registry
	questions     *prometheus.CounterVec
	latency       *prometheus.HistogramVec
	deliveries    *prometheus.CounterVec
	failures      *prometheus.CounterVec
	reconnects    *prometheus.CounterVec
	rateLimits    *prometheus.CounterVec
	rateLimitSecs *prometheus.CounterVec
	inFlight      prometheus.Gauge
	feedback      *prometheus.CounterVec
	// Replicas (PostgreSQL state): leadership and inbox claims.
	leader         prometheus.Gauge
	leaderChanges  prometheus.Counter
	claimConflicts *prometheus.CounterVec
}

// Outcomes of a message that was for the bot, the "outcome" label.
const (
	outcomeAnswered = "answered" // quoted passages
	outcomeDeclined = "declined" // the statement does not answer it
	// outcomeNotAddressed: the statement touches the topic but does not
	// say what was asked; the reply names what it lacks.
	outcomeNotAddressed = "not_addressed"
	outcomeInfo         = "info"  // help, lists, digest status
	outcomeError        = "error" // a command that could not be carried out, or a panic
)

func newMetrics(version string) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		questions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "policybot_questions_total",
			Help: "Messages addressed to the bot, by platform and outcome (answered, not_addressed, declined, info, error).",
		}, []string{"platform", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "policybot_answer_duration_seconds",
			Help: "Time the core took to produce a reply, by platform.",
			// Retrieval is in-process: most replies take well under 10 ms;
			// digest commands touch the database.
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"platform"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "policybot_digest_deliveries_total",
			Help: "Daily digests delivered, by platform.",
		}, []string{"platform"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "policybot_digest_failures_total",
			Help: "Digest delivery attempts that failed, by platform.",
		}, []string{"platform"}),
		reconnects: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "policybot_reconnects_total",
			Help: "Reconnections to the chat platform after a lost connection, by platform.",
		}, []string{"platform"}),
		rateLimits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "policybot_rate_limit_waits_total",
			Help: "Times the platform asked the bot to slow down, by platform.",
		}, []string{"platform"}),
		rateLimitSecs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "policybot_rate_limit_wait_seconds_total",
			Help: "Total time spent waiting because of rate limits, by platform.",
		}, []string{"platform"}),
		feedback: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "policybot_feedback_total",
			Help: "Votes on answers that counted (new or changed), by platform and vote (up, down).",
		}, []string{"platform", "vote"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "policybot_replies_in_flight",
			Help: "Replies the core is producing right now.",
		}),
		leader: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "policybot_leader",
			Help: "1 while this replica is the leader (runs Matrix sync and digests), else 0. Always 1 on a single process with a SQLite state file.",
		}),
		leaderChanges: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "policybot_leader_changes_total",
			Help: "Times this replica became the leader or stopped being it.",
		}),
		claimConflicts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "policybot_claim_conflicts_total",
			Help: "Messages that arrived already claimed, by platform: a platform's redelivery, or the same event at two replicas. Each is answered once.",
		}, []string{"platform"}),
	}
	build := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "policybot_build_info",
		Help:        "Always 1; the labels say which build is running.",
		ConstLabels: prometheus.Labels{"version": version, "goversion": runtime.Version()},
	})
	build.Set(1)
	m.reg.MustRegister(m.questions, m.latency, m.deliveries, m.failures, m.reconnects,
		m.rateLimits, m.rateLimitSecs, m.inFlight, m.feedback, m.leader, m.leaderChanges, m.claimConflicts, build,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// watchDB adds the state database's connection-pool statistics.
func (m *metrics) watchDB(db *sql.DB) {
	m.reg.MustRegister(collectors.NewDBStatsCollector(db, "state"))
}

// leaderChanged is the elector's OnChange.
func (m *metrics) leaderChanged(leader bool) {
	m.leaderChanges.Inc()
	if leader {
		m.leader.Set(1)
	} else {
		m.leader.Set(0)
	}
}

// claimConflict counts a message that was claimed already.
func (m *metrics) claimConflict(platform string) {
	m.claimConflicts.WithLabelValues(platform).Inc()
}

// handler serves the registry in the Prometheus text format.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// observeReply counts one reply of the core.
func (m *metrics) observeReply(platform string, r bot.Reply, took time.Duration) {
	m.questions.WithLabelValues(platform, outcomeOf(r)).Inc()
	m.latency.WithLabelValues(platform).Observe(took.Seconds())
}

// voted counts a vote on an answer (insights.Options.OnVote).
func (m *metrics) voted(platform string, up bool) {
	vote := "down"
	if up {
		vote = "up"
	}
	m.feedback.WithLabelValues(platform, vote).Inc()
}

func outcomeOf(r bot.Reply) string {
	switch r.Kind {
	case bot.KindAnswer:
		return outcomeAnswered
	case bot.KindDecline:
		return outcomeDeclined
	case bot.KindNotAddressed:
		return outcomeNotAddressed
	case bot.KindInfo:
		return outcomeInfo
	}
	return outcomeError
}

// platform returns the hooks for one platform, and makes its series exist
// at zero so dashboards and alerts see them before the first event.
func (m *metrics) platform(name string) platformMetrics {
	for _, o := range []string{outcomeAnswered, outcomeDeclined, outcomeNotAddressed, outcomeInfo, outcomeError} {
		m.questions.WithLabelValues(name, o)
	}
	m.latency.WithLabelValues(name)
	for _, v := range []string{"up", "down"} {
		m.feedback.WithLabelValues(name, v)
	}
	for _, c := range []*prometheus.CounterVec{m.deliveries, m.failures, m.reconnects, m.rateLimits, m.rateLimitSecs} {
		c.WithLabelValues(name)
	}
	return platformMetrics{m: m, name: name}
}

// platformMetrics are one platform's hooks. Their method values fit the
// adapters' func-typed options (slack.Options.OnRateLimited,
// matrix.Adapter.OnReconnect, …) and the digest scheduler's.
type platformMetrics struct {
	m    *metrics
	name string
}

// Reconnected counts a reconnection after a lost connection.
func (p platformMetrics) Reconnected() { p.m.reconnects.WithLabelValues(p.name).Inc() }

// RateLimited counts a rate-limit wait of d.
func (p platformMetrics) RateLimited(d time.Duration) {
	p.m.rateLimits.WithLabelValues(p.name).Inc()
	p.m.rateLimitSecs.WithLabelValues(p.name).Add(max(d, 0).Seconds())
}

// DigestDelivered counts a digest posted.
func (p platformMetrics) DigestDelivered() { p.m.deliveries.WithLabelValues(p.name).Inc() }

// DigestFailed counts a failed digest attempt.
func (p platformMetrics) DigestFailed() { p.m.failures.WithLabelValues(p.name).Inc() }
