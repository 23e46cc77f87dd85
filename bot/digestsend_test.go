package bot_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/policybot/policybot/bot"
)

// poster records what the core hands a platform to post.
type poster struct {
	replies []bot.Reply
	keys    []string
	retries []bool
	ready   error
}

func (p *poster) Deliver(_ context.Context, _ string, r bot.Reply, key string, retry bool) error {
	p.replies = append(p.replies, r)
	p.keys = append(p.keys, key)
	p.retries = append(p.retries, retry)
	return nil
}

func (p *poster) Ready() error { return p.ready }

// The core composes digests with the limits and command hints of any
// reply, in the platform's own conventions.
func TestDigestReply(t *testing.T) {
	for _, c := range []struct {
		name      string
		opts      bot.Options
		platform  bot.Platform
		paras     []int
		title     string
		hint      string
		maxRunes  int // per passage; 0: whole paragraphs
		shortened bool
	}{
		{"one", bot.Options{}, bot.Platform{Name: "slack", Prefix: "/", Direct: []string{"policy", "principle"}},
			[]int{5}, "Daily quote — Tuesday 1 December 2026", "/policy ask", 0, false},
		{"several on matrix", bot.Options{}, bot.Platform{Name: "matrix", Prefix: "!"},
			[]int{5, 6}, "Daily quotes — Tuesday 1 December 2026", "!policy ask", 0, false},
		{"within the quote limit", bot.Options{MaxChars: 200}, bot.Platform{Name: "slack", Prefix: "/", Direct: []string{"policy", "principle"}},
			[]int{6}, "Daily quote — Tuesday 1 December 2026", "/policy ask", 200, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := newBot(t, c.opts)
			r, err := b.DigestReply(c.platform, bot.Digest{Conversation: "C1", Date: "Tuesday 1 December 2026", Paragraphs: c.paras, Key: "k"})
			if err != nil {
				t.Fatal(err)
			}
			if r.Title != c.title || !strings.Contains(r.Hint, c.hint) || len(r.Passages) != len(c.paras) {
				t.Fatalf("title %q, hint %q, %d passages; want %q, %q, %d", r.Title, r.Hint, len(r.Passages), c.title, c.hint, len(c.paras))
			}
			for i, p := range r.Passages {
				if p.Paragraph != c.paras[i] || p.Citation == "" {
					t.Errorf("passage %d: paragraph %d, citation %q", i, p.Paragraph, p.Citation)
				}
				if c.maxRunes > 0 && utf8.RuneCountInString(p.Text) > c.maxRunes {
					t.Errorf("passage %d has %d characters, over the limit of %d", i, utf8.RuneCountInString(p.Text), c.maxRunes)
				}
			}
			if got := strings.Contains(r.Note, "Shortened"); got != c.shortened {
				t.Errorf("note %q; shortened note wanted: %v", r.Note, c.shortened)
			}
		})
	}
}

func TestDigestReplyWithNothingToQuote(t *testing.T) {
	b := newBot(t, bot.Options{})
	if _, err := b.DigestReply(bot.Platform{Name: "slack", Prefix: "/"}, bot.Digest{Key: "digest-1-2026-12-01", Paragraphs: []int{999}}); err == nil || !strings.Contains(err.Error(), "digest-1-2026-12-01") {
		t.Fatalf("err = %v, want one naming the digest", err)
	}
}

// The digest sender passes the key and the retry flag through, and asks
// the poster whether it is ready.
func TestDigestSender(t *testing.T) {
	b := newBot(t, bot.Options{})
	p := &poster{ready: errors.New("not synced")}
	s := b.DigestSender(bot.Platform{Name: "matrix", Prefix: "!"}, p)
	if err := s.Ready(); err == nil {
		t.Error("Ready = nil while the poster is not ready")
	}
	if err := s.SendDigest(context.Background(), bot.Digest{Conversation: "!r", Date: "Tuesday 1 December 2026", Paragraphs: []int{5}, Key: "digest-7-2026-12-01", Retry: true}); err != nil {
		t.Fatal(err)
	}
	if len(p.replies) != 1 || p.keys[0] != "digest-7-2026-12-01" || !p.retries[0] || len(p.replies[0].Passages) != 1 {
		t.Fatalf("posted %d replies, keys %v, retries %v", len(p.replies), p.keys, p.retries)
	}
}
