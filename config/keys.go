package config

// KeyInfo describes one configuration key: where it comes from, its
// default and a correct example. It is the one table that Load (env
// names), error messages (examples) and the documentation tests read, so
// the three cannot drift apart.
type KeyInfo struct {
	Key     string // dotted YAML path, e.g. "slack.bot_token"
	Env     string // environment variable that overrides it; "" if none
	Default string // as documented; "" when unset by default
	Example string // a correct value, as it would be written in YAML
	Secret  bool   // masked wherever it is shown
	Doc     string // one line for the configuration reference
}

// subscriptionKeys are the keys of one digest.subscriptions entry; they
// have no environment variables.
var subscriptionKeys = []KeyInfo{
	{Key: "digest.subscriptions[].platform", Example: "slack", Doc: "slack or matrix"},
	{Key: "digest.subscriptions[].conversation", Example: "C0123456789", Doc: "Slack channel ID (C…, G…) or Matrix room ID (!abc:example.org)"},
	{Key: "digest.subscriptions[].time", Default: "09:00", Example: `"09:00"`, Doc: "local time of day, HH:MM (24-hour) or 9am, 6:30pm, as in chat"},
	{Key: "digest.subscriptions[].zone", Default: "UTC", Example: "Europe/Berlin", Doc: "IANA time zone"},
	{Key: "digest.subscriptions[].passages", Default: "1", Example: "1", Doc: "passages per digest, 1 to answers.max_passages"},
}

