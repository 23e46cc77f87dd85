package slack

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/policybot/policybot/bot/bottest"

	"github.com/policybot/policybot/bot"
	"github.com/policybot/policybot/bot/inbox"
	"github.com/policybot/policybot/bot/store"
	"github.com/policybot/policybot/knowledge"
)

// realCore is the real core over the embedded statement, so the benchmark
// measures what Slack would wait for.
func realCore(b *testing.B) bot.Responder {
	core, _ := bottest.Core(b, bot.Options{})
	return core
}

// servedAdapter is an adapter over the real core, against api, with its
// HTTP endpoints served on loopback until the benchmark ends.
func servedAdapter(b *testing.B, api *fakeSlack, mod func(*Options)) (*Adapter, *httptest.Server) {
	o := Options{
		BotToken: "xoxb-test", SigningSecret: testSecret, APIURL: api.url(),
		Responder: realCore(b), Logger: slog.New(slog.DiscardHandler),
	}
	if mod != nil {
		mod(&o)
	}
	a, err := New(o)
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	a.Register(mux)
	srv := httptest.NewServer(mux)
	b.Cleanup(srv.Close)
	return a, srv
}

// BenchmarkSlashCommandHTTP measures a signed /principle sovereignty from
// the request to the acknowledgement carrying the answer, over loopback
// HTTP against the real handlers and core: signature check, form parsing,
// the core's answer, Block Kit rendering and the JSON response. It reports
// the median and 99th percentile latency and the requests per second.
func BenchmarkSlashCommandHTTP(b *testing.B) {
	api := newFakeSlack(b)
	_, srv := servedAdapter(b, api, nil)
	client := srv.Client()
	body := commandForm("/principle", "sovereignty", "C1", api.hookURL())

	// One request first, so that lazy set-up in the core is not measured.
	if res, err := client.Do(signedRequest(srv.URL+"/slack/commands", formType, body, testSecret, time.Now())); err == nil {
		res.Body.Close()
	}
	lat := make([]time.Duration, 0, b.N)
	late := 0
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		// Signing is Slack's work, but cheap; the timestamp must be fresh.
		req := signedRequest(srv.URL+"/slack/commands", formType, body, testSecret, time.Now())
		t0 := time.Now()
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		out, _ := io.ReadAll(res.Body)
		res.Body.Close()
		lat = append(lat, time.Since(t0))
		switch {
		case res.StatusCode != http.StatusOK:
			b.Fatalf("status %d: %.200s", res.StatusCode, out)
		case len(out) == 0:
			late++ // acknowledged empty; the answer went to the response_url
		case !strings.Contains(strings.ToLower(string(out)), "sovereignty"):
			b.Fatalf("answer without the quote: %.200s", out)
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[min(len(lat)-1, len(lat)*99/100)].Microseconds()), "p99-µs")
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(late), "late-answers")
}

// BenchmarkRender is the Block Kit rendering alone.
func BenchmarkRender(b *testing.B) {
	doc := knowledge.Embedded()
	p := doc.Paragraphs[5]
	r := bot.Reply{Kind: bot.KindAnswer, Title: "Sovereignty", Passages: []bot.Passage{bot.PassageOf(doc, p), bot.PassageOf(doc, doc.Paragraphs[4])}}
	r.Passages[0].Highlights = []bot.Span{{Start: 0, End: 6}}
	b.ReportAllocs()
	for b.Loop() {
		Render(r, renderOptions{ShareValue: "id /principle sov"})
	}
}

// BenchmarkEventAck offers Events API mentions at about 1,000 a second
// over loopback HTTP (16 senders, one every 16 ms each) and measures how
// long each takes to be acknowledged: with the inbox on the state file,
// each question fsynced before its 200 (commits shared under load), and
// with the in-memory inbox, which forgets on restart.
func BenchmarkEventAck(b *testing.B) {
	for _, c := range []struct {
		name  string
		inbox func(b *testing.B) Inbox
	}{
		{"inbox=file", func(b *testing.B) Inbox {
			st, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "state.db"))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { st.Close() })
			return inbox.New(st, inbox.Options{})
		}},
		{"inbox=memory", func(*testing.B) Inbox { return inbox.Memory(inbox.Options{}) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			api := newFakeSlack(b)
			api.discardNotifications(b)
			a, srv := servedAdapter(b, api, func(o *Options) { o.Inbox, o.PostInterval = c.inbox(b), time.Nanosecond })
			client := srv.Client()
			client.Transport.(*http.Transport).MaxIdleConnsPerHost = 64

			offerEvents(b, srv.URL, testSecret, client)
			a.flights.Wait()
		})
	}
}

// BenchmarkBinaryEventAck is BenchmarkEventAck against the real binary
// (inbox on the state file), over loopback.
func BenchmarkBinaryEventAck(b *testing.B) {
	bin := buildBinary(b)
	api := newFakeSlack(b)
	api.discardNotifications(b)
	dir := b.TempDir()
	const secret = "ack-bench-signing-secret"
	p := startProcess(b, bin, binaryEnv(b, api, dir, secret, "POLICYBOT_LOG_LEVEL=warn"))
	waitReady(b, p)
	offerEvents(b, p.base, secret, &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}})
	p.stop(b)
}

// offerEvents sends b.N mentions at about 1,000 a second (16 senders, one
// every 16 ms each) to base's /slack/events and reports the
// acknowledgement latency.
func offerEvents(b *testing.B, base, secret string, client *http.Client) {
	const senders = 16
	const every = 16 * time.Millisecond
	var seq atomic.Int64
	lat := make([][]time.Duration, senders)
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for s := range senders {
		wg.Go(func() {
			tick := time.NewTicker(every)
			defer tick.Stop()
			for {
				n := seq.Add(1)
				if n > int64(b.N) {
					return
				}
				ev := eventJSON(fmt.Sprint("EvAck", n), map[string]any{"type": "app_mention", "user": "U1",
					"text": "<@" + testBotUser + "> what is co-governance?", "channel": fmt.Sprintf("C%03d", n%200),
					"ts": fmt.Sprintf("1700000200.%06d", n)})
				req := signedRequest(base+"/slack/events", "application/json", ev, secret, time.Now())
				t0 := time.Now()
				res, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				lat[s] = append(lat[s], time.Since(t0))
				if res.StatusCode != http.StatusOK {
					b.Errorf("status %d", res.StatusCode)
					return
				}
				<-tick.C
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	if len(all) == 0 {
		return
	}
	at := func(q float64) float64 { return float64(all[int(q*float64(len(all)-1))].Microseconds()) / 1000 }
	b.ReportMetric(at(0.5), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "events/s")
}
