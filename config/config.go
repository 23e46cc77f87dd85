// Package config loads policybot's configuration: one YAML file plus
// POLICYBOT_* environment variables that override it. Validate reports every
// problem at once, each naming the key and an example of a correct value.
package config

import (
	"github.com/policybot/policybot/bot"
	"github.com/policybot/policybot/bot/localtime"
	"github.com/policybot/policybot/knowledge"
	"path/filepath"
	"strings"
	"time"
)

// Defaults that other packages may need to show or compare against.
const (
	DefaultHTTPAddr        = "127.0.0.1:8080"
	DefaultSlackAPIURL     = "https://slack.com/api/"
	DefaultShutdownTimeout = 10 * time.Second
	DefaultMaxPassages     = knowledge.DefaultPassages
	DefaultMaxChars        = bot.DefaultMaxChars
	DefaultDigestGrace     = 6 * time.Hour
	DefaultDigestTime      = localtime.DefaultClock
	DefaultDigestZone      = localtime.DefaultZone
	// DefaultInsightsRetention is how many days insights keep what they
	// record.
	DefaultInsightsRetention = 30
)

// Config is everything policybot can be told. Keys in YAML are the
// lower-case names in the yaml tags; the environment variable for a key is
// given beside it.
type Config struct {
	// Statement is a statement file to answer from instead of the embedded
	// one. POLICYBOT_STATEMENT.
	Statement string `yaml:"statement"`
	// DataDir holds the state file unless DB says otherwise.
	// POLICYBOT_DATA_DIR; default $XDG_STATE_HOME/policybot or
	// ~/.local/state/policybot.
	DataDir string `yaml:"data_dir"`
	// DB is the SQLite state file, or the URL of a PostgreSQL database
	// (postgres://…) that several replicas share. POLICYBOT_DB; default
	// DataDir/policybot.db. Its password is masked wherever it is shown.
	DB string `yaml:"db"`
	// HTTPAddr is the listen address for the statement page, insights,
	// health, metrics and the Slack HTTP endpoints. POLICYBOT_HTTP_ADDR; default 127.0.0.1:8080.
	HTTPAddr string `yaml:"http_addr"`
	// LogLevel is debug, info, warn or error. POLICYBOT_LOG_LEVEL.
	LogLevel string `yaml:"log_level"`
	// LogFormat is text, json or auto (text on a terminal). POLICYBOT_LOG_FORMAT.
	LogFormat string `yaml:"log_format"`
	// ShutdownTimeout bounds the wait for replies in flight on SIGTERM.
	// POLICYBOT_SHUTDOWN_TIMEOUT; default 10s.
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	// PublicURL is where the statement page (served at / on http_addr) is
	// reachable by readers; when set, chat citations link to
	// <public_url>/#pN. POLICYBOT_PUBLIC_URL.
	PublicURL string `yaml:"public_url"`

	Answers  Answers  `yaml:"answers"`
	Insights Insights `yaml:"insights"`
	Slack    Slack    `yaml:"slack"`
	Matrix   Matrix   `yaml:"matrix"`
	Digest   Digest   `yaml:"digest"`

	// origin records where each key's value came from ("policybot.yaml
	// line 4", "$POLICYBOT_DB") so that Validate can say so.
	origin map[string]string
}

// Answers bounds replies.
type Answers struct {
	MaxPassages int `yaml:"max_passages"` // POLICYBOT_MAX_PASSAGES; default 3
	MaxChars    int `yaml:"max_chars"`    // POLICYBOT_MAX_CHARS; default 3000
}

// Insights configures /insights, the operators' view of what the bot
// could not answer and how answers were rated.
type Insights struct {
	// Token enables /insights and is what operators present to read it.
	// POLICYBOT_INSIGHTS_TOKEN.
	Token string `yaml:"token"`
	// KeepQuestions stores the text of declined and not-addressed
	// questions and of rated answers; without it only counts and
	// paragraph numbers are kept. POLICYBOT_INSIGHTS_KEEP_QUESTIONS.
	KeepQuestions bool `yaml:"keep_questions"`
	// Retention is how many days records are kept (default 30).
	// POLICYBOT_INSIGHTS_RETENTION.
	Retention int `yaml:"retention"`
}

// Enabled reports whether /insights is served.
func (i Insights) Enabled() bool { return i.Token != "" }

// Slack configures the Slack adapter; any of its secrets enables it.
type Slack struct {
	BotToken      string `yaml:"bot_token"`      // POLICYBOT_SLACK_BOT_TOKEN, xoxb-…
	AppToken      string `yaml:"app_token"`      // POLICYBOT_SLACK_APP_TOKEN, xapp-…: Socket Mode
	SigningSecret string `yaml:"signing_secret"` // POLICYBOT_SLACK_SIGNING_SECRET: HTTP endpoints
	APIURL        string `yaml:"api_url"`        // POLICYBOT_SLACK_API_URL; default https://slack.com/api/
}

