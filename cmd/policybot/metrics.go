package main

import (
	"bytes"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"time"

	vm "github.com/VictoriaMetrics/metrics"

	"github.com/policybot/policybot/bot"
)

// metrics is everything /metrics reports, in the Prometheus text format.
// It is built on VictoriaMetrics/metrics rather than the Prometheus client,
// whose protobuf dependency alone is about a megabyte of the binary. Each
// metric family keeps its series in a Set of its own, made by newMetrics,
// so that nothing is registered globally, tests can make as many as they
// like, and each family is written with its HELP and TYPE lines. Adapters
// and the digest scheduler never see metric types: they get the
// func-valued hooks of platformMetrics.
type metrics struct {
	families      []*family
	questions     *family // labels outcome, platform
	latency       *family // histogram, label platform
	deliveries    *family
	failures      *family
	reconnects    *family
	rateLimits    *family
	rateLimitSecs *family // float counter
	feedback      *family // labels platform, vote
	claims        *family
	inFlight      *vm.Gauge
	// Replicas (PostgreSQL state): leadership.
	leader        *vm.Gauge
	leaderChanges *vm.Counter
	// db writes the state database's pool statistics, once watchDB has
	// been called.
	db func(w io.Writer)
}

// family is one metric name with its help text, type and label names (in
// the alphabetical order Prometheus writes them), and its series.
type family struct {
	name, help, typ string
	labels          []string
	set             *vm.Set
}

// series is the family's series name for label values given in the order
// of f.labels: policybot_questions_total{outcome="answered",platform="slack"}.
func (f *family) series(values ...string) string {
	if len(values) != len(f.labels) {
		panic(fmt.Sprintf("metric %s takes %d label values, got %d", f.name, len(f.labels), len(values)))
	}
	if len(values) == 0 {
		return f.name
	}
	var b strings.Builder
	b.WriteString(f.name)
	sep := byte('{')
	for i, v := range values {
		b.WriteByte(sep)
		sep = ','
		fmt.Fprintf(&b, "%s=\"%s\"", f.labels[i], labelEscaper.Replace(v))
	}
	b.WriteByte('}')
	return b.String()
}

// labelEscaper escapes a label value as the text format requires.
var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

func (f *family) counter(values ...string) *vm.Counter {
	return f.set.GetOrCreateCounter(f.series(values...))
}

func (f *family) floatCounter(values ...string) *vm.FloatCounter {
	return f.set.GetOrCreateFloatCounter(f.series(values...))
}

// latencyBuckets are the reply-time histogram's upper bounds, in seconds.
// Retrieval is in-process: most replies take well under 10 ms; digest
// commands touch the database.
var latencyBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}

func (f *family) histogram(values ...string) *vm.PrometheusHistogram {
	return f.set.GetOrCreatePrometheusHistogramExt(f.series(values...), latencyBuckets)
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
	m := &metrics{}
	add := func(name, typ, help string, labels ...string) *family {
		f := &family{name: name, help: help, typ: typ, labels: labels, set: vm.NewSet()}
		m.families = append(m.families, f)
		return f
	}
	byPlatform := "platform"
	m.questions = add("policybot_questions_total", "counter",
		"Messages addressed to the bot, by platform and outcome (answered, not_addressed, declined, info, error).", "outcome", byPlatform)
	m.latency = add("policybot_answer_duration_seconds", "histogram", "Time the core took to produce a reply, by platform.", byPlatform)
	m.deliveries = add("policybot_digest_deliveries_total", "counter", "Daily digests delivered, by platform.", byPlatform)
	m.failures = add("policybot_digest_failures_total", "counter", "Digest delivery attempts that failed, by platform.", byPlatform)
	m.reconnects = add("policybot_reconnects_total", "counter", "Reconnections to the chat platform after a lost connection, by platform.", byPlatform)
	m.rateLimits = add("policybot_rate_limit_waits_total", "counter", "Times the platform asked the bot to slow down, by platform.", byPlatform)
	m.rateLimitSecs = add("policybot_rate_limit_wait_seconds_total", "counter", "Total time spent waiting because of rate limits, by platform.", byPlatform)
	m.feedback = add("policybot_feedback_total", "counter", "Votes on answers that counted (new or changed), by platform and vote (up, down).", byPlatform, "vote")
	m.inFlight = add("policybot_replies_in_flight", "gauge", "Replies the core is producing right now.").set.NewGauge("policybot_replies_in_flight", nil)
	m.leader = add("policybot_leader", "gauge",
		"1 while this replica is the leader (runs Matrix sync and digests), else 0. Always 1 on a single process with a SQLite state file.").set.NewGauge("policybot_leader", nil)
	m.leaderChanges = add("policybot_leader_changes_total", "counter", "Times this replica became the leader or stopped being it.").counter()
	m.claims = add("policybot_claim_conflicts_total", "counter",
		"Messages that arrived already claimed, by platform: a platform's redelivery, or the same event at two replicas. Each is answered once.", byPlatform)
	build := add("policybot_build_info", "gauge", "Always 1; the labels say which build is running.", "goversion", "version")
	build.set.NewGauge(build.series(runtime.Version(), version), nil).Set(1)
	return m
}

