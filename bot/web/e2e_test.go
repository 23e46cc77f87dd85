package web_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/policybot/policybot/bot/bottest"

	"github.com/slack-go/slack/slacktest"

	"github.com/policybot/policybot/bot/slack"
)

// The real binary, run in Slack HTTP mode against slack-go's fake Web API,
// with the statement page, a public URL and insights on.
const (
	signingSecret = "web-e2e-signing-secret"
	insightsToken = "web-e2e-insights-token-0123"
)

type bot struct {
	base  string
	views chan string // trigger IDs of views.open calls to the fake Slack
	cmd   *exec.Cmd
	log   *bottest.Buffer
	done  chan error
}

func startBot(t *testing.T) *bot {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "policybot")
	build := exec.Command("go", "build", "-tags", "goolm", "-o", bin, "./cmd/policybot")
	build.Dir = filepath.Join("..", "..")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/policybot: %v\n%s", err, out)
	}
	views := make(chan string, 10)
	api := slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/views.open", func(w http.ResponseWriter, r *http.Request) {
			var req struct {
				TriggerID string `json:"trigger_id"`
			}
			_ = json.NewDecoder(r.Body).Decode(&req)
			views <- req.TriggerID
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"ok":true,"view":{"id":"V1"}}`))
		})
	})
	api.Start()
	t.Cleanup(api.Stop)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	b := &bot{base: "http://" + addr, views: views, log: &bottest.Buffer{}, done: make(chan error, 1)}
	b.cmd = exec.Command(bin, "serve")
	b.cmd.Env = []string{
		"HOME=" + dir, "PATH=" + os.Getenv("PATH"),
		"POLICYBOT_SLACK_BOT_TOKEN=xoxb-test",
		"POLICYBOT_SLACK_SIGNING_SECRET=" + signingSecret,
		"POLICYBOT_SLACK_API_URL=" + api.GetAPIURL(),
		"POLICYBOT_HTTP_ADDR=" + addr,
		"POLICYBOT_DB=" + filepath.Join(dir, "state.db"),
		"POLICYBOT_PUBLIC_URL=" + "http://" + addr,
		"POLICYBOT_INSIGHTS_TOKEN=" + insightsToken,
		"POLICYBOT_INSIGHTS_KEEP_QUESTIONS=true",
		"POLICYBOT_LOG_FORMAT=text",
		"POLICYBOT_LOG_LEVEL=debug",
	}
	b.cmd.Stdout, b.cmd.Stderr = b.log, b.log
	if err := b.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { b.done <- b.cmd.Wait() }()
	t.Cleanup(func() {
		_ = b.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-b.done:
		case <-time.After(20 * time.Second):
			_ = b.cmd.Process.Kill()
		}
		if t.Failed() {
			t.Logf("policybot log:\n%s", b.log.String())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(b.base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return b
			}
		}
		select {
		case err := <-b.done:
			t.Fatalf("policybot exited before it was ready: %v\n%s", err, b.log.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("policybot not ready after 30s\n%s", b.log.String())
		}
	}
}

// slack posts a form body to one of the Slack endpoints, signed as Slack
// signs it, and returns the response body.
func (b *bot) slack(t *testing.T, path, body string) []byte {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(body))
	ts := fmt.Sprint(time.Now().Unix())
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", slack.SignatureHeader(signingSecret, ts, []byte(body)))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: %d %s", path, res.StatusCode, out)
	}
	return out
}

// slackAnswer is a slash command's answer: its mrkdwn texts and the
// values of its buttons by action ID.
type slackAnswer struct {
	texts   []string
	buttons map[string]string
}

func (b *bot) ask(t *testing.T, question string) slackAnswer {
	t.Helper()
	body := url.Values{
		"command": {"/policy"}, "text": {"ask " + question}, "user_id": {"U1"}, "user_name": {"ann"},
		"channel_id": {"C1"}, "channel_name": {"general"}, "response_url": {b.base + "/nowhere"},
	}.Encode()
	var ack struct {
		Blocks []struct {
			Text     *struct{ Text string } `json:"text"`
			Elements []struct {
				Text     any    `json:"text"`
				ActionID string `json:"action_id"`
				Value    string `json:"value"`
			} `json:"elements"`
		} `json:"blocks"`
	}
	out := b.slack(t, "/slack/commands", body)
	if err := json.Unmarshal(out, &ack); err != nil {
		t.Fatalf("slash command answer is not JSON: %v\n%s", err, out)
	}
	a := slackAnswer{buttons: map[string]string{}}
	for _, blk := range ack.Blocks {
		if blk.Text != nil {
			a.texts = append(a.texts, blk.Text.Text)
		}
		for _, el := range blk.Elements {
			if s, ok := el.Text.(string); ok {
				a.texts = append(a.texts, s)
			}
			if el.ActionID != "" {
				a.buttons[el.ActionID] = el.Value
			}
		}
	}
	return a
}

func (b *bot) click(t *testing.T, user, actionID, value string) {
	t.Helper()
	p, _ := json.Marshal(map[string]any{
		"type": "block_actions", "trigger_id": "trigger-" + user, "user": map[string]any{"id": user}, "channel": map[string]any{"id": "C1"},
		"actions": []map[string]any{{"action_id": actionID, "value": value, "type": "button"}},
	})
	if out := b.slack(t, "/slack/interactivity", url.Values{"payload": {string(p)}}.Encode()); len(out) != 0 {
		t.Errorf("click acknowledged with a body: %s", out)
	}
}

// submitReason sends the "what was wrong" form as Slack does.
func (b *bot) submitReason(t *testing.T, user, ref, text string) {
	t.Helper()
	sub, _ := json.Marshal(map[string]any{
		"type": "view_submission", "user": map[string]any{"id": user},
		"view": map[string]any{"callback_id": "policybot_vote_reason", "private_metadata": ref,
			"state": map[string]any{"values": map[string]any{"reason": map[string]any{"text": map[string]any{"type": "plain_text_input", "value": text}}}}},
	})
	if out := b.slack(t, "/slack/interactivity", url.Values{"payload": {string(sub)}}.Encode()); len(out) != 0 {
		t.Errorf("form submission answered %s, want an empty 200", out)
	}
}

func (b *bot) get(t *testing.T, path string, header ...string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.base+path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(out)
}

// waitInsights polls /insights until it contains every want, for clicks
// that are recorded after their acknowledgement.
func (b *bot) waitInsights(t *testing.T, want ...string) string {
	t.Helper()
	var body string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		_, body = b.get(t, "/insights", "Authorization", "Bearer "+insightsToken)
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(body, w)
		}
		if ok {
			return body
		}
	}
	t.Fatalf("/insights never showed %q:\n%s", want, body)
	return ""
}

var citationLink = regexp.MustCompile(`<(http://127\.0\.0\.1:\d+/#p(\d+))\|`)

// TestSlackFeedbackEndToEnd clicks 👍/👎 under a real Slack answer through
// the signed interactivity endpoint and reads the votes in /insights; a
// second click by the same person does not count twice.
func TestSlackFeedbackEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the policybot binary")
	}
	b := startBot(t)
	a := b.ask(t, "who should govern the internet?")
	ref := a.buttons["policybot_vote_down"]
	if ref == "" || a.buttons["policybot_vote_up"] != ref {
		t.Fatalf("answer has no 👍/👎 buttons with one reference: %v", a.buttons)
	}
	if m := citationLink.FindStringSubmatch(strings.Join(a.texts, "\n")); m == nil {
		t.Errorf("no citation link to the page in the Slack answer: %q", a.texts)
	}
	b.click(t, "U1", "policybot_vote_down", ref)
	b.click(t, "U1", "policybot_vote_down", ref) // the same person again
	b.click(t, "U2", "policybot_vote_up", ref)
	// The 👎 opened the "what was wrong" form, once; U1 fills it in.
	select {
	case trigger := <-b.views:
		if trigger != "trigger-U1" {
			t.Errorf("form opened for %q, want U1's click", trigger)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the 👎 did not open the 'what was wrong' form")
	}
	b.submitReason(t, "U1", ref, "it quoted <sovereignty> too")
	body := b.waitInsights(t, "<tr><td>slack</td><td>1</td><td>1</td></tr>", "who should govern the internet?", "“it quoted &lt;sovereignty&gt; too”")
	// The 👎 answer is listed with its question and the paragraphs quoted.
	if !regexp.MustCompile(`<td>who should govern the internet\?</td><td><a href="\./#p\d+"`).MatchString(body) {
		t.Errorf("the down-voted answer is not listed with its question and paragraphs:\n%s", body)
	}
	// A click on an answer the bot never gave is not counted.
	b.click(t, "U3", "policybot_vote_down", "no-such-answer")
	b.ask(t, "peace") // an answer after the clicks, so they have been handled
	time.Sleep(200 * time.Millisecond)
	select {
	case trigger := <-b.views:
		t.Errorf("a second form opened (trigger %q): a repeated or unknown 👎 must not ask again", trigger)
	default:
	}
	if _, body := b.get(t, "/insights", "Authorization", "Bearer "+insightsToken); !strings.Contains(body, "<tr><td>slack</td><td>1</td><td>1</td></tr>") {
		t.Errorf("votes changed after a click on an unknown answer:\n%s", body)
	}
	if code, metrics := b.get(t, "/metrics"); code != 200 || !strings.Contains(metrics, `policybot_feedback_total{platform="slack",vote="down"} 1`) ||
		!strings.Contains(metrics, `policybot_questions_total{outcome="answered",platform="slack"} 2`) {
		t.Errorf("metrics lack the feedback or outcome counters:\n%s", grep(metrics, "policybot_feedback_total|policybot_questions_total"))
	}
}

func grep(s, pattern string) string {
	re := regexp.MustCompile(pattern)
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if re.MatchString(l) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
