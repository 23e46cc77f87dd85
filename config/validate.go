package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/policybot/policybot/bot/localtime"
	"github.com/policybot/policybot/bot/store"
)

// Validate checks that every value makes sense, without connecting
// anywhere, and returns all problems joined (nil when there are none).
// Call it after Load (or SetDefaults).
func (c *Config) Validate() error {
	v := &validator{c: c}
	v.general()
	v.slack()
	v.matrix()
	v.digest()
	return errors.Join(v.problems...)
}

type validator struct {
	c        *Config
	problems []error
}

// add records a problem with key; the example comes from the key table.
func (v *validator) add(key, format string, args ...any) {
	v.addEx(key, example(genericKey(key)), format, args...)
}

// addEx records a problem whose correct example depends on context.
func (v *validator) addEx(key, example, format string, args ...any) {
	v.problems = append(v.problems, &Problem{
		Key:     key,
		Source:  v.c.origin[key],
		What:    fmt.Sprintf(format, args...),
		Example: example,
	})
}

func (v *validator) general() {
	c := v.c
	if store.IsPostgres(c.DB) {
		if _, err := store.ParsePostgres(c.DB); err != nil {
			v.addEx("db", "postgres://policybot:password@db.example.org:5432/policybot?sslmode=verify-full", "%v", err)
		}
	}
	if c.Statement != "" {
		fi, err := os.Stat(c.Statement)
		switch {
		case err != nil:
			v.add("statement", "cannot read %s: %v; give the path of a statement text file, or leave statement unset for the embedded one", c.Statement, errors.Unwrap(err))
		case fi.IsDir():
			v.add("statement", "%s is a directory; give the path of a statement text file", c.Statement)
		}
	}
	switch strings.ToLower(c.LogLevel) {
	case "debug", "info", "warn", "warning", "error":
	default:
		v.add("log_level", "%q is not a level; use debug, info, warn or error", c.LogLevel)
	}
	switch strings.ToLower(c.LogFormat) {
	case "auto", "text", "json":
	default:
		v.add("log_format", "%q is not a format; use text, json or auto", c.LogFormat)
	}
	if what := checkAddr(c.HTTPAddr); what != "" {
		v.add("http_addr", "%s", what)
	}
	if c.ShutdownTimeout < 0 || c.ShutdownTimeout > 10*time.Minute {
		v.add("shutdown_timeout", "%s is out of range; use a positive duration up to 10m", c.ShutdownTimeout)
	}
	if n := c.Answers.MaxPassages; n < 1 || n > 10 {
		v.add("answers.max_passages", "%d is out of range; use 1 to 10", n)
	}
	if n := c.Answers.MaxChars; n < 200 || n > 30000 {
		v.add("answers.max_chars", "%d is out of range; use 200 to 30000 (Slack and Matrix cut longer messages)", n)
	}
	if c.PublicURL != "" {
		if what := checkURL(c.PublicURL); what != "" {
			v.add("public_url", "%s", what)
		}
	}
	if n := c.Insights.Retention; n < 1 || n > 3650 {
		v.add("insights.retention", "%d is out of range; use a number of days from 1 to 3650", n)
	}
	switch t := c.Insights.Token; {
	case t == "":
	case len(t) < 16:
		v.add("insights.token", "is shorter than 16 characters; use a long random string (e.g. openssl rand -hex 24), since it guards what people asked")
	case !unbroken(t):
		v.add("insights.token", tokenProblem)
	}
	if c.Digest.Grace < 0 || c.Digest.Grace > 24*time.Hour {
		v.add("digest.grace", "%s is out of range; use a positive duration up to 24h", c.Digest.Grace)
	}
}

func checkAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Sprintf("%q is not host:port (%v)", addr, stripAddrErr(err))
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return fmt.Sprintf("%q has port %q; use a number from 1 to 65535", addr, port)
	}
	if host != "" && net.ParseIP(host) == nil && !validHostname(host) {
		return fmt.Sprintf("%q has host %q, which is neither an IP address nor a host name", addr, host)
	}
	return ""
}

func stripAddrErr(err error) string {
	var ae *net.AddrError
	if errors.As(err, &ae) {
		return ae.Err
	}
	return err.Error()
}

var hostnameRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$`)

func validHostname(h string) bool { return len(h) <= 253 && hostnameRE.MatchString(h) }

// checkURL returns what is wrong with an http(s) base URL, or "".
func checkURL(s string) string {
	u, err := url.Parse(s)
	if err == nil {
		s = u.Redacted() // never echo a password written into the URL
	}
	switch {
	case err != nil:
		return fmt.Sprintf("%q is not a URL (%v)", s, errors.Unwrap(err))
	case u.Scheme != "https" && u.Scheme != "http":
		return fmt.Sprintf("%q must start with https:// (or http:// for a local test server)", s)
	case u.Host == "":
		return fmt.Sprintf("%q has no host name", s)
	case u.User != nil:
		return "must not contain a user name or password; put credentials in their own keys"
	case u.RawQuery != "" || u.Fragment != "":
		return fmt.Sprintf("%q must not have a query or fragment", s)
	}
	return ""
}

// spaced reports whether a pasted secret kept surrounding whitespace, a
// common copy-and-paste slip that makes the platform reject it.
func spaced(s string) bool { return strings.TrimSpace(s) != s }

// A token or secret never holds white space: one inside is a copy-paste
// that picked up a line break or split the value, and every request
// signed or sent with it would be refused. A password may hold spaces,
// but not a line break or tab.
const (
	tokenProblem    = "has spaces or a line break around or inside it; copy it again as one unbroken line"
	passwordProblem = "has a line break, tab or other control character in it, or spaces around it; copy it again as one line"
)

// unbroken reports whether a token or secret has no white space at all.
func unbroken(s string) bool { return !strings.ContainsFunc(s, unicode.IsSpace) }

// oneLine reports whether a password has no control characters and no
// spaces around it.
func oneLine(s string) bool { return !spaced(s) && !strings.ContainsFunc(s, unicode.IsControl) }

func (v *validator) slack() {
	s := v.c.Slack
	if !s.Enabled() {
		return
	}
	switch {
	case s.BotToken == "":
		v.add("slack.bot_token", "Slack is enabled (a slack key is set) but the bot token is missing; copy the Bot User OAuth Token from the app's OAuth & Permissions page")
	case strings.HasPrefix(s.BotToken, "xapp-"):
		v.add("slack.bot_token", "is an app-level token (xapp-…), not a bot token; move it to slack.app_token and put the Bot User OAuth Token (xoxb-…) here")
	case strings.HasPrefix(s.BotToken, "xoxp-"):
		v.add("slack.bot_token", "is a user token (xoxp-…); policybot must act as its bot user: use the Bot User OAuth Token (xoxb-…)")
	case !strings.HasPrefix(s.BotToken, "xoxb-"):
		v.add("slack.bot_token", "does not look like a bot token (it should start with xoxb-)")
	case !unbroken(s.BotToken):
		v.add("slack.bot_token", tokenProblem)
	}
	switch {
	case s.AppToken == "":
	case strings.HasPrefix(s.AppToken, "xoxb-"):
		v.add("slack.app_token", "is a bot token (xoxb-…), not an app-level token; put it in slack.bot_token and create an app-level token (xapp-…) with connections:write under Basic Information → App-Level Tokens")
	case !strings.HasPrefix(s.AppToken, "xapp-"):
		v.add("slack.app_token", "does not look like an app-level token (it should start with xapp-)")
	case !unbroken(s.AppToken):
		v.add("slack.app_token", tokenProblem)
	}
	switch {
	case s.SigningSecret == "":
	case strings.HasPrefix(s.SigningSecret, "xox") || strings.HasPrefix(s.SigningSecret, "xapp-"):
		v.add("slack.signing_secret", "is a token, not a signing secret; copy the Signing Secret from Basic Information → App Credentials")
	case !unbroken(s.SigningSecret):
		v.add("slack.signing_secret", tokenProblem)
	}
	if s.AppToken == "" && s.SigningSecret == "" {
		v.add("slack.app_token", "Slack needs a way to receive events: set slack.app_token (Socket Mode, no public URL needed) or slack.signing_secret (Events API and slash commands over HTTP)")
	}
	if what := checkURL(s.APIURL); what != "" {
		v.add("slack.api_url", "%s", what)
	}
}

var (
	matrixUserRE    = regexp.MustCompile(`^@[^:\s]+:[^\s]+$`)
	matrixInviterRE = regexp.MustCompile(`^(@[^:\s]+)?:[^\s]+$`)
	matrixRoomRE    = regexp.MustCompile(`^![^\s]+$`)
	recoveryKeyRE   = regexp.MustCompile(`^[1-9A-HJ-NP-Za-km-z]{48}$`) // base58
	slackChannelRE  = regexp.MustCompile(`^[CGD][A-Z0-9]{6,}$`)
)

func (v *validator) matrix() {
	m := v.c.Matrix
	if !m.Enabled() {
		return
	}
	if m.Homeserver == "" {
		v.add("matrix.homeserver", "Matrix is enabled (a matrix key is set) but the homeserver URL is missing")
	} else if what := checkURL(m.Homeserver); what != "" {
		v.add("matrix.homeserver", "%s", what)
	}
	switch {
	case m.User == "":
		v.add("matrix.user", "Matrix is enabled but the bot's user ID is missing")
	case !matrixUserRE.MatchString(m.User):
		v.add("matrix.user", "%q is not a full Matrix user ID; write @name:server", m.User)
	}
	if m.Password == "" && m.AccessToken == "" {
		v.add("matrix.password", "Matrix needs matrix.password or matrix.access_token to log in; neither is set")
	}
	if !oneLine(m.Password) {
		v.add("matrix.password", passwordProblem)
	}
	if !unbroken(m.AccessToken) {
		v.add("matrix.access_token", tokenProblem)
	}
	if !oneLine(m.PickleKey) {
		v.add("matrix.pickle_key", passwordProblem)
	}
	if m.RecoveryKey != "" {
		switch {
		case m.PickleKey == "":
			v.add("matrix.recovery_key", "is set but matrix.pickle_key is not, so encryption (and with it cross-signing) is off; set matrix.pickle_key too, or remove the recovery key")
		case !recoveryKeyRE.MatchString(strings.ReplaceAll(m.RecoveryKey, " ", "")):
			v.add("matrix.recovery_key", "is not a Matrix recovery key (48 letters and digits, usually written in groups of four); copy it again from where policybot printed it, with or without the spaces")
		}
	}
	for i, inv := range m.AllowedInviters {
		if !matrixInviterRE.MatchString(inv) {
			v.add(fmt.Sprintf("matrix.allowed_inviters[%d]", i), "%q is neither a user ID (@name:server) nor a whole server (:server)", inv)
		}
	}
}

func (v *validator) digest() {
	for i, s := range v.c.Digest.Subscriptions {
		key := fmt.Sprintf("digest.subscriptions[%d]", i)
		switch s.Platform {
		case "slack":
			if !v.c.Slack.Enabled() {
				v.add(key+".platform", "slack is not configured; set slack.bot_token and its companions, or remove this subscription")
			}
			if !slackChannelRE.MatchString(s.Conversation) {
				v.add(key+".conversation", "%q is not a Slack channel ID; use the ID (C…), not the #name: open the channel details and copy the ID at the bottom", s.Conversation)
			}
		case "matrix":
			if !v.c.Matrix.Enabled() {
				v.add(key+".platform", "matrix is not configured; set matrix.homeserver and its companions, or remove this subscription")
			}
			if !matrixRoomRE.MatchString(s.Conversation) {
				v.addEx(key+".conversation", "\"!AbCdEfGhIjKlMnOp:example.org\"", "%q is not a Matrix room ID; use the ID (!…), found under Room settings → Advanced, not the #alias", s.Conversation)
			}
		default:
			v.add(key+".platform", "%q is not a platform; use slack or matrix", s.Platform)
		}
		// The same parsers as "digest on" in chat, so that what works
		// there works here.
		if _, _, err := localtime.ParseClock(s.Time); err != nil {
			v.add(key+".time", "%v", err)
		}
		if _, err := localtime.LoadZone(s.Zone); err != nil {
			v.add(key+".zone", "%v", err)
		}
		if s.Passages < 1 || s.Passages > v.c.Answers.MaxPassages {
			v.add(key+".passages", "%d is out of range; use 1 to %d (answers.max_passages)", s.Passages, v.c.Answers.MaxPassages)
		}
	}
}
