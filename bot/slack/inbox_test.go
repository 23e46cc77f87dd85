package slack

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestBinaryKillDuringBurst sends several hundred mentions to the real
// binary from many senders at once, kills it with SIGKILL while most are
// still unanswered, and starts it again on the same state file. Slack
// sends again what was never acknowledged (some of what was acknowledged
// too, as a slow acknowledgement makes it do). Every mention must then be
// answered exactly once: what was acknowledged before the kill is
// answered by the restarted bot from its inbox, after it has looked in
// the thread for an answer posted just before the kill.
func TestBinaryKillDuringBurst(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the policybot binary")
	}
	bin := buildBinary(t)
	api := newKeepingSlack(t, 20*time.Millisecond)
	dir := t.TempDir()
	const secret = "burst-signing-secret"
	env := binaryEnv(t, api, dir, secret)
	p := startProcess(t, bin, env)
	waitReady(t, p)

	const senders, each = 24, 15 // 360 mentions in 120 channels
	type mention struct {
		id, body string
		acked    atomic.Bool
	}
	var mentions []*mention
	for s := range senders {
		for i := range each {
			id := fmt.Sprintf("EvBurst%02d%02d", s, i)
			ev := eventJSON(id, map[string]any{"type": "app_mention", "user": "U1",
				"text": "<@" + testBotUser + "> what is co-governance?", "channel": fmt.Sprintf("C%03d", (s*each+i)%120),
				"ts": fmt.Sprintf("1700000100.%06d", s*each+i)})
			mentions = append(mentions, &mention{id: id, body: ev})
		}
	}
	deliver := func(base string, m *mention, retry int) bool {
		req := signedRequest(base+"/slack/events", "application/json", m.body, secret, time.Now())
		if retry > 0 {
			req.Header.Set("X-Slack-Retry-Num", fmt.Sprint(retry))
			req.Header.Set("X-Slack-Retry-Reason", "http_timeout")
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	}

	// The burst, and SIGKILL once a third of it is acknowledged.
	var acked atomic.Int64
	killed := make(chan struct{})
	var wg sync.WaitGroup
	for s := range senders {
		wg.Go(func() {
			for _, m := range mentions[s*each : (s+1)*each] {
				select {
				case <-killed:
					return
				default:
				}
				if deliver(p.base, m, 0) {
					m.acked.Store(true)
					if acked.Add(1) == int64(len(mentions)/3) {
						_ = p.cmd.Process.Kill()
						close(killed)
					}
				}
			}
		})
	}
	wg.Wait()
	<-p.exited
	var ackedBefore []*mention
	for _, m := range mentions {
		if m.acked.Load() {
			ackedBefore = append(ackedBefore, m)
		}
	}
	answeredBefore := 0
	for _, m := range ackedBefore {
		answeredBefore += api.answers(m.id)
	}
	t.Logf("%d of %d mentions acknowledged before SIGKILL, %d of those answered by then", len(ackedBefore), len(mentions), answeredBefore)
	if answeredBefore == len(ackedBefore) {
		t.Fatalf("every acknowledged mention was answered before the kill: the test did not catch the bot with work in flight")
	}

	// The restart: Slack retries what was not acknowledged, and some of
	// what was.
	p = startProcess(t, bin, env)
	waitReady(t, p)
	for i, m := range mentions {
		if !m.acked.Load() || i%5 == 0 {
			if !deliver(p.base, m, 1) {
				t.Fatalf("retried mention %s refused after the restart\n%s", m.id, p.log.String())
			}
		}
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		missing := 0
		for _, m := range mentions {
			if api.answers(m.id) == 0 {
				missing++
			}
		}
		if missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d mentions unanswered 60s after the restart\n%s", missing, len(mentions), tail(p.log.String(), 60))
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.stop(t) // whatever is still in flight is finished
	doubled := 0
	for _, m := range mentions {
		if n := api.answers(m.id); n != 1 {
			doubled++
			t.Errorf("mention %s answered %d times", m.id, n)
		}
	}
	recovered := strings.Count(p.log.String(), "answering a question acknowledged before the restart")
	t.Logf("after the restart: %d answered from the inbox, %d doubled", recovered, doubled)
	if recovered == 0 {
		t.Errorf("the restarted bot answered nothing from its inbox, though %d acknowledged mentions were unanswered at the kill", len(ackedBefore)-answeredBefore)
	}
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// TestBinaryBurstBounded sends 5,000 mentions to the real binary as fast
// as 64 senders can, each to its own channel so that nothing paces them,
// against a Web API that takes 5 ms per post. Posts in flight must stay
// within the posting limit of 16, and every mention be answered once;
// the peak goroutines, open files and resident memory are reported.
func TestBinaryBurstBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the policybot binary")
	}
	bin := buildBinary(t)
	api := newKeepingSlack(t, 5*time.Millisecond)
	dir := t.TempDir()
	const secret = "burst-signing-secret"
	p := startProcess(t, bin, binaryEnv(t, api, dir, secret, "POLICYBOT_LOG_LEVEL=warn"))
	waitReady(t, p)

	const total, senders = 5000, 64
	var peak struct {
		sync.Mutex
		goroutines, fds, rss float64
	}
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() { // sample the bot's own metrics during the burst
		defer close(sampled)
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			g, f, r, ok := processMetrics(p.base)
			if !ok {
				continue
			}
			peak.Lock()
			peak.goroutines, peak.fds, peak.rss = max(peak.goroutines, g), max(peak.fds, f), max(peak.rss, r)
			peak.Unlock()
		}
	}()
	var next atomic.Int64
	var wg sync.WaitGroup
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: senders}}
	for range senders {
		wg.Go(func() {
			for {
				n := next.Add(1)
				if n > total {
					return
				}
				ev := eventJSON(fmt.Sprint("EvFlood", n), map[string]any{"type": "app_mention", "user": "U1",
					"text": "<@" + testBotUser + "> what is co-governance?", "channel": fmt.Sprintf("C%05d", n),
					"ts": fmt.Sprintf("1700000300.%06d", n)})
				res, err := client.Do(signedRequest(p.base+"/slack/events", "application/json", ev, secret, time.Now()))
				if err != nil {
					t.Error(err)
					return
				}
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					t.Errorf("mention %d: status %d", n, res.StatusCode)
					return
				}
			}
		})
	}
	wg.Wait()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		api.mu.Lock()
		posted := api.posted
		api.mu.Unlock()
		if posted >= total {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d mentions answered 2 minutes after the burst\n%s", posted, total, tail(p.log.String(), 40))
		}
		time.Sleep(50 * time.Millisecond)
	}
	close(stop)
	<-sampled
	p.stop(t)
	api.mu.Lock()
	maxFlight, posted := api.maxFlight, api.posted
	api.mu.Unlock()
	if posted != total {
		t.Errorf("%d posts for %d mentions", posted, total)
	}
	if maxFlight > 16 {
		t.Errorf("%d posts in flight at once, over the limit of 16", maxFlight)
	}
	peak.Lock()
	defer peak.Unlock()
	t.Logf("%d mentions: at most %d posts in flight; peak %.0f goroutines, %.0f open files, %.1f MiB resident", total, maxFlight, peak.goroutines, peak.fds, peak.rss/(1<<20))
}

// processMetrics reads the goroutines, open files and resident memory
// from the bot's /metrics.
func processMetrics(base string) (goroutines, fds, rss float64, ok bool) {
	res, err := http.Get(base + "/metrics")
	if err != nil {
		return 0, 0, 0, false
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, 0, 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		var v float64
		switch {
		case strings.HasPrefix(line, "go_goroutines "):
			fmt.Sscan(strings.TrimPrefix(line, "go_goroutines "), &v)
			goroutines = v
		case strings.HasPrefix(line, "process_open_fds "):
			fmt.Sscan(strings.TrimPrefix(line, "process_open_fds "), &v)
			fds = v
		case strings.HasPrefix(line, "process_resident_memory_bytes "):
			fmt.Sscan(strings.TrimPrefix(line, "process_resident_memory_bytes "), &v)
			rss = v
		}
	}
	return goroutines, fds, rss, goroutines > 0
}
