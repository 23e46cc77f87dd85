package main

import (
	"bufio"
	"database/sql"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/policybot/policybot/bot"
)

// sampleLine is a sample of the text exposition format: a metric name,
// optional labels with quoted, escaped values, and a number.
var sampleLine = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"(?:, ?[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*")*\})? (-?[0-9.eE+-]+|[+-]Inf|NaN)$`)

// TestMetricsExposition reads /metrics as a scraper would: every line is
// a comment or a well-formed sample; each family is described by one HELP
// and one TYPE line before its samples, a family's samples are together,
// and label values are escaped.
func TestMetricsExposition(t *testing.T) {
	m := newMetrics(`v"1\`)
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	m.watchDB(db)
	hooks := m.platform(`sl"ack`)
	hooks.RateLimited(250 * time.Millisecond)
	m.observeReply(`sl"ack`, bot.Reply{Kind: bot.KindInfo}, 2*time.Millisecond)
	m.claimConflict(`sl"ack`)
	m.leaderChanged(true)

	_, body := get(t, m.handler(), "/metrics")
	typed := map[string]string{}
	helped := map[string]bool{}
	done := map[string]bool{} // families whose samples have ended
	current := ""
	sc := bufio.NewScanner(strings.NewReader(body))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "# HELP "); ok {
			name, _, _ := strings.Cut(rest, " ")
			if helped[name] {
				t.Errorf("line %d: second HELP for %s", n, name)
			}
			helped[name] = true
			continue
		}
		if rest, ok := strings.CutPrefix(line, "# TYPE "); ok {
			name, typ, _ := strings.Cut(rest, " ")
			if _, dup := typed[name]; dup {
				t.Errorf("line %d: second TYPE for %s", n, name)
			}
			typed[name] = typ
			continue
		}
		s := sampleLine.FindStringSubmatch(line)
		if s == nil {
			t.Errorf("line %d is not a sample: %q", n, line)
			continue
		}
		family := s[1]
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			if base, ok := strings.CutSuffix(family, suffix); ok && typed[base] == "histogram" {
				family = base
			}
		}
		if family != current {
			if done[family] {
				t.Errorf("line %d: samples of %s are split", n, family)
			}
			done[current], current = true, family
		}
		if strings.HasPrefix(family, "policybot_") && typed[family] == "" {
			t.Errorf("line %d: %s has no TYPE line before it", n, family)
		}
	}
	for _, want := range []string{
		`policybot_build_info{goversion="` + runtime.Version() + `",version="v\"1\\"} 1`,
		`policybot_rate_limit_wait_seconds_total{platform="sl\"ack"} 0.25`,
		`policybot_claim_conflicts_total{platform="sl\"ack"} 1`,
		`policybot_questions_total{outcome="info",platform="sl\"ack"} 1`,
		`policybot_leader 1`,
		`go_sql_open_connections{db_name="state"} 0`,
		`process_resident_memory_bytes `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if typed["policybot_answer_duration_seconds"] != "histogram" || typed["policybot_leader"] != "gauge" || typed["go_sql_wait_count_total"] != "counter" {
		t.Errorf("types = %v", typed)
	}
}