// Keys returns every configuration key in documentation order. It returns a
// fresh slice so callers cannot change the table.
func Keys() []KeyInfo {
	k := []KeyInfo{
		{Key: "statement", Env: "POLICYBOT_STATEMENT", Example: "/etc/policybot/statement.txt", Doc: "statement file to answer from instead of the embedded one"},
		{Key: "data_dir", Env: "POLICYBOT_DATA_DIR", Default: "$XDG_STATE_HOME/policybot or ~/.local/state/policybot", Example: "/var/lib/policybot", Doc: "directory for the state database"},
		{Key: "db", Env: "POLICYBOT_DB", Default: "<data_dir>/policybot.db", Example: "/var/lib/policybot/policybot.db", Doc: "SQLite state file, or a PostgreSQL URL (postgres://user:password@host:5432/policybot?sslmode=verify-full) shared by replicas"},
		{Key: "http_addr", Env: "POLICYBOT_HTTP_ADDR", Default: DefaultHTTPAddr, Example: "127.0.0.1:8080", Doc: "listen address for the statement page (/, /ask, /api/ask), /insights, /healthz, /readyz, /metrics and the Slack HTTP endpoints"},
		{Key: "log_level", Env: "POLICYBOT_LOG_LEVEL", Default: "info", Example: "info", Doc: "debug, info, warn or error"},
		{Key: "log_format", Env: "POLICYBOT_LOG_FORMAT", Default: "auto", Example: "json", Doc: "text, json, or auto (text on a terminal, JSON otherwise)"},
		{Key: "shutdown_timeout", Env: "POLICYBOT_SHUTDOWN_TIMEOUT", Default: "10s", Example: "10s", Doc: "how long SIGTERM waits for replies and digests in flight"},
		{Key: "public_url", Env: "POLICYBOT_PUBLIC_URL", Example: "https://policybot.example.org", Doc: "where readers reach the statement page served at / on http_addr; chat citations then link to <public_url>/#pN"},
		{Key: "answers.max_passages", Env: "POLICYBOT_MAX_PASSAGES", Default: "3", Example: "3", Doc: "most passages quoted in one reply (1-10)"},
		{Key: "answers.max_chars", Env: "POLICYBOT_MAX_CHARS", Default: "3000", Example: "3000", Doc: "most quoted characters in one reply (200-30000)"},
		{Key: "insights.token", Env: "POLICYBOT_INSIGHTS_TOKEN", Example: "a-long-random-string-kept-secret", Secret: true, Doc: "enables /insights; operators send it as a bearer token or enter it in its login form"},
		{Key: "insights.keep_questions", Env: "POLICYBOT_INSIGHTS_KEEP_QUESTIONS", Default: "false", Example: "false", Doc: "store the text of unanswered and down-voted questions; false keeps only counts and paragraph numbers"},
		{Key: "insights.retention", Env: "POLICYBOT_INSIGHTS_RETENTION", Default: "30", Example: "30", Doc: "days insights records are kept (1-3650)"},
		{Key: "slack.bot_token", Env: "POLICYBOT_SLACK_BOT_TOKEN", Example: "xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", Secret: true, Doc: "bot user OAuth token (xoxb-…); setting it, app_token or signing_secret enables Slack"},
		{Key: "slack.app_token", Env: "POLICYBOT_SLACK_APP_TOKEN", Example: "xapp-1-A0123456789-1234567890123-0123456789abcdef", Secret: true, Doc: "app-level token (xapp-…) with connections:write: Socket Mode"},
		{Key: "slack.signing_secret", Env: "POLICYBOT_SLACK_SIGNING_SECRET", Example: "8f742231b10e8888abcd99yyyzzz85a5", Secret: true, Doc: "signing secret: Events API and slash commands over HTTP at http_addr"},
		{Key: "slack.api_url", Env: "POLICYBOT_SLACK_API_URL", Default: DefaultSlackAPIURL, Example: DefaultSlackAPIURL, Doc: "Slack Web API base URL (tests point it at a fake)"},
		{Key: "matrix.homeserver", Env: "POLICYBOT_MATRIX_HOMESERVER", Example: "https://matrix.example.org", Doc: "homeserver URL; setting it, user, password or access_token enables Matrix"},
		{Key: "matrix.user", Env: "POLICYBOT_MATRIX_USER", Example: `"@policybot:example.org"`, Doc: "the bot's full user ID"},
		{Key: "matrix.password", Env: "POLICYBOT_MATRIX_PASSWORD", Example: "correct-horse-battery-staple", Secret: true, Doc: "password to log in with (or matrix.access_token)"},
		{Key: "matrix.access_token", Env: "POLICYBOT_MATRIX_ACCESS_TOKEN", Example: "syt_cG9saWN5Ym90_AbCdEfGhIjKlMnOpQrSt_0a1B2c", Secret: true, Doc: "access token (or matrix.password)"},
		{Key: "matrix.allowed_inviters", Env: "POLICYBOT_MATRIX_ALLOWED_INVITERS", Example: "[\"@alice:example.org\", \":example.org\"]", Doc: "who may invite the bot into rooms: user IDs and :server patterns; env: comma-separated; empty: users on the bot's own server"},
		{Key: "matrix.pickle_key", Env: "POLICYBOT_MATRIX_PICKLE_KEY", Example: "a-long-random-string-kept-secret", Secret: true, Doc: "key that encrypts the end-to-end encryption state at rest"},
		{Key: "matrix.recovery_key", Env: "POLICYBOT_MATRIX_RECOVERY_KEY", Example: `"EsTS EEph BY2H WQA2 F99a QXRY 8tXC 4UkP oB99 7wZJ vQi2 SqF8"`, Secret: true, Doc: "recovery key of the bot's cross-signing identity, printed once when it is created; lets a new state file or device be signed by the same identity"},
		{Key: "digest.grace", Env: "POLICYBOT_DIGEST_GRACE", Default: "6h", Example: "6h", Doc: "how late a digest missed while stopped may still be sent"},
	}
	return append(k, subscriptionKeys...)
}

// keyByPath finds a key's entry; subscription entries are looked up by
// their generic "digest.subscriptions[]." form.
func keyByPath(key string) (KeyInfo, bool) {
	for _, k := range Keys() {
		if k.Key == key {
			return k, true
		}
	}
	return KeyInfo{}, false
}

// example returns the documented example for key, or "".
func example(key string) string {
	k, _ := keyByPath(key)
	return k.Example
}
