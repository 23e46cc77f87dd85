package matrix

import (
	"testing"

	"maunium.net/go/mautrix/id"
)

func TestInviterPolicy(t *testing.T) {
	tests := []struct {
		name    string
		entries []string
		user    id.UserID
		want    bool
	}{
		{"default own server", nil, "@alice:example.org", true},
		{"default other server", nil, "@mallory:evil.org", false},
		{"default server case", nil, "@alice:Example.ORG", true},
		{"listed user", []string{"@bob:other.org"}, "@bob:other.org", true},
		{"list replaces default", []string{"@bob:other.org"}, "@alice:example.org", false},
		{"server pattern", []string{" :other.org ", "@carol:third.org"}, "@dave:other.org", true},
		{"server pattern no suffix match", []string{":other.org"}, "@dave:notother.org", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := parseInviters(tt.entries, "@policybot:example.org")
			if err != nil {
				t.Fatal(err)
			}
			if got := p.allows(tt.user); got != tt.want {
				t.Errorf("allows(%s) = %v, want %v", tt.user, got, tt.want)
			}
		})
	}
}

func TestInviterPolicyRejectsJunk(t *testing.T) {
	for _, e := range []string{"alice", "@alice", ":"} {
		if _, err := parseInviters([]string{e}, "@policybot:example.org"); err == nil {
			t.Errorf("parseInviters(%q) accepted it", e)
		}
	}
}
