package matrix_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"maunium.net/go/mautrix/id"

	"github.com/policybot/policybot/bot/store/pgtest"
)

// pg is the PostgreSQL cluster of the tests that need one.
var pg pgtest.Lazy

// leading asks a replica's /readyz whether it leads.
func leading(p *botProc) bool {
	res, err := http.Get("http://" + p.addr + "/readyz")
	if err != nil {
		return false
	}
	defer res.Body.Close()
	var rd struct {
		Leader *bool `json:"leader"`
	}
	return json.NewDecoder(res.Body).Decode(&rd) == nil && rd.Leader != nil && *rd.Leader
}

// TestReplicasMatrixFailover runs two replicas of the bot on one
// PostgreSQL database, the crypto store included, in an encrypted room.
// Only the leader syncs. A burst of questions, SIGKILL of the leader at
// its first answer: the other replica takes over the same device within
// 15 s, answers every question exactly once, and replays nothing asked
// before.
func TestReplicasMatrixFailover(t *testing.T) {
	skipShort(t)
	a := w.alice
	ctx := context.Background()
	db := pg.Database(t)
	w.proc.stop()
	t.Cleanup(func() {
		var err error
		if w.proc, err = startBot(ctx); err != nil {
			t.Errorf("restart the bot for the next tests: %v", err)
		}
	})
	replica := func(name string) *botProc {
		p, err := launchBotLog(ctx, []string{"POLICYBOT_DB=" + db}, false, filepath.Join(w.dir, name+".log"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(p.stop)
		return p
	}
	first := replica("replica-1")
	for deadline := time.Now().Add(2 * time.Minute); !leading(first); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the first replica never led; see %s", first.logPath)
		}
	}
	second := replica("replica-2")
	room := newRoom(t, true, false)
	before := a.say(t, room, "!ask "+question)
	a.waitFor(t, "an answer from the leader", replyWait, replyTo(w.bot, before))
	if leading(second) {
		t.Fatal("both replicas lead")
	}

	const n = 12
	var qs []id.EventID
	for i := range n {
		qs = append(qs, a.say(t, room, fmt.Sprintf("!ask %s (%d)", question, i)))
	}
	a.waitFor(t, "a first answer of the burst", replyWait, replyTo(w.bot, qs[0]))
	_ = first.cmd.Process.Kill()
	<-first.done
	first.cmd = nil
	died := time.Now()
	for !leading(second) {
		if time.Since(died) > 15*time.Second {
			t.Fatalf("the second replica did not lead within 15 s; see %s", second.logPath)
		}
		time.Sleep(20 * time.Millisecond)
	}
	took := time.Since(died)
	for _, q := range qs {
		a.waitFor(t, "an answer after the takeover", replyWait, replyTo(w.bot, q))
	}
	after := a.say(t, room, "!policy help")
	a.waitFor(t, "a reply from the new leader", replyWait, replyTo(w.bot, after))

	// PostgreSQL restarts under the leader: it stops Matrix, and once
	// the server is back a replica leads again and syncs the same device.
	mark := logSize(t, second.logPath)
	if err := pg.Server(t).Restart(ctx); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		log := logSince(t, second.logPath, mark)
		if i := strings.Index(log, "stopping Matrix sync and digests now"); i >= 0 && strings.Contains(log[i:], "this replica is the leader") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the leader did not step down and lead again within 30 s of PostgreSQL's restart:\n%s", log)
		}
	}
	later := a.say(t, room, "!ask "+question)
	a.waitFor(t, "an answer after PostgreSQL restarted", replyWait, replyTo(w.bot, later))
	for _, q := range append([]id.EventID{before, after, later}, qs...) {
		if got := len(a.all(replyTo(w.bot, q))); got != 1 {
			t.Errorf("question %s answered %d times, want once", q, got)
		}
	}
	log := logSince(t, second.logPath, 0)
	t.Logf("takeover %v; the new leader answered %d from the inbox, found %d already posted",
		took.Round(time.Millisecond), strings.Count(log, "answering a question received before the restart"), strings.Count(log, "the reply had been posted already"))
}
