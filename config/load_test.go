package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // zone checks must not depend on the host's zoneinfo
)

func writeFile(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "policybot.yaml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestLoadProblems covers every class of problem Load reports: each case
// names the key the problem must name and words it must contain.
func TestLoadProblems(t *testing.T) {
	tests := []struct {
		name     string
		yaml     string
		env      []string
		key      string
		source   string
		contains []string
	}{
		{"unknown key with suggestion", "log_levle: debug\n", nil,
			"log_levle", "policybot.yaml line 1", []string{"unknown key", "did you mean log_level?"}},
		{"swapped letters", "slack:\n  bot_tokne: xoxb-1\n  app_token: xapp-1\n", nil,
			"slack.bot_tokne", "policybot.yaml line 2", []string{"did you mean slack.bot_token?"}},
		{"key at the wrong level", "bot_token: xoxb-1\n", nil,
			"bot_token", "", []string{"did you mean slack.bot_token?", "belongs under slack"}},
		{"unknown key without a near match lists the keys", "slack:\n  webhook: x\n", nil,
			"slack.webhook", "", []string{"the keys here are: api_url, app_token, bot_token, signing_secret"}},
		{"unknown key in a subscription", "digest:\n  subscriptions:\n    - platfrom: slack\n", nil,
			"digest.subscriptions[0].platfrom", "policybot.yaml line 3", []string{"did you mean digest.subscriptions[0].platform?"}},
		{"int of the wrong type", "answers:\n  max_passages: three\n", nil,
			"answers.max_passages", "policybot.yaml line 2", []string{`"three" is not a whole number`, "for example max_passages: 3"}},
		{"float for an int", "answers:\n  max_chars: 2.5\n", nil,
			"answers.max_chars", "", []string{"not a whole number"}},
		{"duration without unit", "shutdown_timeout: 10\n", nil,
			"shutdown_timeout", "", []string{`"10" has no unit`, "for example shutdown_timeout: 10s"}},
		{"duration garbage", "digest:\n  grace: soon\n", nil,
			"digest.grace", "", []string{`"soon" is not a duration`}},
		{"mapping where a value belongs", "log_level:\n  a: b\n", nil,
			"log_level", "", []string{"must be a single value, not a mapping"}},
		{"value where a mapping belongs", "slack: xoxb-123\n", nil,
			"slack", "", []string{"must be a mapping of keys"}},
		{"value where a list belongs", "digest:\n  subscriptions: daily\n", nil,
			"digest.subscriptions", "", []string{"must be a list of entries"}},
		{"mapping inside a string list", "matrix:\n  allowed_inviters:\n    - {a: b}\n", nil,
			"matrix.allowed_inviters", "", []string{"list of plain values"}},
		{"key set twice", "log_level: info\nlog_level: debug\n", nil,
			"log_level", "policybot.yaml line 2", []string{"set twice"}},
		{"file that is a list", "- a\n- b\n", nil,
			"policybot.yaml", "", []string{"the file must be a mapping of keys"}},
		{"unknown environment variable", "", []string{"POLICYBOT_SLACK_BOT_TOKN=xoxb-1"},
			"POLICYBOT_SLACK_BOT_TOKN", "environment", []string{"did you mean POLICYBOT_SLACK_BOT_TOKEN?"}},
		{"unknown environment variable, nothing near", "", []string{"POLICYBOT_FROBNICATE=1"},
			"POLICYBOT_FROBNICATE", "", []string{"unknown environment variable", "configuration reference"}},
		{"environment value of the wrong type", "", []string{"POLICYBOT_MAX_PASSAGES=lots"},
			"answers.max_passages", "$POLICYBOT_MAX_PASSAGES", []string{"not a whole number", "for example POLICYBOT_MAX_PASSAGES=3"}},
		{"environment duration without unit", "", []string{"POLICYBOT_SHUTDOWN_TIMEOUT=30"},
			"shutdown_timeout", "$POLICYBOT_SHUTDOWN_TIMEOUT", []string{"has no unit", "POLICYBOT_SHUTDOWN_TIMEOUT=10s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			if tt.yaml != "" {
				path = writeFile(t, tt.yaml)
			}
			cfg, err := Load(path, tt.env)
			if cfg == nil {
				t.Fatalf("Load returned no config: %v", err)
			}
			ps := Problems(err)
			if len(ps) != 1 {
				t.Fatalf("want exactly one problem, got %d: %v", len(ps), err)
			}
			p := ps[0]
			if p.Key != tt.key {
				t.Errorf("problem key = %q, want %q (%v)", p.Key, tt.key, p)
			}
			if tt.source != "" && p.Source != tt.source {
				t.Errorf("problem source = %q, want %q", p.Source, tt.source)
			}
			for _, w := range tt.contains {
				if !strings.Contains(p.Error(), w) {
					t.Errorf("problem %q does not contain %q", p.Error(), w)
				}
			}
		})
	}
}

