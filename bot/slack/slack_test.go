package slack

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func TestNewValidates(t *testing.T) {
	core := &fakeResponder{}
	tests := []struct {
		name string
		o    Options
		want []string // every problem is named
	}{
		{"nothing", Options{}, []string{"POLICYBOT_SLACK_BOT_TOKEN", "POLICYBOT_SLACK_APP_TOKEN for Socket Mode", "Responder"}},
		{"user token", Options{BotToken: "xoxp-1", AppToken: "xapp-1", Responder: core}, []string{"xoxb-"}},
		{"bot token as app token", Options{BotToken: "xoxb-1", AppToken: "xoxb-2", Responder: core}, []string{"POLICYBOT_SLACK_APP_TOKEN", "xapp-"}},
		{"no way in", Options{BotToken: "xoxb-1", Responder: core}, []string{"POLICYBOT_SLACK_SIGNING_SECRET"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.o)
			if err == nil {
				t.Fatal("New accepted it")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	for _, o := range []Options{
		{BotToken: "xoxb-1", AppToken: "xapp-1", Responder: core},
		{BotToken: "xoxb-1", SigningSecret: "s", Responder: core},
		{BotToken: "xoxb-1", AppToken: "xapp-1", SigningSecret: "s", Responder: core},
	} {
		if _, err := New(o); err != nil {
			t.Errorf("New(%+v) = %v", o, err)
		}
	}
}

func TestRunHTTPOnly(t *testing.T) {
	e := newTestEnv(t, nil)
	if e.a.Ready() == nil {
		t.Error("ready before auth.test")
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- e.a.Run(ctx) }()
	deadline := time.After(5 * time.Second)
	for e.a.Ready() != nil {
		select {
		case <-deadline:
			t.Fatalf("not ready: %v", e.a.Ready())
		case <-time.After(time.Millisecond):
		}
	}
	if id := e.a.identity(); id.UserID != testBotUser || id.BotID != testBotID {
		t.Errorf("identity %+v", id)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
}

func TestRunRetriesAuth(t *testing.T) {
	e := newTestEnv(t, nil)
	ctx, cancel := context.WithCancel(t.Context())
	n := 0
	sleep := func(ctx context.Context, d time.Duration) error {
		if n++; n == 3 {
			cancel()
		}
		return e.clock.Sleep(ctx, d)
	}
	// slacktest answers an unknown path with 404, which auth.test retries.
	a, err := New(Options{BotToken: "xoxb-1", SigningSecret: "s", APIURL: e.api.url() + "nowhere/", Responder: e.core, Sleep: sleep, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Run(ctx); err != nil {
		t.Errorf("Run = %v after cancel while retrying, want nil", err)
	}
	if got := e.clock.Sleeps(); len(got) != 3 || got[1] != 2*got[0] || got[2] != 2*got[1] {
		t.Errorf("auth.test retry waits %v, want three, doubling", got)
	}
	if a.Ready() == nil {
		t.Error("ready although auth.test never succeeded")
	}
}

func TestRunRefusedToken(t *testing.T) {
	e := newTestEnv(t, nil)
	e.api.authError = "token_revoked"
	err := e.a.Run(t.Context())
	if err == nil || !strings.Contains(err.Error(), "POLICYBOT_SLACK_BOT_TOKEN") || !strings.Contains(err.Error(), "token_revoked") {
		t.Fatalf("Run = %v, want a fatal error naming the token and Slack's reason", err)
	}
	if e.a.Ready() == nil {
		t.Error("ready with a revoked token")
	}
}

// TestManifest pins the app manifest to what the code uses.
func TestManifest(t *testing.T) {
	b, err := os.ReadFile("manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Features struct {
			SlashCommands []struct {
				Command   string `yaml:"command"`
				UsageHint string `yaml:"usage_hint"`
			} `yaml:"slash_commands"`
			AppHome struct {
				MessagesTab bool `yaml:"messages_tab_enabled"`
			} `yaml:"app_home"`
		} `yaml:"features"`
		OAuth struct {
			Scopes struct {
				Bot []string `yaml:"bot"`
			} `yaml:"scopes"`
		} `yaml:"oauth_config"`
		Settings struct {
			Events struct {
				BotEvents []string `yaml:"bot_events"`
			} `yaml:"event_subscriptions"`
			Interactivity struct {
				Enabled bool `yaml:"is_enabled"`
			} `yaml:"interactivity"`
			SocketMode bool `yaml:"socket_mode_enabled"`
		} `yaml:"settings"`
	}
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	scopes := slices.Sorted(slices.Values(m.OAuth.Scopes.Bot))
	want := []string{"app_mentions:read", "channels:history", "chat:write", "commands", "groups:history", "im:history", "mpim:history"}
	if !slices.Equal(scopes, want) {
		t.Errorf("scopes %v, want exactly %v", scopes, want)
	}
	if ev := slices.Sorted(slices.Values(m.Settings.Events.BotEvents)); !slices.Equal(ev, []string{"app_mention", "message.im"}) {
		t.Errorf("events %v", ev)
	}
	var cmds []string
	for _, c := range m.Features.SlashCommands {
		if c.UsageHint == "" {
			t.Errorf("%s has no usage hint", c.Command)
		}
		cmds = append(cmds, c.Command)
	}
	if !slices.Equal(cmds, []string{"/principle", "/policy"}) {
		t.Errorf("commands %v", cmds)
	}
	// Replies may suggest as slash commands only what the manifest registers.
	for _, c := range directCommands() {
		if !slices.Contains(cmds, "/"+c) {
			t.Errorf("replies suggest /%s, which the manifest does not register", c)
		}
	}
	if !m.Settings.SocketMode || !m.Settings.Interactivity.Enabled || !m.Features.AppHome.MessagesTab {
		t.Errorf("socket mode %v, interactivity %v, messages tab %v: all must be on", m.Settings.SocketMode, m.Settings.Interactivity.Enabled, m.Features.AppHome.MessagesTab)
	}
}
