package matrix_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// BenchmarkReplyLatency measures the time from the human sending a
// question to the bot's reply arriving at the human's client, over at
// least 100 questions, in a plain and an encrypted room, and the bot's
// resident memory afterwards. Run with -bench ReplyLatency -benchtime 100x
// (or more) for percentiles over at least 100 questions; ns/op is the
// mean latency.
func BenchmarkReplyLatency(b *testing.B) {
	skipShort(b)
	for _, tc := range []struct {
		name      string
		encrypted bool
	}{{"plain", false}, {"encrypted", true}} {
		b.Run(tc.name, func(b *testing.B) {
			room := newRoom(b, tc.encrypted, false, w.bob)
			n := b.N
			lat := make([]time.Duration, 0, n)
			// echo is how long the homeserver takes to show the human
			// their own message: the share of the latency that is not
			// the bot's.
			echo := make([]time.Duration, 0, n)
			// turn is from the homeserver accepting the question to it
			// accepting the reply (both origin_server_ts): delivery to
			// the bot, the bot's work and its send.
			turn := make([]time.Duration, 0, n)
			b.ResetTimer()
			for i := range n {
				body := "!ask " + question
				if i%2 == 1 {
					body = "!ask what is the role of the united nations?"
				}
				start := time.Now()
				q := w.alice.say(b, room, body)
				r := w.alice.waitFor(b, "reply", replyWait, replyTo(w.bot, q))
				lat = append(lat, w.alice.arrival(r.ID).Sub(start))
				qe := w.alice.waitFor(b, "echo", replyWait, func(e *event.Event) bool { return e.ID == q })
				echo = append(echo, w.alice.arrival(q).Sub(start))
				turn = append(turn, time.Duration(r.Timestamp-qe.Timestamp)*time.Millisecond)
			}
			b.StopTimer()
			slices.Sort(lat)
			slices.Sort(echo)
			slices.Sort(turn)
			b.ReportMetric(ms(echo[len(echo)/2]), "echo-p50-ms")
			b.ReportMetric(ms(turn[len(turn)/2]), "turn-p50-ms")
			b.ReportMetric(ms(turn[len(turn)*95/100]), "turn-p95-ms")
			b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
			b.ReportMetric(ms(lat[len(lat)*95/100]), "p95-ms")
			b.ReportMetric(w.proc.rss(b)/(1<<20), "bot-RSS-MiB")
		})
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// BenchmarkBareBotLatency is BenchmarkReplyLatency for a bare mautrix bot
// on the same homeserver: a client with mautrix's own crypto helper and
// SQLite crypto store, as every mautrix bot has, that answers each "!ask"
// with a fixed m.notice reply, with no state file of policybot's, no
// inbox, core or posting policy. The ratio of policybot's latency to this
// one's is what policybot adds.
func BenchmarkBareBotLatency(b *testing.B) {
	skipShort(b)
	ctx := context.Background()
	const user = "barebot"
	if _, err := w.server.CreateUser(ctx, user, botPassword, false); err != nil && !strings.Contains(err.Error(), "M_USER_IN_USE") {
		b.Fatal(err)
	}
	bare, err := newHuman(ctx, w.server.URL, user, botPassword, b.TempDir(), func(cli *mautrix.Client, sy *mautrix.DefaultSyncer) {
		sy.OnEventType(event.StateMember, func(ctx context.Context, evt *event.Event) {
			if evt.GetStateKey() == string(cli.UserID) && evt.Content.AsMember().Membership == event.MembershipInvite {
				_, _ = cli.JoinRoomByID(ctx, evt.RoomID)
			}
		})
		sy.OnEventType(event.EventMessage, func(ctx context.Context, evt *event.Event) {
			c := evt.Content.AsMessage()
			if evt.Sender == cli.UserID || c == nil || !strings.HasPrefix(c.Body, "!ask") {
				return
			}
			reply := &event.MessageEventContent{MsgType: event.MsgNotice, Body: "an answer",
				RelatesTo: &event.RelatesTo{InReplyTo: &event.InReplyTo{EventID: evt.ID}}}
			_, _ = cli.SendMessageEvent(ctx, evt.RoomID, event.EventMessage, reply)
		})
	})
	if err != nil {
		b.Fatal(err)
	}
	defer bare.close()
	resp, err := w.alice.cli.CreateRoom(ctx, &mautrix.ReqCreateRoom{Preset: "private_chat", Name: b.Name(), Invite: []id.UserID{bare.cli.UserID}})
	if err != nil {
		b.Fatal(err)
	}
	w.alice.waitFor(b, "bare bot joins", replyWait, joined(bare.cli.UserID, resp.RoomID))
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		q := w.alice.say(b, resp.RoomID, fmt.Sprintf("!ask %s (%d)", question, i))
		r := w.alice.waitFor(b, "bare reply", replyWait, replyTo(bare.cli.UserID, q))
		lat = append(lat, w.alice.arrival(r.ID).Sub(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[len(lat)*95/100]), "p95-ms")
}
