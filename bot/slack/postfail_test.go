package slack

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestBinaryFailedPost runs the real binary against a fake Web API whose
// first chat.postMessage fails, and checks that the mention is answered
// exactly once: after a 500, a 503 or a reset connection the answer is
// posted again; after a 500 that Slack answered only once it had kept the
// message, the bot finds its answer in the thread by the metadata key and
// does not post it again. The count is taken after SIGTERM, when the bot
// has finished everything in flight.
func TestBinaryFailedPost(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the policybot binary")
	}
	bin := buildBinary(t)
	for _, tc := range []struct {
		fault string
		posts int // chat.postMessage calls, the failed one included
	}{
		{"500", 2},
		{"503", 2},
		{"reset", 2},
		{"500-recorded", 1},
	} {
		t.Run(tc.fault, func(t *testing.T) {
			t.Parallel()
			api := newFakeSlack(t)
			api.keepPosts = true
			api.faults = []string{tc.fault}
			dir := t.TempDir()
			const secret = "fault-signing-secret"
			p := startProcess(t, bin, binaryEnv(t, api, dir, secret))
			waitReady(t, p)

			const eventID = "EvFault1"
			ev := eventJSON(eventID, map[string]any{"type": "app_mention", "user": "U1", "text": "<@" + testBotUser + "> principle sovereignty", "ts": "1700000001.000300", "channel": "C1"})
			res, err := http.DefaultClient.Do(signedRequest(p.base+"/slack/events", "application/json", ev, secret, time.Now()))
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				t.Fatalf("event status %d\n%s", res.StatusCode, p.log.String())
			}
			deadline := time.Now().Add(30 * time.Second)
			for api.answers(eventID) == 0 {
				select {
				case err := <-p.exited:
					t.Fatalf("policybot exited (%v) before answering\n%s", err, p.log.String())
				default:
				}
				if time.Now().After(deadline) {
					t.Fatalf("no answer within 30s of a failed post (%s)\n%s", tc.fault, p.log.String())
				}
				time.Sleep(20 * time.Millisecond)
			}
			p.stop(t) // drains what is in flight

			if n := api.answers(eventID); n != 1 {
				t.Errorf("%d answers in the thread after a failed post (%s), want exactly 1\n%s", n, tc.fault, p.log.String())
			}
			posts := 0
			for _, c := range api.recorded() {
				if strings.HasPrefix(c.Path, "/chat.postMessage") {
					posts++
				}
			}
			if posts != tc.posts {
				t.Errorf("%d chat.postMessage calls, want %d\n%s", posts, tc.posts, p.log.String())
			}
			if tc.fault == "500-recorded" && !strings.Contains(p.log.String(), "had been posted after all") {
				t.Errorf("the bot did not say it found its earlier answer:\n%s", p.log.String())
			}
		})
	}
}