// watchDB adds the state database's connection-pool statistics, under the
// names the Prometheus client's collector gives them.
func (m *metrics) watchDB(db *sql.DB) {
	m.db = func(w io.Writer) {
		s := db.Stats()
		for _, g := range []struct {
			name, typ, help string
			v               float64
		}{
			{"go_sql_max_open_connections", "gauge", "Maximum number of open connections to the database.", float64(s.MaxOpenConnections)},
			{"go_sql_open_connections", "gauge", "The number of established connections both in use and idle.", float64(s.OpenConnections)},
			{"go_sql_in_use_connections", "gauge", "The number of connections currently in use.", float64(s.InUse)},
			{"go_sql_idle_connections", "gauge", "The number of idle connections.", float64(s.Idle)},
			{"go_sql_wait_count_total", "counter", "The total number of connections waited for.", float64(s.WaitCount)},
			{"go_sql_wait_duration_seconds_total", "counter", "The total time blocked waiting for a new connection.", s.WaitDuration.Seconds()},
			{"go_sql_max_idle_closed_total", "counter", "The total number of connections closed due to SetMaxIdleConns.", float64(s.MaxIdleClosed)},
			{"go_sql_max_idle_time_closed_total", "counter", "The total number of connections closed due to SetConnMaxIdleTime.", float64(s.MaxIdleTimeClosed)},
			{"go_sql_max_lifetime_closed_total", "counter", "The total number of connections closed due to SetConnMaxLifetime.", float64(s.MaxLifetimeClosed)},
		} {
			writeMeta(w, g.name, g.typ, g.help)
			fmt.Fprintf(w, "%s{db_name=\"state\"} %g\n", g.name, g.v)
		}
	}
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
func (m *metrics) claimConflict(platform string) { m.claims.counter(platform).Inc() }

// handler serves the metrics in the Prometheus text format: each family
// with its HELP and TYPE lines, then the pool's, the Go runtime's and the
// process's.
func (m *metrics) handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		var b bytes.Buffer
		m.write(&b)
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		w.Write(b.Bytes())
	})
}

func (m *metrics) write(w io.Writer) {
	for _, f := range m.families {
		writeMeta(w, f.name, f.typ, f.help)
		f.set.WritePrometheus(w)
	}
	if m.db != nil {
		m.db(w)
	}
	vm.WriteProcessMetrics(w)
}

// writeMeta writes a family's HELP and TYPE lines.
func writeMeta(w io.Writer, name, typ, help string) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
}

// observeReply counts one reply of the core.
func (m *metrics) observeReply(platform string, r bot.Reply, took time.Duration) {
	m.questions.counter(outcomeOf(r), platform).Inc()
	m.latency.histogram(platform).Update(took.Seconds())
}

// voted counts a vote on an answer (insights.Options.OnVote).
func (m *metrics) voted(platform string, up bool) {
	vote := "down"
	if up {
		vote = "up"
	}
	m.feedback.counter(platform, vote).Inc()
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
		m.questions.counter(o, name)
	}
	m.latency.histogram(name)
	for _, v := range []string{"up", "down"} {
		m.feedback.counter(name, v)
	}
	for _, f := range []*family{m.deliveries, m.failures, m.reconnects, m.rateLimits, m.claims} {
		f.counter(name)
	}
	m.rateLimitSecs.floatCounter(name)
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
func (p platformMetrics) Reconnected() { p.m.reconnects.counter(p.name).Inc() }

// RateLimited counts a rate-limit wait of d.
func (p platformMetrics) RateLimited(d time.Duration) {
	p.m.rateLimits.counter(p.name).Inc()
	p.m.rateLimitSecs.floatCounter(p.name).Add(max(d, 0).Seconds())
}

// DigestDelivered counts a digest posted.
func (p platformMetrics) DigestDelivered() { p.m.deliveries.counter(p.name).Inc() }

// DigestFailed counts a failed digest attempt.
func (p platformMetrics) DigestFailed() { p.m.failures.counter(p.name).Inc() }