// Enabled reports whether Slack credentials are configured.
func (s Slack) Enabled() bool { return s.BotToken != "" || s.AppToken != "" || s.SigningSecret != "" }

// Matrix configures the Matrix adapter; its homeserver, user, password
// or access token enables it.
type Matrix struct {
	Homeserver      string   `yaml:"homeserver"`       // POLICYBOT_MATRIX_HOMESERVER
	User            string   `yaml:"user"`             // POLICYBOT_MATRIX_USER, @bot:example.org
	Password        string   `yaml:"password"`         // POLICYBOT_MATRIX_PASSWORD
	AccessToken     string   `yaml:"access_token"`     // POLICYBOT_MATRIX_ACCESS_TOKEN
	AllowedInviters []string `yaml:"allowed_inviters"` // POLICYBOT_MATRIX_ALLOWED_INVITERS, comma-separated
	PickleKey       string   `yaml:"pickle_key"`       // POLICYBOT_MATRIX_PICKLE_KEY
	RecoveryKey     string   `yaml:"recovery_key"`     // POLICYBOT_MATRIX_RECOVERY_KEY: unlocks the cross-signing keys
}

// Enabled reports whether any Matrix credential is configured; Validate
// then insists on all that are needed.
func (m Matrix) Enabled() bool {
	return m.Homeserver != "" || m.User != "" || m.Password != "" || m.AccessToken != ""
}

// Digest configures daily digests.
type Digest struct {
	// Grace is how late a missed digest may still be sent after a restart.
	// POLICYBOT_DIGEST_GRACE; default 6h.
	Grace time.Duration `yaml:"grace"`
	// Subscriptions are static subscriptions, in addition to those made
	// from chat.
	Subscriptions []StaticSubscription `yaml:"subscriptions"`
}

// StaticSubscription is a digest subscription from the config file.
type StaticSubscription struct {
	Platform     string `yaml:"platform"`     // slack or matrix
	Conversation string `yaml:"conversation"` // channel ID or room ID
	Time         string `yaml:"time"`         // HH:MM, default 09:00
	Zone         string `yaml:"zone"`         // IANA zone, default UTC
	Passages     int    `yaml:"passages"`     // default 1
}

// SetDefaults fills every unset key with its default. getenv supplies
// HOME and XDG_STATE_HOME for the data directory.
func (c *Config) SetDefaults(getenv func(string) string) {
	if c.DataDir == "" {
		if x := getenv("XDG_STATE_HOME"); x != "" {
			c.DataDir = filepath.Join(x, "policybot")
		} else if h := getenv("HOME"); h != "" {
			c.DataDir = filepath.Join(h, ".local", "state", "policybot")
		} else {
			c.DataDir = "policybot-state"
		}
	}
	if c.DB == "" {
		c.DB = filepath.Join(c.DataDir, "policybot.db")
	}
	if c.HTTPAddr == "" {
		c.HTTPAddr = DefaultHTTPAddr
	}
	if c.LogLevel == "" {
		c.LogLevel = "info"
	}
	if c.LogFormat == "" {
		c.LogFormat = "auto"
	}
	if c.ShutdownTimeout == 0 {
		c.ShutdownTimeout = DefaultShutdownTimeout
	}
	if c.Answers.MaxPassages == 0 {
		c.Answers.MaxPassages = DefaultMaxPassages
	}
	if c.Answers.MaxChars == 0 {
		c.Answers.MaxChars = DefaultMaxChars
	}
	if c.Insights.Retention == 0 {
		c.Insights.Retention = DefaultInsightsRetention
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if c.Slack.APIURL == "" {
		c.Slack.APIURL = DefaultSlackAPIURL
	} else if !strings.HasSuffix(c.Slack.APIURL, "/") {
		// slack-go joins method names straight onto the base URL.
		c.Slack.APIURL += "/"
	}
	if c.Digest.Grace == 0 {
		c.Digest.Grace = DefaultDigestGrace
	}
	for i := range c.Digest.Subscriptions {
		s := &c.Digest.Subscriptions[i]
		if s.Time == "" {
			s.Time = DefaultDigestTime
		}
		if s.Zone == "" {
			s.Zone = DefaultDigestZone
		}
		if s.Passages == 0 {
			s.Passages = 1
		}
	}
}

// AnyPlatform reports whether a chat platform is configured; without one
// policybot runs the console chat.
func (c *Config) AnyPlatform() bool { return c.Slack.Enabled() || c.Matrix.Enabled() }
