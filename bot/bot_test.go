package bot_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	_ "time/tzdata" // zones in tests do not depend on the host

	"github.com/policybot/policybot/bot"
	"github.com/policybot/policybot/bot/bottest"
	"github.com/policybot/policybot/knowledge"
)

var sharedRetriever = sync.OnceValues(func() (*knowledge.Retriever, error) { return knowledge.Open("") })

func newBot(t *testing.T, opts bot.Options) *bot.Bot {
	t.Helper()
	r, err := sharedRetriever()
	if err != nil {
		t.Fatal(err)
	}
	if opts.Subscriptions == nil {
		opts.Subscriptions = &bottest.Subscriptions{}
	}
	b, err := bot.New(r.Document(), r, opts)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func dm(text string) bot.Message {
	return bot.Message{Platform: "test", Text: text, Prefix: "/", Conversation: bot.Conversation{ID: "c1", Direct: true}}
}

func group(text string, mentioned bool) bot.Message {
	return bot.Message{Platform: "test", Text: text, Prefix: "!", Conversation: bot.Conversation{ID: "g1"}, Mentioned: mentioned}
}

func TestGrammar(t *testing.T) {
	b := newBot(t, bot.Options{Rand: func(int) int { return 0 }})
	for _, c := range []struct {
		msg     bot.Message
		ignored bool
		kind    bot.Kind
		title   string // substring of Title
		para    int    // first passage's paragraph, if > 0
		text    string // substring of Text
		list    int    // list length, if > 0
	}{
		{msg: dm("/principle sov"), kind: bot.KindAnswer, title: "Sovereignty", para: 6},
		{msg: dm("/principle sovereignity"), kind: bot.KindAnswer, para: 6},
		{msg: dm("/principle Sovereignty"), kind: bot.KindAnswer, para: 6},
		{msg: dm("/principle 2"), kind: bot.KindAnswer, para: 6},
		{msg: dm("/principle cogov"), kind: bot.KindAnswer, para: 7},
		{msg: dm("/principle co-governance"), kind: bot.KindAnswer, para: 7},
		{msg: dm("/principle co governance"), kind: bot.KindAnswer, para: 7},
		{msg: dm("/principle benefit"), kind: bot.KindAnswer, para: 8},
		{msg: dm("/principle the principle of peace"), kind: bot.KindAnswer, para: 5},
		{msg: dm("/principle norms"), kind: bot.KindAnswer, para: 11},
		{msg: dm("/principle dialogue"), kind: bot.KindAnswer, para: 10},
		{msg: dm("/principle participation"), kind: bot.KindAnswer, para: 12},
		{msg: dm("/principle area 3"), kind: bot.KindAnswer, para: 12},
		{msg: dm("/policy principle sov"), kind: bot.KindAnswer, para: 6},
		{msg: group("!principle sov", false), kind: bot.KindAnswer, para: 6},
		{msg: dm("/principle soverinty"), kind: bot.KindAnswer, para: 6},
		{msg: dm("/principle xyz"), kind: bot.KindError, text: "don't know", list: 7},
		{msg: dm("/principle peas"), kind: bot.KindError, text: "Did you mean peace?", list: 7},
		{msg: dm("/principle"), kind: bot.KindInfo, list: 7},
		{msg: dm("/principles"), kind: bot.KindInfo, list: 7},
		{msg: dm("/policy principles"), kind: bot.KindInfo, list: 7},
		{msg: dm("/cite 6"), kind: bot.KindAnswer, para: 6},
		{msg: dm("/cite ¶6"), kind: bot.KindAnswer, para: 6},
		{msg: dm("/cite p6"), kind: bot.KindAnswer, para: 6},
		{msg: dm("/policy cite 15"), kind: bot.KindAnswer, para: 15},
		{msg: dm("/cite 0"), kind: bot.KindError, text: "¶1 to ¶15"},
		{msg: dm("/cite 99"), kind: bot.KindError, text: "¶1 to ¶15"},
		{msg: dm("/cite six"), kind: bot.KindError, text: "1 to 15"},
		{msg: dm("/quote digital divide"), kind: bot.KindAnswer, para: 8},
		{msg: dm("/quote"), kind: bot.KindAnswer, para: 1},
		{msg: dm("/quote football"), kind: bot.KindDecline},
		{msg: dm("/ask who should govern the internet?"), kind: bot.KindAnswer, para: 7},
		{msg: dm("/ask"), kind: bot.KindError, text: "Ask me"},
		{msg: dm("who should govern the internet?"), kind: bot.KindAnswer, para: 7},
		{msg: dm("principle sov"), kind: bot.KindAnswer, para: 6},
		{msg: dm("help"), kind: bot.KindInfo, list: 8},
		{msg: dm("What's the stock price of Apple?"), kind: bot.KindDecline, text: "Nothing in the statement"},
		{msg: dm("who gave this speech?"), kind: bot.KindAnswer, text: "Li Baodong", para: 0},
		{msg: group("who should govern the internet?", false), ignored: true},
		{msg: group("who should govern the internet?", true), kind: bot.KindAnswer, para: 7},
		{msg: group("!weather today", false), ignored: true},
		{msg: group("/me waves", false), ignored: true},
		{msg: group("!policy hepl", false), kind: bot.KindError, text: "Did you mean !policy help?"},
		{msg: dm("/policy"), kind: bot.KindInfo, list: 8},
		{msg: dm("/help"), kind: bot.KindInfo, list: 8},
		{msg: dm("/leave"), kind: bot.KindError, text: "moderator"},
		{msg: dm("/digest on 25:00"), kind: bot.KindError, text: "HH:MM"},
		{msg: dm("/digest on 09:00 Mars/Olympus"), kind: bot.KindError, text: "Europe/Berlin"},
		{msg: dm("/digest sometimes"), kind: bot.KindError, list: 4},
		{msg: dm("/digest status"), kind: bot.KindInfo, text: "no daily digest"},
		{msg: dm("/digest off"), kind: bot.KindInfo, text: "nothing to turn off"},
	} {
		t.Run(c.msg.Text, func(t *testing.T) {
			r, ok := b.Respond(context.Background(), c.msg)
			if ok == c.ignored {
				t.Fatalf("answered = %v, want %v", ok, !c.ignored)
			}
			if c.ignored {
				return
			}
			if r.Kind != c.kind {
				t.Errorf("kind = %v, want %v (%s)", r.Kind, c.kind, r.PlainText("", ""))
			}
			if !strings.Contains(r.Title, c.title) {
				t.Errorf("title %q lacks %q", r.Title, c.title)
			}
			if !strings.Contains(r.Text, c.text) {
				t.Errorf("text %q lacks %q", r.Text, c.text)
			}
			if c.list > 0 && len(r.List) != c.list {
				t.Errorf("list has %d rows, want %d", len(r.List), c.list)
			}
			if c.kind == bot.KindAnswer {
				if len(r.Passages) == 0 {
					t.Fatal("no passages")
				}
				if r.Passages[0].Paragraph != c.para {
					t.Errorf("first passage ¶%d, want ¶%d", r.Passages[0].Paragraph, c.para)
				}
				if r.Passages[0].Citation == "" {
					t.Error("passage without citation")
				}
			}
		})
	}
}

func TestDigestCommands(t *testing.T) {
	subs := &bottest.Subscriptions{Platforms: []string{"test"}}
	b := newBot(t, bot.Options{Subscriptions: subs})
	ctx := context.Background()
	r, _ := b.Respond(ctx, dm("/digest on 6:30pm europe/berlin"))
	if r.Kind != bot.KindInfo {
		t.Fatalf("digest on: %s", r.PlainText("", ""))
	}
	s, ok := subs.Get("test", "c1")
	if !ok || s.Hour != 18 || s.Minute != 30 || s.Zone != "Europe/Berlin" || s.Passages != 1 {
		t.Fatalf("subscription = %+v, %v", s, ok)
	}
	r, _ = b.Respond(ctx, dm("/digest on"))
	if s, _ = subs.Get("test", "c1"); s.Hour != 9 || s.Minute != 0 || s.Zone != "UTC" {
		t.Errorf("default subscription = %+v (%s)", s, r.Text)
	}
	r, _ = b.Respond(ctx, dm("/digest on America/New_York"))
	if s, _ = subs.Get("test", "c1"); s.Hour != 9 || s.Zone != "America/New_York" {
		t.Errorf("zone-only subscription = %+v (%s)", s, r.Text)
	}
	if r, _ = b.Respond(ctx, dm("/digest status")); !strings.Contains(r.Text, "09:00 America/New_York") {
		t.Errorf("status = %q", r.Text)
	}
	if r, _ = b.Respond(ctx, dm("/digest off")); !strings.Contains(r.Text, "turned off") {
		t.Errorf("off = %q", r.Text)
	}
	if _, ok := subs.Get("test", "c1"); ok {
		t.Error("still subscribed after off")
	}
	// Elsewhere digests are refused.
	if r, _ = b.Respond(ctx, bot.Message{Platform: "console", Text: "/digest on", Conversation: bot.Conversation{ID: "x", Direct: true}}); r.Kind != bot.KindError {
		t.Errorf("console digest = %v", r.Kind)
	}
	// A failing store is the system's problem: a polite error, no details.
	subs.Err = errors.New("disk on fire")
	if r, _ = b.Respond(ctx, dm("/digest on")); r.Kind != bot.KindError || strings.Contains(r.Text, "fire") {
		t.Errorf("store failure reply = %+v", r)
	}
}

func TestLeave(t *testing.T) {
	b := newBot(t, bot.Options{})
	m := group("!policy leave", false)
	m.CanManage = true
	r, _ := b.Respond(context.Background(), m)
	if r.Action != bot.ActionLeave {
		t.Errorf("moderator leave: action %v", r.Action)
	}
}

// A long message within the limit is read whole: its question, at the
// very end after 2,500 bytes of context, is the one answered.
func TestLongMessageReadWhole(t *testing.T) {
	b := newBot(t, bot.Options{})
	var msg strings.Builder
	for msg.Len() < 2500 {
		msg.WriteString("Our team reads statements every week and writes notes for colleagues in other offices. ")
	}
	msg.WriteString("What does he say about the digital divide?")
	if msg.Len() > bot.MaxMessageBytes {
		t.Fatalf("test message of %d bytes is over the limit", msg.Len())
	}
	r, ok := b.Respond(context.Background(), dm(msg.String()))
	if !ok || r.Kind != bot.KindAnswer || len(r.Passages) == 0 || !strings.Contains(r.Passages[0].Text, "digital divide") {
		t.Fatalf("%d-byte message: %v %s %+v; want the digital divide answered", msg.Len(), ok, r.Kind, r.Passages)
	}
}

func TestLimits(t *testing.T) {
	ctx := context.Background()
	b := newBot(t, bot.Options{MaxPassages: 1})
	// Two questions, each with its own strong passage.
	r, _ := b.Respond(ctx, dm("Does he say mankind does not need a new battlefield? And who should govern the internet?"))
	if len(r.Passages) != 1 || r.Omitted == 0 || !strings.Contains(r.Note, "not shown") {
		t.Errorf("MaxPassages=1: %d passages, omitted %d, note %q", len(r.Passages), r.Omitted, r.Note)
	}
	b = newBot(t, bot.Options{MaxChars: 120})
	r, _ = b.Respond(ctx, dm("/cite 6"))
	p := r.Passages[0]
	if !p.Cut || !strings.HasSuffix(p.Text, "…") || len([]rune(p.Text)) > 120 || !strings.Contains(r.Note, "Shortened") {
		t.Errorf("MaxChars=120: cut=%v %d runes %q note %q", p.Cut, len([]rune(p.Text)), p.Text, r.Note)
	}
	for _, h := range p.Highlights {
		if h.End > len(p.Text) {
			t.Errorf("highlight %+v beyond the cut text", h)
		}
	}
	huge := strings.Repeat("sovereignty ", bot.MaxMessageBytes)
	r, ok := b.Respond(ctx, dm(huge))
	if !ok || r.Kind != bot.KindError || !strings.Contains(r.Text, "too long") || !strings.Contains(r.Text, fmt.Sprintf("at most %d", bot.MaxMessageBytes)) {
		t.Errorf("huge DM: %v %+v, want the true limit %d", ok, r, bot.MaxMessageBytes)
	}
	if _, ok := b.Respond(ctx, group(huge, false)); ok {
		t.Error("huge group chatter answered")
	}
}

func TestHelpListsEveryCommand(t *testing.T) {
	b := newBot(t, bot.Options{})
	r, _ := b.Respond(context.Background(), dm("/help"))
	text := r.PlainText("", "")
	for _, c := range b.Commands() {
		if !strings.Contains(text, "/policy "+c.Name) {
			t.Errorf("help lacks %q", c.Name)
		}
	}
}

func TestRegistryRejectsDuplicates(t *testing.T) {
	run := func(context.Context, bot.Message, string) (bot.Reply, error) { return bot.Reply{}, nil }
	if _, err := bot.NewRegistry(bot.Command{Name: "a", Run: run}, bot.Command{Name: "b", Aliases: []string{"a"}, Run: run}); err == nil {
		t.Error("duplicate alias accepted")
	}
}

func TestHostileMessages(t *testing.T) {
	b := newBot(t, bot.Options{})
	for _, in := range []string{"\x00\x01", "\xff\xfe", "<!channel> hello", "🙂", "/", "!", "/\u202e", "/policy \x00", "'; DROP TABLE x; --"} {
		r, ok := b.Respond(context.Background(), dm(in))
		if !ok {
			continue
		}
		if s := r.PlainText("", ""); strings.ContainsAny(s, "\x00\x01\u202e") {
			t.Errorf("%q: control characters echoed: %q", in, s)
		}
	}
}

func TestAddressed(t *testing.T) {
	for _, c := range []struct {
		m    bot.Message
		want bool
	}{
		{dm("hello"), true},
		{group("hello everyone", false), false},
		{group("what is co-governance?", true), true},
		{group("!principle sovereignty", false), true},
		{group("  /policy help", false), true},
		{group("!? anyone", false), false},
	} {
		if got := bot.Addressed(c.m); got != c.want {
			t.Errorf("Addressed(%q, direct %v, mentioned %v) = %v, want %v", c.m.Text, c.m.Conversation.Direct, c.m.Mentioned, got, c.want)
		}
	}
}
