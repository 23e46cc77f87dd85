package matrix_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"maunium.net/go/mautrix/crypto/utils"
	"maunium.net/go/mautrix/id"
)

// Helpers for the cross-signing tests (crosssign_test.go): a policybot
// process per test account, and the js client's side of a conversation.

const (
	jsPassword = "js-password-123"
	keyWait    = 90 * time.Second // mautrix waits up to 25s for a missing room key
)

// xbot is one policybot process for a test's own account.
type xbot struct {
	t    *testing.T
	user id.UserID
	proc *botProc
	from int64 // log offset at this process's start
}

// startXBot runs policybot as user with the state file db; extra env
// and serve args are added. With ready it waits for /readyz.
func startXBot(t *testing.T, user id.UserID, db string, ready bool, extra []string, args ...string) *xbot {
	t.Helper()
	logPath := filepath.Join(w.dir, user.Localpart()+".log")
	b := &xbot{t: t, user: user}
	if fi, err := os.Stat(logPath); err == nil {
		b.from = fi.Size()
	}
	env := append([]string{
		"POLICYBOT_MATRIX_USER=" + string(user),
		"POLICYBOT_DB=" + filepath.Join(w.dir, user.Localpart()+"-state", db),
		"POLICYBOT_MATRIX_ALLOWED_INVITERS=:" + w.server.ServerName,
	}, extra...)
	p, err := launchBotLog(context.Background(), env, ready, logPath, args...)
	if err != nil {
		t.Fatal(err)
	}
	b.proc = p
	t.Cleanup(b.stop)
	return b
}

func (b *xbot) stop() { b.proc.stop() }

// log is what this process has logged so far.
func (b *xbot) log() string { return logSince(b.t, b.proc.logPath, b.from) }

var deviceRE = regexp.MustCompile(`msg="matrix: syncing".* device=(\S+)`)

// device is the device ID this process syncs as.
func (b *xbot) device() id.DeviceID {
	b.t.Helper()
	m := deviceRE.FindStringSubmatch(b.log())
	if m == nil {
		b.t.Fatalf("no device in the log of %s; see %s", b.user, b.proc.logPath)
	}
	return id.DeviceID(m[1])
}

var recoveryRE = regexp.MustCompile(`policybot: Matrix recovery key for \S+ \(.*\): ([1-9A-HJ-NP-Za-km-z ]+)\n`)

// recoveryKeys lists the recovery keys this process printed.
func (b *xbot) recoveryKeys() []string {
	var out []string
	for _, m := range recoveryRE.FindAllStringSubmatch(b.log(), -1) {
		out = append(out, strings.TrimSpace(m[1]))
	}
	return out
}

// running reports whether the process is still up.
func (b *xbot) running() bool {
	select {
	case err := <-b.proc.done:
		b.proc.done <- err // keep it for stop
		return false
	default:
		return true
	}
}

// newJSUser makes an account for the js client and logs it in, with
// cross-signing bootstrapped as its isolation mode requires.
func newJSUser(t *testing.T, name string) *jsClient {
	t.Helper()
	if _, err := w.server.CreateUser(context.Background(), name, jsPassword, false); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	js := startJS(t, name)
	var who struct {
		DeviceID          string `json:"deviceId"`
		CrossSigningReady bool   `json:"crossSigningReady"`
	}
	js.must(t, 2*time.Minute, "login", map[string]any{"baseUrl": w.server.URL, "userId": name, "pass": jsPassword}, &who)
	t.Logf("node: js client %s started, logged in and bootstrapped cross-signing in %v (device %s, cross-signing ready %v)",
		name, time.Since(start).Round(time.Millisecond), who.DeviceID, who.CrossSigningReady)
	if !who.CrossSigningReady {
		t.Fatalf("js client's own cross-signing is not ready; see %s", js.log)
	}
	return js
}

// jsRoom creates an encrypted room from the js client and waits until
// the bot has joined it.
func jsRoom(t *testing.T, js *jsClient, bot id.UserID) string {
	t.Helper()
	var r struct {
		RoomID string `json:"roomId"`
	}
	js.must(t, 30*time.Second, "createRoom", map[string]any{"invite": bot, "name": t.Name()}, &r)
	js.must(t, replyWait+5*time.Second, "waitJoined", map[string]any{"roomId": r.RoomID, "userId": bot, "timeoutMs": replyWait.Milliseconds()}, nil)
	return r.RoomID
}

// waitDevice waits until the js client sees the bot's device with the
// wanted signedByOwner, and returns what it sees.
func waitDevice(t *testing.T, js *jsClient, bot id.UserID, dev id.DeviceID, signed bool) jsDevices {
	t.Helper()
	var d jsDevices
	if err := js.call(t, keyWait+5*time.Second, "waitDevice", map[string]any{
		"userId": bot, "deviceId": dev, "signedByOwner": signed, "timeoutMs": keyWait.Milliseconds(),
	}, &d); err != nil {
		var now jsDevices
		js.must(t, 30*time.Second, "devices", map[string]any{"userId": bot}, &now)
		t.Fatalf("%v\njs client sees: %s", err, now)
	}
	return d
}

// askJS sends a question from the js client and waits up to wait for
// the bot's reply (or a message of the bot's it cannot decrypt).
func askJS(t *testing.T, js *jsClient, room string, bot id.UserID, wait time.Duration) (string, jsEvent, time.Duration, error) {
	t.Helper()
	var sent struct {
		EventID string `json:"eventId"`
	}
	start := time.Now()
	js.must(t, 30*time.Second, "send", map[string]any{"roomId": room, "body": "!ask " + question}, &sent)
	var r jsEvent
	err := js.call(t, wait+10*time.Second, "waitReply", map[string]any{
		"roomId": room, "sender": bot, "eventId": sent.EventID, "timeoutMs": wait.Milliseconds(),
	}, &r)
	return sent.EventID, r, time.Since(start), err
}

// checkJSReply asserts that the js client decrypted the bot's reply and
// shows it from a device its owner cross-signed.
func checkJSReply(t *testing.T, r jsEvent, q string, dev id.DeviceID) {
	t.Helper()
	switch {
	case r.DecryptionFailure != nil:
		t.Fatalf("js client cannot decrypt the bot's reply: %s", *r.DecryptionFailure)
	case !r.Encrypted:
		t.Errorf("reply in an encrypted room was not encrypted")
	case r.MsgType != "m.notice" || r.InReplyTo != q:
		t.Errorf("reply is %q in reply to %q, want m.notice to %s", r.MsgType, r.InReplyTo, q)
	case !strings.Contains(r.Body, "> "):
		t.Errorf("reply quotes nothing: %q", r.Body)
	}
	if r.ShieldColour == nil || *r.ShieldColour != shieldNone || (r.ShieldReason != nil && *r.ShieldReason == shieldUnsignedDevice) {
		t.Errorf("js client shows the reply with shield colour %v reason %v, want none (a cross-signed sender device)", deref(r.ShieldColour), deref(r.ShieldReason))
	}
	if r.SenderDevice != "" && id.DeviceID(r.SenderDevice) != dev {
		t.Errorf("reply sent by device %s, want %s", r.SenderDevice, dev)
	}
}

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func randomRecoveryKey(t *testing.T) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return utils.EncodeBase58RecoveryKey(b)
}

// waitExit waits for the process to end by itself.
func (b *xbot) waitExit(d time.Duration) (error, bool) {
	select {
	case err := <-b.proc.done:
		b.proc.cmd = nil
		return err, true
	case <-time.After(d):
		return nil, false
	}
}

func describeExit(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return fmt.Sprint(err)
}
