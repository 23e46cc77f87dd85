package matrix

import (
	"strings"
	"testing"

	"maunium.net/go/mautrix/id"
)

func TestMention(t *testing.T) {
	ad := addressee{user: "@policybot:example.org", displayName: "Policy Bot"}
	tests := []struct {
		name, body, html string
		mentions         []id.UserID
		want             string
		mentioned        bool
	}{
		{"plain", "what is sovereignty?", "", nil, "what is sovereignty?", false},
		{"m.mentions", "Policy Bot: what is sovereignty?", "", []id.UserID{"@policybot:example.org"}, "what is sovereignty?", true},
		{"other user mentioned", "bob: hi", "", []id.UserID{"@bob:example.org"}, "bob: hi", false},
		{"display name", "policy bot, what now", "", nil, "what now", true},
		{"localpart", "policybot what now", "", nil, "what now", true},
		{"at localpart", "@policybot: what now", "", nil, "what now", true},
		{"full user ID", "@policybot:example.org what now", "", nil, "what now", true},
		{"prefix of word is not a mention", "policybots are fun", "", nil, "policybots are fun", false},
		{"name only", "policybot", "", nil, "", true},
		{"pill in html", "hey Policy Bot, what now", `hey <a href="https://matrix.to/#/@policybot:example.org">Policy Bot</a>, what now`, nil, "hey Policy Bot, what now", true},
		{"escaped pill", "x", `<a href="https://matrix.to/#/%40policybot:example.org">x</a>`, nil, "x", true},
		{"mention mid-sentence stays", "ask policybot later", "", []id.UserID{"@policybot:example.org"}, "ask policybot later", true},
		{"spaces", "   policybot:   hi  ", "", nil, "hi", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, m := ad.mention(tt.body, tt.html, tt.mentions)
			if got != tt.want || m != tt.mentioned {
				t.Errorf("mention(%q) = %q, %v; want %q, %v", tt.body, got, m, tt.want, tt.mentioned)
			}
		})
	}
}

func FuzzMention(f *testing.F) {
	for _, s := range []string{"policybot: hi", "Policy Bot,", "@policybot:example.org", "", "ṗolicybot", "policybot\u00a0x"} {
		f.Add(s, "")
	}
	ad := addressee{user: "@policybot:example.org", displayName: "Policy Bot"}
	f.Fuzz(func(t *testing.T, body, html string) {
		got, _ := ad.mention(body, html, nil)
		if len(got) > len(body) {
			t.Fatalf("text grew: %q -> %q", body, got)
		}
		if !strings.Contains(body, got) {
			t.Fatalf("result %q is not part of %q", got, body)
		}
	})
}
