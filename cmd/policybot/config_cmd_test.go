package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/policybot/policybot/bot/store/pgtest"
)

// runWith runs main's code with the given environment and returns the exit
// status and both streams.
func runWith(t *testing.T, environ []string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	get := func(k string) string {
		for _, kv := range environ {
			if n, v, _ := strings.Cut(kv, "="); n == k {
				return v
			}
		}
		return ""
	}
	env := &cmdEnv{stdin: strings.NewReader(stdin), stdout: &stdout, stderr: &stderr, getenv: get, environ: func() []string { return environ }}
	code := run(context.Background(), env, args)
	return code, stdout.String(), stderr.String()
}

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "policybot.yaml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const badConfig = `
log_levle: debug
slack:
  bot_token: xapp-1-SECRETVALUE
digest:
  subscriptions:
    - platform: slack
      conversation: C0123456789
      zone: Europe/Berln
`

func TestConfigCheckReportsEveryProblem(t *testing.T) {
	path := writeConfig(t, badConfig)
	code, stdout, stderr := runWith(t, []string{"HOME=/h", "POLICYBOT_SLACK_SIGNING_SECRET=abc"}, "", "config", "check", "--config", path)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr: %s", code, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout = %q", stdout)
	}
	for _, want := range []string{
		"has 3 problems",
		"log_levle (policybot.yaml line 2): unknown key; did you mean log_level?",
		"slack.bot_token (policybot.yaml line 4): is an app-level token (xapp-…)",
		"digest.subscriptions[0].zone (policybot.yaml line 9): \"Europe/Berln\" is not a time zone I know",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "SECRETVALUE") {
		t.Errorf("a secret leaked: %s", stderr)
	}

	// serve refuses to start with the very same messages.
	scode, _, serr := runWith(t, []string{"HOME=/h", "POLICYBOT_SLACK_SIGNING_SECRET=abc"}, "", "serve", "--config", path)
	if scode != 1 {
		t.Fatalf("serve exit %d, want 1", scode)
	}
	problems := func(s string) string { _, after, _ := strings.Cut(s, ": "); return after }
	if problems(serr) != problems(stderr) {
		t.Errorf("serve and config check disagree:\nserve: %s\ncheck: %s", serr, stderr)
	}
}

func TestConfigCheckOKShowsMaskedConfig(t *testing.T) {
	path := writeConfig(t, "slack:\n  signing_secret: SECRETsigning\n")
	code, stdout, stderr := runWith(t, []string{"HOME=/h", "POLICYBOT_SLACK_BOT_TOKEN=xoxb-SECRETtoken", "POLICYBOT_CONFIG=" + path}, "", "config", "check")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"configuration OK", "slack (HTTP endpoints at 127.0.0.1:8080)", "bot_token: xoxb-****", "signing_secret: '****'", "http_addr: 127.0.0.1:8080", "shutdown_timeout: 10s"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "SECRET") {
		t.Errorf("a secret leaked:\n%s", stdout)
	}
}

// config check --connect reaches the server and says what is wrong, with
// the password masked in all it prints.
func TestConfigCheckConnect(t *testing.T) {
	good := pg.Database(t)
	srv := pg.Server(t)
	for _, tc := range []struct {
		name, db string
		code     int
		want     string
	}{
		{"reachable", good, 0, "database: connected to PostgreSQL 1"},
		{"wrong password", strings.Replace(good, pgtest.Password, "Wrong-Secret", 1), 1, "refused the user name or password"},
		{"missing database", strings.Replace(srv.URL("nosuch"), pgtest.Password, "Wrong-Secret", 1), 1, "refused the user name or password"},
		{"database not created", srv.URL("nosuch"), 1, "createdb -O policybot nosuch"},
		{"bad URL", "postgres://policybot:Wrong-Secret@127.0.0.1:5432", 1, "names no database"},
		{"SQLite", filepath.Join(t.TempDir(), "state.db"), 0, "is a SQLite file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runWith(t, []string{"HOME=/h", "POLICYBOT_DB=" + tc.db}, "", "config", "check", "--connect")
			out := stdout + stderr
			if code != tc.code || !strings.Contains(out, tc.want) {
				t.Fatalf("exit %d (want %d), output lacks %q:\n%s", code, tc.code, tc.want, out)
			}
			if strings.Contains(out, "Wrong-Secret") || strings.Contains(out, pgtest.Password) {
				t.Fatalf("the password leaked:\n%s", out)
			}
		})
	}
}

func TestConfigCommandUsage(t *testing.T) {
	if code, _, stderr := runWith(t, nil, "", "config", "lint"); code != 2 || !strings.Contains(stderr, "check") {
		t.Errorf("config lint: exit %d, %s", code, stderr)
	}
	missing := filepath.Join(t.TempDir(), "nope.yaml")
	if code, _, stderr := runWith(t, nil, "", "config", "check", "--config", missing); code != 1 || !strings.Contains(stderr, missing) {
		t.Errorf("missing file: exit %d, %s", code, stderr)
	}
}

func TestServeWithoutPlatformStartsConsole(t *testing.T) {
	code, stdout, stderr := runWith(t, []string{"HOME=" + t.TempDir()}, "/principles\n", "serve")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "no chat platform is configured") || !strings.Contains(stderr, "POLICYBOT_SLACK_BOT_TOKEN") || !strings.Contains(stderr, "POLICYBOT_MATRIX_HOMESERVER") {
		t.Errorf("no connection help on stderr: %s", stderr)
	}
	if strings.TrimSpace(stdout) == "" {
		t.Errorf("the console did not answer")
	}
}

func TestHealthcheck(t *testing.T) {
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" && r.URL.Path != "/readyz" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(status)
		w.Write([]byte(`{"path":"` + r.URL.Path + `"}`))
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")

	if code, stdout, stderr := runWith(t, nil, "", "healthcheck", "--addr", addr); code != 0 || !strings.Contains(stdout, "/healthz: 200") {
		t.Errorf("healthy: exit %d %s %s", code, stdout, stderr)
	}
	// The address comes from the environment as in the container.
	if code, _, stderr := runWith(t, []string{"POLICYBOT_HTTP_ADDR=" + addr}, "", "healthcheck", "--ready"); code != 0 {
		t.Errorf("from env: exit %d %s", code, stderr)
	}
	status = http.StatusServiceUnavailable
	if code, _, stderr := runWith(t, nil, "", "healthcheck", "--addr", addr, "--ready"); code != 1 || !strings.Contains(stderr, "503") || !strings.Contains(stderr, "/readyz") {
		t.Errorf("unhealthy: exit %d %s", code, stderr)
	}
	srv.Close()
	if code, _, _ := runWith(t, nil, "", "healthcheck", "--addr", addr); code != 1 {
		t.Errorf("nothing listening: exit %d", code)
	}
}

func TestDialable(t *testing.T) {
	for in, want := range map[string]string{
		"0.0.0.0:8080":   "127.0.0.1:8080",
		":8080":          "127.0.0.1:8080",
		"[::]:8080":      "[::1]:8080",
		"10.0.0.5:9000":  "10.0.0.5:9000",
		"localhost:8080": "localhost:8080",
	} {
		if got := dialable(in); got != want {
			t.Errorf("dialable(%q) = %q, want %q", in, got, want)
		}
	}
}
