package matrix_test

import (
	"slices"
	"testing"
	"time"

	"maunium.net/go/mautrix/event"
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
