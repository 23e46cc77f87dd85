package slack

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer collects a child process's stderr while tests read it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// buildBinary builds cmd/policybot the way it ships (goolm, no cgo).
func buildBinary(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "policybot")
	cmd := exec.Command("go", "build", "-tags", "goolm", "-o", bin, "./cmd/policybot")
	cmd.Dir = filepath.Join("..", "..")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/policybot: %v\n%s", err, out)
	}
	return bin
}

func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestBinaryHTTPMode runs the real policybot binary in Slack HTTP mode
// against a fake Slack Web API and talks to it as Slack would: a signed
// /principle sovereignty must be acknowledged, with its answer, within
// Slack's 3 seconds, and a mention must be answered at the Web API.
func TestBinaryHTTPMode(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the policybot binary")
	}
	bin := buildBinary(t)
	api := newFakeSlack(t)
	addr := freeAddr(t)
	dir := t.TempDir()
	const secret = "e2e-signing-secret"

	p := startProcess(t, bin, binaryEnv(t, api, dir, secret, "POLICYBOT_HTTP_ADDR="+addr))
	base := p.base
	waitReady(t, p)

	// A slash command, signed now with the app's secret.
	body := commandForm("/principle", "sovereignty", "C1", api.hookURL())
	t0 := time.Now()
	res, err := http.DefaultClient.Do(signedRequest(base+"/slack/commands", formType, body, secret, time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(res.Body)
	res.Body.Close()
	ack := time.Since(t0)
	t.Logf("/principle sovereignty acknowledged in %v", ack)
	if ack > 3*time.Second {
		t.Errorf("acknowledged after %v; Slack gives up after 3s", ack)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s\n%s", res.StatusCode, out, p.log.String())
	}
	var answer struct {
		ResponseType string          `json:"response_type"`
		Text         string          `json:"text"`
		Blocks       json.RawMessage `json:"blocks"`
	}
	if len(bytes.TrimSpace(out)) > 0 {
		if err := json.Unmarshal(out, &answer); err != nil {
			t.Fatalf("acknowledgement is not JSON: %v: %.300s", err, out)
		}
	} else {
		// An empty ack means the answer went to the response_url.
		c := api.next(t)
		answer.ResponseType, _ = c.JSON["response_type"].(string)
		answer.Text, _ = c.JSON["text"].(string)
	}
	if answer.ResponseType != "ephemeral" || !strings.Contains(strings.ToLower(answer.Text), "sovereignty") {
		t.Fatalf("answer = %q (%s), want an ephemeral quote about sovereignty", answer.Text, answer.ResponseType)
	}

	// A forged request is refused.
	res, err = http.DefaultClient.Do(signedRequest(base+"/slack/commands", formType, body, "wrong", time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("forged request: status %d, want 401", res.StatusCode)
	}

	// A mention is answered in its thread through the Web API.
	ev := eventJSON("EvE2E", map[string]any{"type": "app_mention", "user": "U1", "text": "<@" + testBotUser + "> principle sovereignty", "ts": "1700000001.000200", "channel": "C1"})
	res, err = http.DefaultClient.Do(signedRequest(base+"/slack/events", "application/json", ev, secret, time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("event status %d", res.StatusCode)
	}
	post := api.next(t)
	if post.Path != "/chat.postMessage" || post.Form.Get("thread_ts") != "1700000001.000200" || !strings.Contains(strings.ToLower(post.Form.Get("text")), "sovereignty") {
		t.Fatalf("posted %s %v", post.Path, post.Form)
	}

	// SIGTERM: a clean exit.
	p.stop(t)
}

// waitReady polls /readyz until the bot is ready, the process exits, or
// 30 s pass. This is a real process starting, so it takes real time.
func waitReady(t testing.TB, p *process) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-p.exited:
			t.Fatalf("policybot exited before it was ready: %v\n%s", err, p.log.String())
		default:
		}
		res, err := http.Get(p.base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("policybot not ready after 30s\n%s", p.log.String())
}
