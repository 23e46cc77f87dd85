package main

import (
	"bufio"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/slack-go/slack/slacktest"

	"github.com/policybot/policybot/bot/store/pgtest"
)

// The binary is built once, on first use, by the tests that run it, with
// the shipped build's tags; TestMain removes it.
var binary struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// pg is the PostgreSQL cluster of the tests that need one, started by the
// first of them.
var pg pgtest.Lazy

func TestMain(m *testing.M) {
	code := m.Run()
	pg.Stop()
	if binary.dir != "" {
		os.RemoveAll(binary.dir)
	}
	os.Exit(code)
}

func policybotBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	binary.once.Do(func() {
		binary.dir, binary.err = os.MkdirTemp("", "policybot-bin")
		if binary.err != nil {
			return
		}
		binary.path = filepath.Join(binary.dir, "policybot")
		cmd := exec.Command("go", "build", "-tags", "goolm", "-o", binary.path, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			binary.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binary.err != nil {
		t.Fatal(binary.err)
	}
	return binary.path
}

// logLines collects the JSON log lines of a running binary.
type logLines struct {
	mu    sync.Mutex
	lines []map[string]any
	raw   strings.Builder
	added chan struct{}
}

func (l *logLines) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		var m map[string]any
		_ = json.Unmarshal(sc.Bytes(), &m) // non-JSON lines are kept raw only
		l.mu.Lock()
		l.raw.WriteString(sc.Text() + "\n")
		if m != nil {
			l.lines = append(l.lines, m)
		}
		l.mu.Unlock()
		select {
		case l.added <- struct{}{}:
		default:
		}
	}
	close(l.added)
}

// waitFor returns the first line whose msg is msg, waiting for the process
// to write it (or to exit, which closes added).
func (l *logLines) waitFor(t *testing.T, msg string) map[string]any {
	t.Helper()
	timeout := time.After(60 * time.Second)
	for {
		l.mu.Lock()
		for _, m := range l.lines {
			if m["msg"] == msg {
				l.mu.Unlock()
				return m
			}
		}
		l.mu.Unlock()
		select {
		case _, ok := <-l.added:
			if !ok {
				t.Fatalf("the process ended without logging %q:\n%s", msg, l.String())
			}
		case <-timeout:
			t.Fatalf("no %q log line after 60s:\n%s", msg, l.String())
		}
	}
}

func (l *logLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.raw.String()
}

