package config

import (
	"errors"
	"strings"
	"testing"
)

func TestPublicURLAndInsightsKeys(t *testing.T) {
	tests := []struct {
		name    string
		environ []string
		problem string // a substring of the one problem expected; "" for none
		check   func(t *testing.T, c *Config)
	}{
		{"defaults", nil, "", func(t *testing.T, c *Config) {
			if c.PublicURL != "" || c.Insights.Enabled() || c.Insights.KeepQuestions || c.Insights.Retention != 30 {
				t.Errorf("defaults: %+v %v", c.PublicURL, c.Insights)
			}
		}},
		{"public url trailing slash", []string{"POLICYBOT_PUBLIC_URL=https://bot.example.org/policy/"}, "", func(t *testing.T, c *Config) {
			if c.PublicURL != "https://bot.example.org/policy" {
				t.Errorf("PublicURL = %q", c.PublicURL)
			}
		}},
		{"public url not http", []string{"POLICYBOT_PUBLIC_URL=ftp://x.example.org"}, "public_url", nil},
		{"public url fragment", []string{"POLICYBOT_PUBLIC_URL=https://x.example.org/#p6"}, "public_url", nil},
		{"insights on", []string{"POLICYBOT_INSIGHTS_TOKEN=0123456789abcdef0123", "POLICYBOT_INSIGHTS_KEEP_QUESTIONS=true", "POLICYBOT_INSIGHTS_RETENTION=7"}, "", func(t *testing.T, c *Config) {
			if !c.Insights.Enabled() || !c.Insights.KeepQuestions || c.Insights.Retention != 7 {
				t.Errorf("insights: %v", c.Insights)
			}
		}},
		{"short token", []string{"POLICYBOT_INSIGHTS_TOKEN=short"}, "insights.token", nil},
		{"retention out of range", []string{"POLICYBOT_INSIGHTS_RETENTION=0"}, "", nil}, // 0 is unset: the default
		{"retention too long", []string{"POLICYBOT_INSIGHTS_RETENTION=99999"}, "insights.retention", nil},
		{"keep_questions not a bool", []string{"POLICYBOT_INSIGHTS_KEEP_QUESTIONS=maybe"}, "insights.keep_questions", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load("", append([]string{"HOME=/h"}, tt.environ...))
			if c == nil {
				t.Fatal(err)
			}
			ps := Problems(errors.Join(err, c.Validate()))
			switch {
			case tt.problem == "" && len(ps) > 0:
				t.Errorf("unexpected problems: %v", ps)
			case tt.problem != "" && (len(ps) != 1 || !strings.Contains(ps[0].Error(), tt.problem)):
				t.Errorf("problems %v, want one about %s", ps, tt.problem)
			}
			if tt.check != nil {
				tt.check(t, c)
			}
		})
	}
}