func TestLoadReportsAllProblemsAtOnce(t *testing.T) {
	path := writeFile(t, "log_levle: debug\nanswers:\n  max_chars: many\nslack: 3\n")
	_, err := Load(path, []string{"POLICYBOT_DBB=x"})
	if got := len(Problems(err)); got != 4 {
		t.Fatalf("got %d problems, want 4: %v", got, err)
	}
}

func TestLoadFileErrors(t *testing.T) {
	t.Run("missing file names it and the fix", func(t *testing.T) {
		missing := filepath.Join(t.TempDir(), "nope.yaml")
		cfg, err := Load(missing, nil)
		if cfg != nil || err == nil {
			t.Fatalf("Load(missing) = %v, %v; want an error", cfg, err)
		}
		for _, w := range []string{missing, "--config", EnvConfig} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q does not mention %q", err, w)
			}
		}
	})
	t.Run("YAML syntax error names the file and line", func(t *testing.T) {
		path := writeFile(t, "slack:\n  bot_token: [unclosed\n")
		cfg, err := Load(path, nil)
		if cfg != nil || err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "line") {
			t.Fatalf("Load = %v, %v; want an error naming %s and a line", cfg, err, path)
		}
	})
	t.Run("empty file is fine", func(t *testing.T) {
		cfg, err := Load(writeFile(t, "# nothing yet\n"), nil)
		if err != nil || cfg == nil || cfg.HTTPAddr != DefaultHTTPAddr {
			t.Fatalf("Load(empty) = %+v, %v", cfg, err)
		}
	})
}

func TestLoadPrecedenceAndDefaults(t *testing.T) {
	path := writeFile(t, `
log_level: debug
http_addr: 127.0.0.1:9000
slack:
  bot_token: xoxb-from-file
  api_url: http://127.0.0.1:5555/api
matrix:
  allowed_inviters: ["@a:x.org"]
digest:
  subscriptions:
    - platform: slack
      conversation: C0123456789
`)
	env := []string{
		"HOME=/home/bot",
		"POLICYBOT_SLACK_BOT_TOKEN=xoxb-from-env", // overrides the file
		"POLICYBOT_LOG_LEVEL=",                    // empty counts as unset
		"POLICYBOT_MATRIX_ALLOWED_INVITERS=@b:x.org, :y.org",
		"POLICYBOT_SHUTDOWN_TIMEOUT=3s",
		"UNRELATED=1",
		"POLICYBOT_TEST_FAILPOINT=after-send", // test hooks are not configuration
	}
	cfg, err := Load(path, env)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"env overrides file", cfg.Slack.BotToken, "xoxb-from-env"},
		{"empty env leaves file value", cfg.LogLevel, "debug"},
		{"file value kept", cfg.HTTPAddr, "127.0.0.1:9000"},
		{"list from env, comma-separated", cfg.Matrix.AllowedInviters, []string{"@b:x.org", ":y.org"}},
		{"duration from env", cfg.ShutdownTimeout, 3 * time.Second},
		{"api_url gets its trailing slash", cfg.Slack.APIURL, "http://127.0.0.1:5555/api/"},
		{"data_dir default from HOME", cfg.DataDir, "/home/bot/.local/state/policybot"},
		{"db default inside data_dir", cfg.DB, "/home/bot/.local/state/policybot/policybot.db"},
		{"max_passages default", cfg.Answers.MaxPassages, DefaultMaxPassages},
		{"subscription time default", cfg.Digest.Subscriptions[0].Time, "09:00"},
		{"subscription zone default", cfg.Digest.Subscriptions[0].Zone, "UTC"},
		{"subscription passages default", cfg.Digest.Subscriptions[0].Passages, 1},
		{"log_format default", cfg.LogFormat, "auto"},
		{"grace default", cfg.Digest.Grace, DefaultDigestGrace},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	if got := cfg.origin["slack.bot_token"]; got != "$POLICYBOT_SLACK_BOT_TOKEN" {
		t.Errorf("origin of slack.bot_token = %q", got)
	}
}

