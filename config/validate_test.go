package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// valid returns a configuration with both platforms fully configured,
// which each case then breaks in one way.
func valid() *Config {
	c := &Config{
		Slack: Slack{
			BotToken:      "xoxb-1111-2222-abcdefghijklmnop",
			AppToken:      "xapp-1-A111-2222-abcdef",
			SigningSecret: "0123456789abcdef0123456789abcdef",
		},
		Matrix: Matrix{
			Homeserver:      "https://matrix.example.org",
			User:            "@policybot:example.org",
			Password:        "hunter2hunter2",
			AllowedInviters: []string{"@alice:example.org", ":example.org"},
		},
		Digest: Digest{Subscriptions: []StaticSubscription{
			{Platform: "slack", Conversation: "C0123456789", Time: "9:30", Zone: "Asia/Shanghai"},
			{Platform: "matrix", Conversation: "!room:example.org", Zone: "America/New_York", Passages: 2},
		}},
	}
	c.SetDefaults(func(string) string { return "" })
	return c
}

func TestValidateAcceptsValid(t *testing.T) {
	if err := valid().Validate(); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	// Only Socket Mode, only HTTP, Matrix with an access token, nothing at all.
	variants := map[string]func(*Config){
		"slack socket mode only": func(c *Config) { c.Slack.SigningSecret = "" },
		"slack http only":        func(c *Config) { c.Slack.AppToken = "" },
		"matrix access token":    func(c *Config) { c.Matrix.Password, c.Matrix.AccessToken = "", "syt_abc" },
		"no platforms": func(c *Config) {
			c.Slack, c.Matrix, c.Digest.Subscriptions = Slack{APIURL: DefaultSlackAPIURL}, Matrix{}, nil
		},
		"matrix recovery key, spaced": func(c *Config) {
			c.Matrix.PickleKey, c.Matrix.RecoveryKey = "pickle", "EsTS EEph BY2H WQA2 F99a QXRY 8tXC 4UkP oB99 7wZJ vQi2 SqF8"
		},
		"matrix recovery key, unspaced": func(c *Config) {
			c.Matrix.PickleKey, c.Matrix.RecoveryKey = "pickle", "EsTSEEphBY2HWQA2F99aQXRY8tXC4UkPoB997wZJvQi2SqF8"
		},
		// A pass phrase may have spaces inside.
		"password with spaces inside": func(c *Config) { c.Matrix.Password = "correct horse battery staple" },
		// The forms chat accepts in "digest on 9am europe/berlin".
		"chat forms of time and zone": func(c *Config) {
			c.Digest.Subscriptions[0].Time, c.Digest.Subscriptions[0].Zone = "9am", "europe/berlin"
		},
		"listen on all interfaces": func(c *Config) { c.HTTPAddr = ":8080" },
		"ephemeral port":           func(c *Config) { c.HTTPAddr = "127.0.0.1:0" },
		"room v12 id without server": func(c *Config) {
			c.Digest.Subscriptions[1].Conversation = "!31hneApxJ_1o-63DmFrpeqnkFfWppnzWso1JvH3ogLM"
		},
	}
	for name, mutate := range variants {
		c := valid()
		mutate(c)
		if err := c.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestValidateProblems covers every class of semantic problem. Each case
// breaks one thing and names the key and words the problem must carry,
// including an example of a correct value.
func TestValidateProblems(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name     string
		mutate   func(*Config)
		key      string
		contains []string
	}{
		// Slack token kinds and missing secrets.
		{"app token where the bot token belongs", func(c *Config) { c.Slack.BotToken = "xapp-1-A1-2-abc" },
			"slack.bot_token", []string{"app-level token (xapp-…)", "move it to slack.app_token", "for example bot_token: xoxb-"}},
		{"bot token where the app token belongs", func(c *Config) { c.Slack.AppToken = "xoxb-1-2-abc" },
			"slack.app_token", []string{"is a bot token (xoxb-…)", "connections:write", "for example app_token: xapp-"}},
		{"user token as bot token", func(c *Config) { c.Slack.BotToken = "xoxp-1-2" },
			"slack.bot_token", []string{"user token (xoxp-…)"}},
		{"garbage bot token", func(c *Config) { c.Slack.BotToken = "abc" },
			"slack.bot_token", []string{"should start with xoxb-"}},
		{"garbage app token", func(c *Config) { c.Slack.AppToken = "abc" },
			"slack.app_token", []string{"should start with xapp-"}},
		// White space inside a secret: a paste that picked up a line
		// break. serve would refuse every signed request or login with it.
		{"bot token split by a line break", func(c *Config) { c.Slack.BotToken = "xoxb-1111-2222\n-abcdefghijklmnop" },
			"slack.bot_token", []string{"inside it", "one unbroken line"}},
		{"signing secret with a space inside", func(c *Config) { c.Slack.SigningSecret = "0123456789abcdef 0123456789abcdef" },
			"slack.signing_secret", []string{"inside it"}},
		{"app token with a tab inside", func(c *Config) { c.Slack.AppToken = "xapp-1-A1\t-2-abc" },
			"slack.app_token", []string{"inside it"}},
		{"password with a line break inside", func(c *Config) { c.Matrix.Password = "hunter2\nhunter2" },
			"matrix.password", []string{"line break", "one line"}},
		{"access token with a space inside", func(c *Config) { c.Matrix.Password, c.Matrix.AccessToken = "", "syt_abc def" },
			"matrix.access_token", []string{"inside it"}},
		{"insights token with a line break inside", func(c *Config) { c.Insights.Token = "0123456789abcdef\n0123456789" },
			"insights.token", []string{"inside it"}},
		{"token as signing secret", func(c *Config) { c.Slack.SigningSecret = "xoxb-1-2" },
			"slack.signing_secret", []string{"is a token, not a signing secret"}},
		{"pasted newline", func(c *Config) { c.Slack.BotToken = "xoxb-1-2\n" },
			"slack.bot_token", []string{"line break"}},
		{"slack without bot token", func(c *Config) { c.Slack.BotToken = "" },
			"slack.bot_token", []string{"bot token is missing"}},
		{"slack without a way to receive events", func(c *Config) { c.Slack.AppToken, c.Slack.SigningSecret = "", "" },
			"slack.app_token", []string{"slack.app_token (Socket Mode", "slack.signing_secret"}},
		{"bad slack api url", func(c *Config) { c.Slack.APIURL = "slack.com/api/" },
			"slack.api_url", []string{"must start with https://"}},
		// Matrix.
		{"matrix without homeserver", func(c *Config) { c.Matrix.Homeserver = "" },
			"matrix.homeserver", []string{"homeserver URL is missing", "for example homeserver: https://"}},
		{"homeserver not a URL", func(c *Config) { c.Matrix.Homeserver = "https://" },
			"matrix.homeserver", []string{"has no host name"}},
		{"homeserver with a password in it", func(c *Config) { c.Matrix.Homeserver = "https://bot:pw@m.org" },
			"matrix.homeserver", []string{"must not contain a user name or password"}},
		{"homeserver without scheme", func(c *Config) { c.Matrix.Homeserver = "matrix.org" },
			"matrix.homeserver", []string{`"matrix.org" must start with https://`}},
		{"matrix without user", func(c *Config) { c.Matrix.User = "" },
			"matrix.user", []string{"user ID is missing"}},
		{"matrix user not an ID", func(c *Config) { c.Matrix.User = "policybot" },
			"matrix.user", []string{"not a full Matrix user ID", "@policybot:example.org"}},
		{"matrix without password or token", func(c *Config) { c.Matrix.Password = "" },
			"matrix.password", []string{"matrix.password or matrix.access_token"}},
		{"only a matrix password enables matrix", func(c *Config) {
			c.Matrix = Matrix{Password: "pw", User: "@bot:example.org"}
			c.Digest.Subscriptions = nil
		},
			"matrix.homeserver", []string{"missing"}},
		{"recovery key without pickle key", func(c *Config) { c.Matrix.RecoveryKey = "EsTS EEph BY2H WQA2 F99a QXRY 8tXC 4UkP oB99 7wZJ vQi2 SqF8" },
			"matrix.recovery_key", []string{"matrix.pickle_key is not"}},
		{"recovery key mistyped", func(c *Config) {
			c.Matrix.PickleKey, c.Matrix.RecoveryKey = "p", "EsTS EEph BY2H WQA2 F99a QXRY 8tXC 4UkP oB99 7wZJ vQi2 SqF"
		},
			"matrix.recovery_key", []string{"not a Matrix recovery key", "for example recovery_key: \"EsTS"}},
		{"bad inviter", func(c *Config) { c.Matrix.AllowedInviters = []string{"alice"} },
			"matrix.allowed_inviters[0]", []string{"neither a user ID"}},
		// Digest subscriptions: zones, times, platforms, conversations.
		{"bad zone", func(c *Config) { c.Digest.Subscriptions[0].Zone = "Europe/Berln" },
			"digest.subscriptions[0].zone", []string{`"Europe/Berln" is not a time zone I know`, "for example zone: Europe/Berlin"}},
		{"Local zone", func(c *Config) { c.Digest.Subscriptions[0].Zone = "Local" },
			"digest.subscriptions[0].zone", []string{"not a time zone I know", "IANA name"}},
		{"bad time", func(c *Config) { c.Digest.Subscriptions[1].Time = "24:00" },
			"digest.subscriptions[1].time", []string{`"24:00" is not a time of day`, `for example time: "09:00"`}},
		{"time with seconds", func(c *Config) { c.Digest.Subscriptions[1].Time = "09:00:00" },
			"digest.subscriptions[1].time", []string{"HH:MM"}},
		{"unknown platform", func(c *Config) { c.Digest.Subscriptions[0].Platform = "irc" },
			"digest.subscriptions[0].platform", []string{`"irc" is not a platform`}},
		{"subscription for a platform not configured", func(c *Config) { c.Slack = Slack{APIURL: DefaultSlackAPIURL} },
			"digest.subscriptions[0].platform", []string{"slack is not configured"}},
		{"slack channel by name", func(c *Config) { c.Digest.Subscriptions[0].Conversation = "#general" },
			"digest.subscriptions[0].conversation", []string{"not a Slack channel ID"}},
		{"matrix room alias", func(c *Config) { c.Digest.Subscriptions[1].Conversation = "#general:example.org" },
			"digest.subscriptions[1].conversation", []string{"not a Matrix room ID", `for example conversation: "!`}},
		{"too many passages", func(c *Config) { c.Digest.Subscriptions[1].Passages = 4 },
			"digest.subscriptions[1].passages", []string{"use 1 to 3"}},
		// General keys.
		{"log level", func(c *Config) { c.LogLevel = "verbose" }, "log_level", []string{`"verbose" is not a level`}},
		{"log format", func(c *Config) { c.LogFormat = "xml" }, "log_format", []string{`"xml" is not a format`}},
		{"addr without port", func(c *Config) { c.HTTPAddr = "localhost" }, "http_addr", []string{"not host:port", "missing port"}},
		{"addr bad port", func(c *Config) { c.HTTPAddr = "localhost:http" }, "http_addr", []string{`port "http"`}},
		{"addr bad host", func(c *Config) { c.HTTPAddr = "exa mple:80" }, "http_addr", []string{"neither an IP address nor a host name"}},
		{"negative shutdown timeout", func(c *Config) { c.ShutdownTimeout = -1 }, "shutdown_timeout", []string{"out of range"}},
		{"max passages", func(c *Config) { c.Answers.MaxPassages = 11; c.Digest.Subscriptions = nil }, "answers.max_passages", []string{"use 1 to 10"}},
		{"max chars", func(c *Config) { c.Answers.MaxChars = 50 }, "answers.max_chars", []string{"use 200 to 30000"}},
		{"digest grace", func(c *Config) { c.Digest.Grace = 48 * 3600e9 }, "digest.grace", []string{"out of range"}},
		{"missing statement", func(c *Config) { c.Statement = filepath.Join(dir, "gone.txt") }, "statement", []string{"cannot read", "gone.txt"}},
		{"statement is a directory", func(c *Config) { c.Statement = dir }, "statement", []string{"is a directory"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid()
			tt.mutate(c)
			ps := Problems(c.Validate())
			if len(ps) != 1 {
				t.Fatalf("want one problem, got %d: %v", len(ps), ps)
			}
			if ps[0].Key != tt.key {
				t.Errorf("key = %q, want %q", ps[0].Key, tt.key)
			}
			for _, w := range tt.contains {
				if !strings.Contains(ps[0].Error(), w) {
					t.Errorf("%q does not contain %q", ps[0].Error(), w)
				}
			}
		})
	}
}

func TestValidateNamesSourceAndJoinsAll(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.yaml")
	if err := os.WriteFile(path, []byte("log_level: loud\nslack:\n  bot_token: xapp-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path, []string{"POLICYBOT_SLACK_APP_TOKEN=xoxb-2"})
	if err != nil {
		t.Fatal(err)
	}
	ps := Problems(cfg.Validate())
	if len(ps) != 3 {
		t.Fatalf("want 3 problems, got %v", ps)
	}
	want := map[string]string{"log_level": "p.yaml line 1", "slack.bot_token": "p.yaml line 3", "slack.app_token": "$POLICYBOT_SLACK_APP_TOKEN"}
	for _, p := range ps {
		if want[p.Key] != p.Source {
			t.Errorf("%s: source %q, want %q", p.Key, p.Source, want[p.Key])
		}
	}
	if s := ps[2].Error(); !strings.Contains(s, "for example POLICYBOT_SLACK_APP_TOKEN=xapp-") {
		t.Errorf("env problem should give an env example: %s", s)
	}
}
