package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/policybot/policybot/bot/bottest"
)

// leads asks a replica's /readyz whether it is the leader, and since when.
func leads(p *process) (bool, time.Time) {
	res, err := http.Get(p.base + "/readyz")
	if err != nil {
		return false, time.Time{}
	}
	defer res.Body.Close()
	var rd struct {
		Leader      *bool     `json:"leader"`
		LeaderSince time.Time `json:"leader_since"`
	}
	ok := json.NewDecoder(res.Body).Decode(&rd) == nil && rd.Leader != nil && *rd.Leader
	return ok, rd.LeaderSince
}

// waitLeader waits until one of ps leads and returns it.
func waitLeader(t *testing.T, ps []*process, within time.Duration) *process {
	t.Helper()
	return waitLeaderSince(t, ps, time.Time{}, within)
}

// waitLeaderSince waits until one of ps has led since after and returns it.
func waitLeaderSince(t *testing.T, ps []*process, after time.Time, within time.Duration) *process {
	t.Helper()
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		for _, p := range ps {
			if ok, since := leads(p); ok && since.After(after) {
				return p
			}
		}
	}
	t.Fatalf("no replica became the leader within %v", within)
	return nil
}

// TestLeaderFailover kills the leader of three replicas on PostgreSQL:
// first by its own failpoint between a digest's intent and its send, as
// the digests fall due, then ten more times with SIGKILL, starting a new
// replica each time, and last restarts PostgreSQL itself. Another replica
// must lead within 15 s each time; every digest appears exactly once, and
// every mention sent meanwhile is answered exactly once.
func TestLeaderFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("runs policybot binaries on PostgreSQL, waiting for a real minute")
	}
	const secret = "failover-signing-secret"
	bin := buildBinary(t)
	api := newKeepingSlack(t, 0)
	db := pg.Database(t)
	dir := t.TempDir()
	at, hhmm := bottest.SoonMinute(time.Now(), 15*time.Second)
	cfg := filepath.Join(dir, "policybot.yaml")
	yaml := "digest:\n  subscriptions:\n"
	const digests = 3
	for i := range digests {
		yaml += fmt.Sprintf("    - platform: slack\n      conversation: C0FAIL%d\n      time: %q\n      zone: UTC\n", i, hhmm)
	}
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	start := func(extra ...string) *process {
		env := binaryEnv(t, api, t.TempDir(), secret, append([]string{"POLICYBOT_DB=" + db, "POLICYBOT_CONFIG=" + cfg}, extra...)...)
		p := startProcess(t, bin, env)
		waitReady(t, p)
		return p
	}

	// The first leader dies between a digest's intent and its send.
	first := start("POLICYBOT_TEST_FAILPOINT=digest-before-send")
	if waitLeader(t, []*process{first}, 15*time.Second) != first {
		t.Fatal("the only replica is not the leader")
	}
	live := []*process{start(), start()}
	var takeovers []time.Duration
	select {
	case err := <-first.exited:
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("the first leader ended with %v, want SIGKILL at its failpoint\n%s", err, first.log.String())
		}
	case <-time.After(time.Until(at) + 45*time.Second):
		t.Fatalf("digests due at %s: the first leader never reached its failpoint\n%s", hhmm, first.log.String())
	}
	// It died before its first send, and no other replica could lead
	// while it held the lock.
	if n := digestPosts(api); n != 0 {
		t.Fatalf("%d digests posted when the first leader died before sending", n)
	}
	died := time.Now()
	waitLeader(t, live, 15*time.Second)
	takeovers = append(takeovers, time.Since(died))

	// Mentions to the replicas that live, between kills: each answered once.
	var keys []string
	mention := func(p *process, round, n int) {
		for i := range n {
			id := fmt.Sprintf("EvFail%02d%02d", round, i)
			keys = append(keys, id)
			body := eventJSON(id, map[string]any{"type": "app_mention", "user": "U1",
				"text": "<@" + testBotUser + "> what is co-governance?", "channel": "C0TALK", "ts": fmt.Sprintf("1700000300.%04d%02d", round, i)})
			req := signedRequest(p.base+"/slack/events", "application/json", body, secret, time.Now())
			res, err := http.DefaultClient.Do(req)
			if err != nil || res.StatusCode != http.StatusOK {
				t.Fatalf("mention %s refused: %v %v", id, res, err)
			}
			res.Body.Close()
		}
	}

	const kills = 10
	for round := range kills {
		leader := waitLeader(t, live, 15*time.Second)
		follower := live[slices.IndexFunc(live, func(p *process) bool { return p != leader })]
		mention(follower, round, 5)
		_ = leader.cmd.Process.Kill()
		<-leader.exited
		died := time.Now()
		live = slices.DeleteFunc(live, func(p *process) bool { return p == leader })
		waitLeader(t, live, 15*time.Second)
		takeovers = append(takeovers, time.Since(died))
		live = append(live, start())
	}

	// The digests: the leader that took over from the failpoint waits
	// out the dead one's attempt, then sends; nobody sends twice.
	for deadline := time.Now().Add(90 * time.Second); digestPosts(api) < digests; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d digests posted 90 s after they fell due", digestPosts(api), digests)
		}
	}

	// PostgreSQL restarts: the replicas reconnect and carry on.
	if err := pg.Server(t).Restart(context.Background()); err != nil {
		t.Fatal(err)
	}
	restarted := time.Now()
	waitLeaderSince(t, live, restarted, 30*time.Second)
	t.Logf("a leader again %v after PostgreSQL restarted", time.Since(restarted).Round(time.Millisecond))
	for i, p := range live {
		waitReady(t, p)
		mention(p, kills+i, 5)
	}

	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		missing := 0
		for _, k := range keys {
			if api.answers(k) == 0 {
				missing++
			}
		}
		if missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d mentions unanswered after 60 s", missing, len(keys))
		}
	}
	for _, p := range live {
		p.stop(t)
	}
	doubled := 0
	for _, k := range keys {
		if n := api.answers(k); n != 1 {
			doubled++
			t.Errorf("mention %s answered %d times", k, n)
		}
	}
	if n := digestPosts(api); n != digests {
		t.Errorf("%d digests posted; want each of the %d exactly once", n, digests)
	}
	sorted := slices.Clone(takeovers)
	slices.Sort(sorted)
	t.Logf("%d leader deaths: takeover p50 %v, worst %v (all: %v); %d mentions, %d doubled, %d digests",
		len(takeovers), sorted[len(sorted)/2].Round(time.Millisecond), sorted[len(sorted)-1].Round(time.Millisecond), takeovers, len(keys), doubled, digestPosts(api))
	if worst := sorted[len(sorted)-1]; worst > 15*time.Second {
		t.Errorf("a takeover took %v; the limit is 15 s", worst)
	}
}
