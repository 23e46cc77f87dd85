package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/policybot/policybot/bot/inbox"
	"github.com/policybot/policybot/bot/store"
	"github.com/policybot/policybot/bot/store/pgtest"
)

// pg is the PostgreSQL cluster of the tests that need one.
var pg pgtest.Lazy

func TestMain(m *testing.M) { os.Exit(pg.Main(m)) }

// replicaSet is n policybot serve processes on one PostgreSQL database,
// as behind a load balancer.
type replicaSet struct {
	bin, secret string
	api         *fakeSlack
	db          string
	procs       []*process
}

func startReplicas(t testing.TB, n int, secret string) *replicaSet {
	r := &replicaSet{bin: buildBinary(t), secret: secret, api: newKeepingSlack(t, 0), db: pg.Database(t)}
	for range n {
		r.procs = append(r.procs, r.start(t))
	}
	for _, p := range r.procs {
		waitReady(t, p)
	}
	return r
}

func (r *replicaSet) start(t testing.TB) *process {
	return startProcess(t, r.bin, binaryEnv(t, r.api, t.TempDir(), r.secret, "POLICYBOT_DB="+r.db))
}

// post sends a signed request to replica i and returns its status.
func (r *replicaSet) post(i int, path, contentType, body string, retry int) (int, string) {
	req := signedRequest(r.procs[i].base+path, contentType, body, r.secret, time.Now())
	if retry > 0 {
		req.Header.Set("X-Slack-Retry-Num", fmt.Sprint(retry))
		req.Header.Set("X-Slack-Retry-Reason", "http_timeout")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// Three replicas behind a load balancer: events spread over them, a
// third delivered again to another replica as Slack's retry, some sent to
// two replicas at the same moment, and slash commands to any of them.
// Every event is answered exactly once at the Web API, and every command
// once.
func TestReplicasAnswerEachEventOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("runs three policybot binaries on PostgreSQL")
	}
	const secret = "replica-signing-secret"
	r := startReplicas(t, 3, secret)
	const events = 240
	var wg sync.WaitGroup
	var mu sync.Mutex
	refused := 0
	send := func(i, replica, retry int, body string) {
		if code, msg := r.post(replica, "/slack/events", "application/json", body, retry); code != http.StatusOK {
			mu.Lock()
			refused++
			mu.Unlock()
			t.Errorf("event %d at replica %d: %d %s", i, replica, code, msg)
		}
	}
	for i := range events {
		id := fmt.Sprintf("EvRep%04d", i)
		body := eventJSON(id, map[string]any{"type": "app_mention", "user": "U1",
			"text":    "<@" + testBotUser + "> what does the statement say about sovereignty?",
			"channel": fmt.Sprintf("C%03d", i%40), "ts": fmt.Sprintf("1700000200.%06d", i)})
		first := i % 3
		wg.Go(func() {
			send(i, first, 0, body)
			if i%3 == 0 { // Slack's retry, at another replica
				send(i, (first+1)%3, 1, body)
			}
		})
		if i%8 == 0 { // the same delivery at two replicas at once
			wg.Go(func() { send(i, (first+2)%3, 0, body) })
		}
	}
	// Slash commands answer in the HTTP response, from whichever
	// replica the request reaches.
	const commands = 30
	var answered [commands]int
	for i := range commands {
		wg.Go(func() {
			code, body := r.post(i%3, "/slack/commands", "application/x-www-form-urlencoded",
				commandForm("/principle", "sovereignty", fmt.Sprintf("C%03d", i), r.api.hookURL()), 0)
			var m map[string]any
			if code == http.StatusOK && json.Unmarshal([]byte(body), &m) == nil && strings.Contains(body, "sovereignty") {
				mu.Lock()
				answered[i]++
				mu.Unlock()
			} else {
				t.Errorf("command %d at replica %d: %d %s", i, i%3, code, body)
			}
		})
	}
	wg.Wait()
	if refused > 0 {
		t.FailNow()
	}
	// Let every answer land, then stop the replicas: whatever is in
	// flight finishes first.
	deadline := time.Now().Add(60 * time.Second)
	for {
		missing := 0
		for i := range events {
			if r.api.answers(fmt.Sprintf("EvRep%04d", i)) == 0 {
				missing++
			}
		}
		if missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d events unanswered after 60 s", missing, events)
		}
		time.Sleep(50 * time.Millisecond)
	}
	conflicts := make([]int, len(r.procs))
	for i, p := range r.procs {
		conflicts[i] = metricValue(t, p.base, `policybot_claim_conflicts_total{platform="slack"}`)
	}
	for _, p := range r.procs {
		p.stop(t)
	}
	doubled := 0
	for i := range events {
		if n := r.api.answers(fmt.Sprintf("EvRep%04d", i)); n != 1 {
			doubled++
			t.Errorf("event %d answered %d times", i, n)
		}
	}
	dups := events/3 + (events+7)/8
	if sum := conflicts[0] + conflicts[1] + conflicts[2]; sum != dups {
		t.Errorf("the replicas counted %d claim conflicts (%v); %d deliveries were duplicates", sum, conflicts, dups)
	}
	for i, n := range answered {
		if n != 1 {
			t.Errorf("command %d answered %d times", i, n)
		}
	}
	hooks := 0
	for _, c := range r.api.recorded() {
		if c.Path == "/hook" {
			hooks++
		}
	}
	t.Logf("%d events (%d duplicate deliveries), %d commands: %d doubled, %d hook posts; claim conflicts by replica %v",
		events, dups, commands, doubled, hooks, conflicts)
}

