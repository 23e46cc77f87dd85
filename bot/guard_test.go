package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/policybot/policybot/bot"
)

type responderFunc func(ctx context.Context, m bot.Message) (bot.Reply, bool)

func (f responderFunc) Respond(ctx context.Context, m bot.Message) (bot.Reply, bool) {
	return f(ctx, m)
}

func TestGuard(t *testing.T) {
	release := make(chan struct{})
	inside := make(chan struct{}, 1)
	var ended []bot.Reply
	g := bot.NewGuard(responderFunc(func(_ context.Context, m bot.Message) (bot.Reply, bool) {
		switch m.Text {
		case "panic":
			panic("boom")
		case "slow":
			inside <- struct{}{}
			<-release
		}
		return bot.Reply{Kind: bot.KindInfo, Text: "ok " + m.Text}, true
	}), bot.GuardOptions{Ended: func(_ context.Context, _ bot.Message, r bot.Reply, ok bool, _ time.Duration) {
		if ok {
			ended = append(ended, r)
		}
	}})

	// A panic becomes an apology, and is counted as ended.
	r, ok := g.Respond(context.Background(), bot.Message{Text: "panic"})
	if !ok || r.Kind != bot.KindError || !strings.Contains(r.Text, "something went wrong") {
		t.Fatalf("after a panic: %v %+v", ok, r)
	}
	if g.InFlight() != 0 {
		t.Fatalf("%d in flight after the panic", g.InFlight())
	}

	// Work in flight holds Idle open until it ends.
	done := make(chan struct{})
	go func() { g.Respond(context.Background(), bot.Message{Text: "slow"}); close(done) }()
	<-inside
	if g.InFlight() != 1 {
		t.Errorf("%d in flight, want 1", g.InFlight())
	}
	select {
	case <-g.Idle():
		t.Fatal("idle with a reply in flight")
	default:
	}
	close(release)
	<-done
	select {
	case <-g.Idle():
	case <-time.After(10 * time.Second):
		t.Fatal("not idle after the reply ended")
	}
	if len(ended) != 2 || ended[1].Text != "ok slow" {
		t.Errorf("ended replies %+v", ended)
	}
}
