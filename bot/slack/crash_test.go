package slack

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/policybot/policybot/bot/bottest"
)

// TestDigestCrash kills the real binary with SIGKILL at each point of a
// digest delivery (after the ledger records the intent but before the
// send; after the send but before the ledger records success), starts it
// again, and checks that the channel shows exactly one digest. The fake
// Web API keeps posted messages in the channel's history, with their
// metadata, as Slack does: that is what the restarted bot must consult.
func TestDigestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the policybot binary, waiting for a real minute")
	}
	bin := buildBinary(t)
	for _, tc := range []struct {
		failpoint    string
		postsAtCrash int // digests in the channel when the process died
	}{
		{"digest-before-send", 0},
		{"digest-after-send", 1},
	} {
		t.Run(tc.failpoint, func(t *testing.T) {
			t.Parallel()
			api := newFakeSlack(t)
			api.keepPosts = true
			dir := t.TempDir()
			at, hhmm := bottest.SoonMinute(time.Now(), 15*time.Second)
			cfg := filepath.Join(dir, "policybot.yaml")
			yaml := fmt.Sprintf("digest:\n  subscriptions:\n    - platform: slack\n      conversation: C0CRASHTEST\n      time: %q\n      zone: UTC\n", hhmm)
			if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			env := []string{
				"HOME=" + dir, "PATH=" + os.Getenv("PATH"),
				"POLICYBOT_CONFIG=" + cfg,
				"POLICYBOT_SLACK_BOT_TOKEN=xoxb-test",
				"POLICYBOT_SLACK_SIGNING_SECRET=crash-test-secret",
				"POLICYBOT_SLACK_API_URL=" + api.url(),
				"POLICYBOT_DB=" + filepath.Join(dir, "state.db"),
				"POLICYBOT_LOG_FORMAT=text",
			}

			// First life: dies at the failpoint when the digest falls due.
			first := startProcess(t, bin, append(env, "POLICYBOT_TEST_FAILPOINT="+tc.failpoint, "POLICYBOT_HTTP_ADDR="+freeAddr(t)))
			wait := time.Until(at) + 45*time.Second
			select {
			case err := <-first.exited:
				var exit *exec.ExitError
				if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
					t.Fatalf("first run ended with %v, want SIGKILL at %s\n%s", err, tc.failpoint, first.log.String())
				}
			case <-time.After(wait):
				t.Fatalf("digest due at %s: still running %v later, the failpoint was never reached\n%s", hhmm, wait, first.log.String())
			}
			if got := digestPosts(api); got != tc.postsAtCrash {
				t.Fatalf("%d digests posted when the process died at %s, want %d", got, tc.failpoint, tc.postsAtCrash)
			}

			// Second life: finishes the delivery it finds in the ledger.
			second := startProcess(t, bin, append(env, "POLICYBOT_HTTP_ADDR="+freeAddr(t)))
			waitReady(t, second)
			if err := bottest.WaitMetric(second.base, `policybot_digest_deliveries_total{platform="slack"}`, 1, time.Minute); err != nil {
				t.Fatalf("%v\n%s", err, second.log.String())
			}
			second.stop(t)

			// Third life: nothing left to do, nothing posted again. Its
			// scheduler says when it has looked at its queue and found the
			// subscription next due in the future; a digest still owed
			// would have been sent (and requeued) before that line.
			third := startProcess(t, bin, append(env, "POLICYBOT_HTTP_ADDR="+freeAddr(t), "POLICYBOT_LOG_LEVEL=debug"))
			waitReady(t, third)
			waitLog(t, third, "digest: nothing due; waiting for the next digest", 30*time.Second)
			third.stop(t)

			if got := digestPosts(api); got != 1 {
				t.Errorf("%d digests in the channel after a crash at %s and two restarts, want exactly 1\n%s", got, tc.failpoint, second.log.String())
			}
			if tc.postsAtCrash == 1 && !strings.Contains(second.log.String(), "already posted") {
				t.Errorf("the restarted bot did not find its earlier digest in the channel history:\n%s", second.log.String())
			}
		})
	}
}

// waitLog waits until the process has logged a line containing want.
func waitLog(t *testing.T, p *process, want string, within time.Duration) {
	t.Helper()
	deadline := time.After(within)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !strings.Contains(p.log.String(), want) {
		select {
		case err := <-p.exited:
			t.Fatalf("policybot exited (%v) before logging %q\n%s", err, want, p.log.String())
		case <-deadline:
			t.Fatalf("policybot did not log %q within %v\n%s", want, within, p.log.String())
		case <-tick.C:
		}
	}
}

// digestPosts counts chat.postMessage calls that carried a digest.
func digestPosts(f *fakeSlack) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if c.Path == "/chat.postMessage" && strings.Contains(c.Form.Get("metadata"), digestEventType) {
			n++
		}
	}
	return n
}

// process is a running policybot serve.
type process struct {
	cmd    *exec.Cmd
	base   string
	log    *lockedBuffer
	exited chan error
}

// binaryEnv is the environment of a policybot serve in HTTP mode against
// api, with its state in dir and requests signed with secret; extra adds
// to it (a later value of a variable wins).
func binaryEnv(t testing.TB, api *fakeSlack, dir, secret string, extra ...string) []string {
	return append([]string{
		"HOME=" + dir, "PATH=" + os.Getenv("PATH"),
		"POLICYBOT_SLACK_BOT_TOKEN=xoxb-test",
		"POLICYBOT_SLACK_SIGNING_SECRET=" + secret,
		"POLICYBOT_SLACK_API_URL=" + api.url(),
		"POLICYBOT_HTTP_ADDR=" + freeAddr(t),
		"POLICYBOT_DB=" + filepath.Join(dir, "state.db"),
		"POLICYBOT_LOG_FORMAT=text",
	}, extra...)
}

func startProcess(t testing.TB, bin string, env []string) *process {
	t.Helper()
	p := &process{log: &lockedBuffer{}, exited: make(chan error, 1)}
	for _, kv := range env {
		if addr, ok := strings.CutPrefix(kv, "POLICYBOT_HTTP_ADDR="); ok {
			p.base = "http://" + addr
		}
	}
	p.cmd = exec.Command(bin, "serve")
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.exited <- p.cmd.Wait() }()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
		}
	})
	return p
}

// stop sends SIGTERM and expects a clean exit.
func (p *process) stop(t testing.TB) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.exited:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v\n%s", err, p.log.String())
		}
	case <-time.After(20 * time.Second):
		t.Errorf("still running 20s after SIGTERM\n%s", p.log.String())
		_ = p.cmd.Process.Kill()
	}
}