// metricValue reads one sample from a replica's /metrics (0 if absent).
func metricValue(t *testing.T, base, name string) int {
	t.Helper()
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			var f float64
			fmt.Sscan(v, &f)
			return int(f)
		}
	}
	return 0
}

// BenchmarkReplicaEvents is Slack HTTP events acknowledged per second
// through one replica and through three on one PostgreSQL database, 32
// senders spread over them; each event is claimed in the database before
// it is acknowledged, and answered.
func BenchmarkReplicaEvents(b *testing.B) {
	for _, n := range []int{1, 3} {
		b.Run(fmt.Sprintf("replicas=%d", n), func(b *testing.B) {
			const secret = "bench-signing-secret"
			r := startReplicas(b, n, secret)
			var next atomic.Int64
			b.SetParallelism(16) // 32 senders on 2 cores
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := next.Add(1)
					body := eventJSON(fmt.Sprintf("EvBench%d-%d", n, i), map[string]any{"type": "app_mention", "user": "U1",
						"text": "<@" + testBotUser + "> what is co-governance?", "channel": fmt.Sprintf("C%03d", i%64),
						"ts": fmt.Sprintf("1700000400.%06d", i)})
					if code, msg := r.post(int(i)%n, "/slack/events", "application/json", body, 0); code != http.StatusOK {
						b.Errorf("event refused: %d %s", code, msg)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
			b.StopTimer()
			for _, p := range r.procs {
				p.stop(b)
			}
		})
	}
}

// Socket Mode on two replicas: Slack spreads envelopes over the app's
// connections and redelivers one that was not acknowledged in time,
// often on another connection. Each replica records the event in the
// shared inbox before it acknowledges; whichever claims it answers, the
// other acknowledges and drops its copy.
func TestSocketModeReplicasAnswerOnce(t *testing.T) {
	db := pg.Database(t)
	sock := newScriptedSocket(t)
	api := newKeepingSlack(t, 0)
	api.wsURL = sock.url()
	var adapters []*Adapter
	ctx, cancel := context.WithCancel(t.Context())
	var runs sync.WaitGroup
	defer func() { cancel(); runs.Wait() }()
	for i := range 2 {
		st, err := store.Open(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		a, err := New(Options{BotToken: "xoxb-test", AppToken: "xapp-test", APIURL: api.url(),
			Responder: &fakeResponder{respond: echo}, Logger: slog.New(slog.DiscardHandler), PingInterval: time.Minute,
			Inbox: inbox.New(st, inbox.Options{Owner: fmt.Sprint("replica-", i)})})
		if err != nil {
			t.Fatal(err)
		}
		adapters = append(adapters, a)
		runs.Go(func() {
			if err := a.Run(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	conns := []*websocket.Conn{sock.conn(t), sock.conn(t)}
	const events = 40
	for i := range events {
		ev := map[string]any{"type": "event_callback", "event_id": fmt.Sprintf("EvSock%02d", i), "event": map[string]any{
			"type": "app_mention", "user": "U1", "text": "<@UBOT> principle sov", "ts": fmt.Sprintf("20.%02d", i), "channel": fmt.Sprintf("C%02d", i)}}
		first := i % 2
		if err := conns[first].WriteJSON(envelope("events_api", fmt.Sprintf("env%d", i), ev, 0)); err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 { // redelivered on the other connection
			if err := conns[1-first].WriteJSON(envelope("events_api", fmt.Sprintf("env%d-retry", i), ev, 1)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for range events + events/2 {
		select {
		case <-sock.acks:
		case <-time.After(10 * time.Second):
			t.Fatal("an envelope was not acknowledged")
		}
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		n := 0
		for _, c := range api.recorded() {
			if c.Path == "/chat.postMessage" {
				n++
			}
		}
		if n >= events {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d events answered", n, events)
		}
	}
	cancel()
	runs.Wait()
	for i := range events {
		if n := api.answers(fmt.Sprintf("EvSock%02d", i)); n != 1 {
			t.Errorf("event %d answered %d times", i, n)
		}
	}
}