// TestServeBinary runs the real binary in Slack HTTP mode against
// slack-go's fake Web API and checks what an operator relies on: the
// endpoints, a signed slash command answered and counted, the reply
// logged without the question, no secret in the log, and SIGTERM → exit 0.
func TestServeBinary(t *testing.T) {
	bin := policybotBinary(t)
	api := slacktest.NewTestServer()
	api.Start()
	defer api.Stop()

	const (
		token  = "xoxb-1111-2222-BINARYSECRETTOKEN"
		secret = "0123456789abcdefBINARYSECRETSIGN"
	)
	dir := t.TempDir()
	cmd := exec.Command(bin, "serve")
	cmd.Env = []string{
		"HOME=" + dir,
		"PATH=" + os.Getenv("PATH"),
		"POLICYBOT_SLACK_BOT_TOKEN=" + token,
		"POLICYBOT_SLACK_SIGNING_SECRET=" + secret,
		"POLICYBOT_SLACK_API_URL=" + api.GetAPIURL(),
		"POLICYBOT_HTTP_ADDR=127.0.0.1:0",
		"POLICYBOT_DATA_DIR=" + dir,
		"POLICYBOT_LOG_FORMAT=json",
		"POLICYBOT_SHUTDOWN_TIMEOUT=5s",
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	logs := &logLines{added: make(chan struct{}, 1)}
	go func() {
		logs.read(stderr)
		exited <- cmd.Wait()
	}()
	defer func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
		}
	}()

	addr, _ := logs.waitFor(t, "policybot is running")["http_addr"].(string)
	if addr == "" {
		t.Fatalf("no http_addr logged:\n%s", logs)
	}
	base := "http://" + addr

	if code, body := httpGet(t, base+"/healthz"); code != 200 || !strings.Contains(body, `"status": "ok"`) {
		t.Errorf("/healthz = %d %s", code, body)
	}
	// Ready once auth.test has succeeded against the fake API.
	logs.waitFor(t, "slack: authenticated")
	var rd readiness
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, body := httpGet(t, base+"/readyz")
		if err := json.Unmarshal([]byte(body), &rd); err != nil {
			t.Fatalf("/readyz not JSON: %s", body)
		}
		if code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz never became 200: %d %s", code, body)
		}
		time.Sleep(20 * time.Millisecond) // readiness flips just after the auth log line
	}
	if !rd.Ready || !rd.Platforms["slack"].Ready || !rd.Database.Ready {
		t.Errorf("/readyz = %+v", rd)
	}

	// A signed slash command, as Slack sends it.
	form := url.Values{
		"command": {"/policy"}, "text": {"ask who should govern the internet"},
		"channel_id": {"C0123456789"}, "user_id": {"U0123"}, "user_name": {"alice"},
		"team_id": {"T1"}, "trigger_id": {"1.2.3"}, "response_url": {api.GetAPIURL() + "response"},
	}.Encode()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", ts, form)
	req, _ := http.NewRequest(http.MethodPost, base+"/slack/commands", strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("slash command = %d %s", resp.StatusCode, answer)
	}
	replied := logs.waitFor(t, "replied")
	if replied["platform"] != "slack" || replied["conversation"] != "C0123456789" {
		t.Errorf("reply log line = %v", replied)
	}
	if _, ok := replied["paragraphs"].([]any); !ok {
		t.Errorf("reply log line lacks paragraphs: %v", replied)
	}

	code, metrics := httpGet(t, base+"/metrics")
	if code != 200 {
		t.Fatalf("/metrics = %d", code)
	}
	kind, _ := replied["kind"].(string)
	outcome := map[string]string{"answer": outcomeAnswered, "decline": outcomeDeclined, "info": outcomeInfo, "error": outcomeError}[kind]
	want := fmt.Sprintf(`policybot_questions_total{outcome="%s",platform="slack"} 1`, outcome)
	for _, w := range []string{want, `policybot_answer_duration_seconds_count{platform="slack"} 1`, `policybot_reconnects_total{platform="slack"} 0`, `go_sql_max_open_connections{db_name="state"}`} {
		if !strings.Contains(metrics, w) {
			t.Errorf("/metrics lacks %q", w)
		}
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		var ee *exec.ExitError
		if errors.As(err, &ee) || err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, logs)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("still running 30s after SIGTERM:\n%s", logs)
	}
	all := logs.String()
	if !strings.Contains(all, "state database closed") {
		t.Errorf("no clean close logged:\n%s", all)
	}
	for _, s := range []string{"BINARYSECRET", "who should govern"} {
		if strings.Contains(all, s) {
			t.Errorf("the log contains %q:\n%s", s, all)
		}
	}
}

// TestBinaryRefusesBadConfig: the binary exits 1 before touching anything
// when the configuration is wrong, naming the key and the fix.
func TestBinaryRefusesBadConfig(t *testing.T) {
	bin := policybotBinary(t)
	cmd := exec.Command(bin, "serve")
	cmd.Env = []string{"HOME=" + t.TempDir(), "POLICYBOT_SLACK_BOT_TOKEN=xapp-1-SECRETAPP", "POLICYBOT_SLACK_APP_TOKEN=xoxb-2-SECRETBOT"}
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("exit = %v, want 1:\n%s", err, out)
	}
	for _, w := range []string{"slack.bot_token ($POLICYBOT_SLACK_BOT_TOKEN): is an app-level token", "slack.app_token ($POLICYBOT_SLACK_APP_TOKEN): is a bot token"} {
		if !strings.Contains(string(out), w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	if strings.Contains(string(out), "SECRET") {
		t.Errorf("a secret leaked:\n%s", out)
	}
}
