package bot_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/policybot/policybot/bot"
)

func TestMessageCommand(t *testing.T) {
	for _, c := range []struct {
		prefix string
		direct []string
		text   string
		want   string
	}{
		{"!", nil, "cite 6", "!cite 6"},
		{"/", nil, "digest off", "/digest off"},
		{"/", []string{"principle"}, "principle sov", "/principle sov"},
		{"/", []string{"principle"}, "cite 6", "/policy cite 6"},
		{"/", []string{"principle"}, "principles", "/policy principles"},
		{"/", []string{}, "principle sov", "/policy principle sov"},
	} {
		m := bot.Message{Prefix: c.prefix, Direct: c.direct}
		if got := m.Command(c.text); got != c.want {
			t.Errorf("Command(%q) with prefix %q, direct %v = %q, want %q", c.text, c.prefix, c.direct, got, c.want)
		}
	}
}

// On a platform where only some commands exist on their own (Slack: the
// app's slash commands), no reply suggests one that does not.
func TestSuggestionsUseOnlyDirectCommands(t *testing.T) {
	b := newBot(t, bot.Options{MaxPassages: 1})
	slash := regexp.MustCompile(`(?:^|[\s(])/([a-z]+)`)
	for _, text := range []string{
		"/policy help", "/policy", "write me a poem", "/principle nothing-like-this", "/principle",
		"/policy principles", "/policy cite", "/policy cite 99", "/policy digest", "/policy digest on 25:00",
		"/policy digest status", "/policy digest on 09:00 Europe/Berlin", "/policy frobnicate",
		"who should govern the internet and how should countries cooperate on security?",
	} {
		m := bot.Message{Platform: "test", Text: text, Prefix: "/", Direct: []string{"principle"},
			Conversation: bot.Conversation{ID: "c1", Direct: true}}
		r, ok := b.Respond(context.Background(), m)
		if !ok {
			t.Fatalf("%q: no reply", text)
		}
		parts := []string{r.Text, r.Note, r.Hint}
		for _, it := range r.List {
			parts = append(parts, it.Label, it.Text)
		}
		for _, match := range slash.FindAllStringSubmatch(strings.Join(parts, "\n"), -1) {
			if name := match[1]; name != "policy" && name != "principle" {
				t.Errorf("%q: reply suggests /%s, which this platform does not have:\n%s", text, name, strings.Join(parts, "\n"))
			}
		}
	}
}
