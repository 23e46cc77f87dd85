package matrix_test

import (
	"slices"
	"testing"
	"time"
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
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
			b.ReportMetric(ms(lat[len(lat)*95/100]), "p95-ms")
			b.ReportMetric(w.proc.rss(b)/(1<<20), "bot-RSS-MiB")
		})
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
