package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestSecretsNeverShown formats a configuration every way the program (or a
// careless future change) might, and checks no secret survives.
func TestSecretsNeverShown(t *testing.T) {
	c := valid()
	c.Slack.BotToken = "xoxb-SECRETbot"
	c.Slack.AppToken = "xapp-SECRETapp"
	c.Slack.SigningSecret = "SECRETsigning"
	c.Matrix.Password = "SECRETpassword"
	c.Matrix.AccessToken = "syt_SECRETaccess"
	c.Matrix.PickleKey = "SECRETpickle"
	c.Insights.Token = "SECRETinsights-token"
	c.Matrix.RecoveryKey = "SECRETrecovery"
	c.Matrix.Homeserver = "https://bot:SECRETurl@m.example.org"

	outputs := map[string]func() string{
		"%v":       func() string { return fmt.Sprintf("%v", *c) },
		"%+v":      func() string { return fmt.Sprintf("%+v", c) },
		"%#v":      func() string { return fmt.Sprintf("%#v", *c) },
		"%s slack": func() string { return fmt.Sprintf("%s", c.Slack) },
		"json":     func() string { b, err := json.Marshal(c); must(t, err); return string(b) },
		"yaml":     func() string { b, err := yaml.Marshal(c); must(t, err); return string(b) },
		"slog text": func() string {
			var b bytes.Buffer
			slog.New(slog.NewTextHandler(&b, nil)).Info("x", "config", c, "slack", c.Slack, "matrix", c.Matrix, "insights", c.Insights)
			return b.String()
		},
		"slog json": func() string {
			var b bytes.Buffer
			slog.New(slog.NewJSONHandler(&b, nil)).Info("x", "config", c, "slack", c.Slack, "matrix", c.Matrix)
			return b.String()
		},
		"problems": func() string {
			c2 := *c
			c2.Slack.BotToken, c2.Slack.AppToken = c.Slack.AppToken, c.Slack.BotToken // swapped: both reported
			c2.Matrix.Homeserver = "ftp://bot:SECRETurl@m.example.org"
			return fmt.Sprint(c2.Validate())
		},
	}
	for name, out := range outputs {
		s := out()
		if name != "problems" && !strings.Contains(s, "****") {
			t.Errorf("%s: no masked value in output, is it the config? %s", name, s)
		}
		if strings.Contains(s, "SECRET") {
			t.Errorf("%s leaks a secret: %s", name, s)
		}
	}
	// Masking keeps what the operator needs: which kind of token is set.
	if got := fmt.Sprint(c.Slack); !strings.Contains(got, "xoxb-****") || !strings.Contains(got, "xapp-****") {
		t.Errorf("token kinds should stay visible: %s", got)
	}
	// The real values are still there for the adapters.
	if c.Slack.BotToken != "xoxb-SECRETbot" {
		t.Errorf("masking changed the config")
	}
}

func TestMask(t *testing.T) {
	for in, want := range map[string]string{"": "", "xoxb-123": "xoxb-****", "xapp-1-2": "xapp-****", "hunter2": "****", "syt_abc": "syt_****"} {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
