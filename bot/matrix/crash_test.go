package matrix_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"maunium.net/go/mautrix/event"

	"github.com/policybot/policybot/bot/bottest"
)

// TestDigestCrash kills the real binary with SIGKILL at each point of a
// digest delivery (after the ledger records the intent but before the
// send; after the send but before the ledger records success), starts it
// again, and checks that the room shows exactly one digest: the restart
// looks for the earlier copy in the room's history (decrypting the bot's
// own message) and sends only if there is none, with the same
// transaction ID.
func TestDigestCrash(t *testing.T) {
	skipShort(t)
	for _, tc := range []struct {
		failpoint string
		sent      bool // whether the digest reached the room before the crash
	}{
		{"digest-before-send", false},
		{"digest-after-send", true},
	} {
		t.Run(tc.failpoint, func(t *testing.T) {
			a := w.alice
			room := newRoom(t, true, false)
			digests := func(e *event.Event) bool {
				return e.RoomID == room && e.Sender == w.bot && e.Type == event.EventMessage &&
					strings.Contains(e.Content.AsMessage().Body, "Daily quote")
			}
			at, hhmm := bottest.SoonMinute(time.Now(), 20*time.Second)
			cfg := filepath.Join(w.dir, "digest-"+tc.failpoint+".yaml")
			yaml := fmt.Sprintf("digest:\n  subscriptions:\n    - platform: matrix\n      conversation: %q\n      time: %q\n      zone: UTC\n", room, hhmm)
			if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			w.proc.stop()
			// Whatever happens here, the tests after this one get a bot.
			t.Cleanup(func() {
				if w.proc == nil || w.proc.cmd == nil {
					var err error
					if w.proc, err = startBot(ctx); err != nil {
						t.Errorf("restart the bot for the next tests: %v", err)
					}
				}
			})

			// First life: dies at the failpoint when the digest falls due.
			first, err := launchBot(ctx, []string{"POLICYBOT_CONFIG=" + cfg, "POLICYBOT_TEST_FAILPOINT=" + tc.failpoint}, false)
			if err != nil {
				t.Fatal(err)
			}
			wait := time.Until(at) + 2*time.Minute
			select {
			case err := <-first.done:
				var exit *exec.ExitError
				if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
					t.Fatalf("first run ended with %v, want SIGKILL at %s; see %s", err, tc.failpoint, first.logPath)
				}
			case <-time.After(wait):
				first.stop()
				t.Fatalf("digest due at %s UTC: still running %v later, the failpoint was never reached; see %s", hhmm, wait, first.logPath)
			}
			first.cmd = nil
			if tc.sent {
				a.waitFor(t, "the digest sent before the crash", replyWait, digests)
			}
			logStart := logSize(t, first.logPath)

			// Second life: finishes the delivery it finds in the ledger.
			if w.proc, err = launchBot(ctx, []string{"POLICYBOT_CONFIG=" + cfg}, true); err != nil {
				t.Fatal(err)
			}
			if err := bottest.WaitMetric("http://"+w.proc.addr, `policybot_digest_deliveries_total{platform="matrix"}`, 1, time.Minute); err != nil {
				t.Fatalf("%v; see %s", err, w.proc.logPath)
			}
			log := logSince(t, w.proc.logPath, logStart)
			if !strings.Contains(log, "retrying digest delivery") {
				t.Errorf("the restarted bot did not retry the delivery recorded in its ledger:\n%s", log)
			}
			// After the send, the restart must find the earlier copy in the
			// room's history (in this encrypted room: by decrypting its own
			// message) rather than rely on the homeserver's transaction IDs.
			if found := strings.Contains(log, "digest already posted; not posting again"); found != tc.sent {
				t.Errorf("restarted bot: found an earlier copy of the digest: %v, want %v:\n%s", found, tc.sent, log)
			}

			// A command answered after the digest proves alice's client has
			// caught up with everything the bot sent before it.
			crashes := w.server.Crashes()
			q := a.say(t, room, "!policy help")
			if a.lookFor(replyWait, replyTo(w.bot, q)) == nil {
				if w.server.Crashes() == crashes {
					t.Fatalf("reply after the digest: nothing arrived within %v; see %s", replyWait, w.proc.logPath)
				}
				// The test homeserver crashed while the question was on
				// its way (Dendrite v0.13 on SQLite; see matrixtest), and
				// took it along: ask once more. What is under test, one
				// digest, is counted below either way.
				t.Logf("Dendrite crashed while the bot was being asked; asking again")
				q = a.say(t, room, "!policy help")
				a.waitFor(t, "reply after the digest, asked again after a homeserver crash", 2*replyWait, replyTo(w.bot, q))
			}
			got := a.all(digests)
			if len(got) != 1 {
				t.Fatalf("%d digests in the room after a crash at %s, want exactly 1", len(got), tc.failpoint)
			}
			if c := got[0].Content.AsMessage(); c.MsgType != event.MsgNotice || !strings.Contains(c.FormattedBody, "<blockquote>") {
				t.Errorf("digest is %s without a quoted passage:\n%s", c.MsgType, c.FormattedBody)
			}
			if got[0].Mautrix.EventSource&event.SourceDecrypted == 0 {
				t.Error("digest in an encrypted room was not encrypted")
			}
		})
	}
}

func logSize(t *testing.T, path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

func logSince(t *testing.T, path string, from int64) string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b[from:])
}