func TestXDGStateHome(t *testing.T) {
	cfg, err := Load("", []string{"HOME=/h", "XDG_STATE_HOME=/state"})
	if err != nil || cfg.DataDir != "/state/policybot" {
		t.Fatalf("DataDir = %q, %v", cfg.DataDir, err)
	}
}

// TestKeyTableMatchesConfig keeps the key table (env names, examples,
// docs) in step with the Config struct: every leaf field has exactly one
// entry, and every entry is a real field.
func TestKeyTableMatchesConfig(t *testing.T) {
	var leaves []string
	var walk func(reflect.Type, string)
	walk = func(ty reflect.Type, prefix string) {
		for name, i := range yamlFields(ty) {
			f := ty.Field(i)
			key := joinKey(prefix, name)
			switch {
			case f.Type.Kind() == reflect.Struct:
				walk(f.Type, key)
			case f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.Struct:
				walk(f.Type.Elem(), key+"[]")
			default:
				leaves = append(leaves, key)
			}
		}
	}
	walk(reflect.TypeFor[Config](), "")
	table := map[string]int{}
	envs := map[string]bool{}
	for _, k := range Keys() {
		table[k.Key]++
		if k.Example == "" {
			t.Errorf("key %s has no example", k.Key)
		}
		if k.Env != "" {
			if envs[k.Env] {
				t.Errorf("env %s used twice", k.Env)
			}
			envs[k.Env] = true
		}
	}
	for _, l := range leaves {
		if table[l] != 1 {
			t.Errorf("field %s has %d key table entries, want 1", l, table[l])
		}
		delete(table, l)
	}
	for k := range table {
		t.Errorf("key table entry %s is not a Config field", k)
	}
}

func TestExampleFile(t *testing.T) {
	data, err := os.ReadFile("policybot.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Load("policybot.example.yaml", []string{"HOME=/h"})
	if err != nil {
		t.Fatalf("the example file has problems: %v", err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("the example file does not validate: %v", err)
	}
	for _, k := range Keys() {
		if k.Env != "" && !strings.Contains(string(data), k.Env) {
			t.Errorf("example file does not document %s (%s)", k.Key, k.Env)
		}
		if !strings.Contains(string(data), lastSegment(k.Key)+":") {
			t.Errorf("example file does not show key %s", k.Key)
		}
	}
}

func TestSuggest(t *testing.T) {
	keys := []string{"bot_token", "app_token", "signing_secret", "api_url"}
	tests := []struct{ in, want string }{
		{"bot_tokn", "bot_token"},
		{"bto_token", "bot_token"}, // swap counts as one edit
		{"BOT_TOKEN", "bot_token"},
		{"signing", ""}, // too far: no guess
		{"xyz", ""},
		{"app_tokens", "app_token"},
	}
	for _, tt := range tests {
		if got := suggest(tt.in, keys); got != tt.want {
			t.Errorf("suggest(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzParseYAML: a config file is operator input; no text may panic the
// decoder, and every problem must name a key.
func FuzzParseYAML(f *testing.F) {
	f.Add([]byte("log_level: debug\nslack:\n  bot_token: xoxb-1\n"))
	f.Add([]byte("digest:\n  subscriptions:\n    - platform: slack\n      passages: x\n"))
	f.Add([]byte("a: &x [1, *x]\n"))
	f.Add([]byte("slack: &s {bot_token: a}\nmatrix: *s\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := ParseYAML("fuzz.yaml", data)
		if cfg == nil {
			return
		}
		for _, p := range Problems(err) {
			if p.Key == "" || p.What == "" {
				t.Fatalf("problem without key or text: %#v", p)
			}
		}
		cfg.SetDefaults(func(string) string { return "" })
		_ = cfg.Validate()
	})
}
