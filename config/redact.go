package config

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/policybot/policybot/bot/store"
)

// Secrets stay plain strings in Config so adapters can pass them to their
// SDKs without conversions; instead the structs that hold them mask them
// whenever they are formatted: fmt (%v, %+v, %#v), log/slog, JSON and YAML.
// Nothing that prints configuration can show a secret by accident.

// Mask hides a secret. It keeps a token's kind prefix (xoxb-, xapp-, …)
// because that is what an operator needs to tell tokens apart; the rest
// becomes "****". An empty secret stays empty, so "not set" is visible.
func Mask(secret string) string {
	if secret == "" {
		return ""
	}
	for _, p := range []string{"xoxb-", "xapp-", "xoxp-", "xoxa-", "xoxe-", "syt_"} {
		if strings.HasPrefix(secret, p) {
			return p + "****"
		}
	}
	return "****"
}

// redactURL hides a password written into a URL.
func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		return u.Redacted()
	}
	return s
}

// configPlain is Config without its methods, for MarshalYAML.
type configPlain Config

// MarshalYAML masks the password of a PostgreSQL URL in db; the sections
// mask their own secrets.
func (c Config) MarshalYAML() (any, error) {
	p := configPlain(c)
	p.DB = store.Redact(c.DB)
	return p, nil
}

// slackPlain and matrixPlain have the fields but not the methods, so the
// masking methods can format a masked copy without recursing.
type (
	slackPlain    Slack
	matrixPlain   Matrix
	insightsPlain Insights
)

func (i Insights) masked() insightsPlain {
	i.Token = Mask(i.Token)
	return insightsPlain(i)
}

// String formats the settings with the token masked.
func (i Insights) String() string { return fmt.Sprintf("%+v", i.masked()) }

// GoString masks the token under %#v too.
func (i Insights) GoString() string { return fmt.Sprintf("config.Insights%+v", i.masked()) }

// LogValue masks the token in log/slog output.
func (i Insights) LogValue() slog.Value {
	p := i.masked()
	return slog.GroupValue(
		slog.Bool("enabled", i.Enabled()),
		slog.String("token", p.Token),
		slog.Bool("keep_questions", p.KeepQuestions),
		slog.Int("retention", p.Retention),
	)
}

// MarshalJSON masks the token in JSON.
func (i Insights) MarshalJSON() ([]byte, error) { return json.Marshal(i.masked()) }

// MarshalYAML masks the token in YAML.
func (i Insights) MarshalYAML() (any, error) { return i.masked(), nil }

func (s Slack) masked() slackPlain {
	s.BotToken, s.AppToken, s.SigningSecret = Mask(s.BotToken), Mask(s.AppToken), Mask(s.SigningSecret)
	s.APIURL = redactURL(s.APIURL)
	return slackPlain(s)
}

func (m Matrix) masked() matrixPlain {
	m.Password, m.AccessToken, m.PickleKey = Mask(m.Password), Mask(m.AccessToken), Mask(m.PickleKey)
	m.RecoveryKey = Mask(m.RecoveryKey)
	m.Homeserver = redactURL(m.Homeserver)
	return matrixPlain(m)
}

// String formats the settings with secrets masked.
func (s Slack) String() string { return fmt.Sprintf("%+v", s.masked()) }

// GoString masks secrets under %#v too.
func (s Slack) GoString() string { return fmt.Sprintf("config.Slack%+v", s.masked()) }

// LogValue masks secrets in log/slog output.
func (s Slack) LogValue() slog.Value {
	p := s.masked()
	return slog.GroupValue(
		slog.Bool("enabled", s.Enabled()),
		slog.String("bot_token", p.BotToken),
		slog.String("app_token", p.AppToken),
		slog.String("signing_secret", p.SigningSecret),
		slog.String("api_url", p.APIURL),
	)
}

// MarshalJSON masks secrets in JSON.
func (s Slack) MarshalJSON() ([]byte, error) { return json.Marshal(s.masked()) }

// MarshalYAML masks secrets in YAML, such as "policybot config check"
// prints.
func (s Slack) MarshalYAML() (any, error) { return s.masked(), nil }

// String formats the settings with secrets masked.
func (m Matrix) String() string { return fmt.Sprintf("%+v", m.masked()) }

// GoString masks secrets under %#v too.
func (m Matrix) GoString() string { return fmt.Sprintf("config.Matrix%+v", m.masked()) }

// LogValue masks secrets in log/slog output.
func (m Matrix) LogValue() slog.Value {
	p := m.masked()
	return slog.GroupValue(
		slog.Bool("enabled", m.Enabled()),
		slog.String("homeserver", p.Homeserver),
		slog.String("user", p.User),
		slog.String("password", p.Password),
		slog.String("access_token", p.AccessToken),
		slog.Any("allowed_inviters", p.AllowedInviters),
		slog.String("pickle_key", p.PickleKey),
		slog.String("recovery_key", p.RecoveryKey),
	)
}

// MarshalJSON masks secrets in JSON.
func (m Matrix) MarshalJSON() ([]byte, error) { return json.Marshal(m.masked()) }

// MarshalYAML masks secrets in YAML.
func (m Matrix) MarshalYAML() (any, error) { return m.masked(), nil }

// Secrets lists the configured secret values, so that callers can check
// that some output does not contain any of them.
func (c *Config) Secrets() []string {
	var out []string
	for _, s := range []string{c.Slack.BotToken, c.Slack.AppToken, c.Slack.SigningSecret, c.Matrix.Password, c.Matrix.AccessToken, c.Matrix.PickleKey, c.Matrix.RecoveryKey, c.Insights.Token} {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
