package matrix_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"

	"github.com/policybot/policybot/bot/matrix/matrixtest"
)

// These tests talk to the bot from matrix-js-sdk in
// OnlySignedDevicesIsolationMode (jsclient_test.go), which gives room keys
// only to devices their owner has cross-signed: what Element does since
// MSC4153. Each uses a bot account of its own, so the shared fixture's bot
// is left alone.

// TestJSClientUnsignedBotGetsNoKeys is the control: with cross-signing
// turned off in the bot (the test-only switch), the js client sees the
// bot's device as not signed by its owner, withholds its room key, and
// the bot cannot read the question, so no answer comes.
func TestJSClientUnsignedBotGetsNoKeys(t *testing.T) {
	skipShort(t)
	botUser := createBotUser(t, "plainbot")
	js := newJSUser(t, "erin")
	b := startXBot(t, botUser, "policybot.db", true, []string{"POLICYBOT_TEST_NO_CROSS_SIGNING=1"})
	dev := b.device()
	keys := queryKeys(t, botUser)
	t.Logf("keys/query for %s with cross-signing off: %s", botUser, keys)
	if keys.master != "" || keys.signed[dev] {
		t.Fatalf("cross-signing is off, yet keys/query shows %s", keys)
	}
	room := jsRoom(t, js, botUser)
	seen := waitDevice(t, js, botUser, dev, false)
	t.Logf("js client sees %s: %s", botUser, seen)

	var sent struct {
		EventID string `json:"eventId"`
	}
	js.must(t, 30*time.Second, "send", map[string]any{"roomId": room, "body": "!ask " + question}, &sent)
	// The positive signal: the bot got the message, and the key for it was
	// withheld from its device.
	waitLog(t, b, "cannot decrypt message", sent.EventID, keyWait)
	line := logLine(b.log(), "cannot decrypt message", sent.EventID)
	t.Logf("bot log: %s", line)
	if !strings.Contains(line, "withheld: m.unverified") {
		t.Errorf("the bot's decryption error does not say the key was withheld as m.unverified: %s", line)
	}
	// Having no key, the bot cannot have answered; the js client confirms.
	var r jsEvent
	if err := js.call(t, 15*time.Second, "waitReply", map[string]any{
		"roomId": room, "sender": botUser, "eventId": sent.EventID, "timeoutMs": 2000,
	}, &r); err == nil && r.DecryptionFailure == nil {
		t.Fatalf("the bot answered a question whose key was withheld: %+v", r)
	}
	t.Log("js client: no answer from the unsigned bot, as expected")
}

// TestJSClientCrossSignedBot follows one bot account through its life:
// first start (identity created, device signed, recovery key printed
// once), a restart (nothing new signed), a new state file with the
// recovery key (new device, same identity), a new state file without it
// (runs unsigned and says what to do, once), and a wrong recovery key
// (stops with a clear message). The js client must get its answers
// whenever the device is signed.
func TestJSClientCrossSignedBot(t *testing.T) {
	skipShort(t)
	botUser := createBotUser(t, "xbot")
	js := newJSUser(t, "dana")

	// First start: identity created and the device signed.
	b := startXBot(t, botUser, "first.db", true, nil)
	dev1 := b.device()
	keys := queryKeys(t, botUser)
	t.Logf("keys/query after first start: %s", keys)
	if keys.master == "" || !keys.signed[dev1] {
		t.Fatalf("after the first start keys/query shows %s, want a master key and device %s signed", keys, dev1)
	}
	master := keys.master
	rks := b.recoveryKeys()
	if len(rks) != 1 {
		t.Fatalf("recovery key printed %d times on first start, want once; see %s", len(rks), b.proc.logPath)
	}
	rk := rks[0]
	if n := strings.Count(b.log(), rk); n != 1 {
		t.Errorf("the recovery key appears %d times in the bot's output, want only the one print", n)
	}
	room := jsRoom(t, js, botUser)
	t.Logf("js client after first start: %s", waitDevice(t, js, botUser, dev1, true))
	// dana verifies the bot's identity, as after an emoji verification, so
	// the bot's cross-signed devices are verified devices to her client.
	var seen jsDevices
	js.must(t, 30*time.Second, "verifyUser", map[string]any{"userId": botUser}, &seen)
	t.Logf("js client after verifying %s: %s; keys/query: %s", botUser, seen, queryKeys(t, botUser))
	if !seen.UserVerified || !seen.verified(dev1) {
		t.Fatalf("after verifying the bot's identity the js client does not count %s as verified: %s", dev1, seen)
	}
	q, r, took, err := askJS(t, js, room, botUser, replyWait)
	if err != nil {
		t.Fatalf("no answer from the cross-signed bot: %v; see %s and %s", err, b.proc.logPath, js.log)
	}
	t.Logf("node: question to decrypted answer in %v (shield colour %v)", took.Round(time.Millisecond), deref(r.ShieldColour))
	checkJSReply(t, r, q, dev1)

	// Restart with the same state file: same device, same identity,
	// nothing signed anew.
	b.stop()
	b = startXBot(t, botUser, "first.db", true, nil)
	if d := b.device(); d != dev1 {
		t.Fatalf("restart changed the device from %s to %s", dev1, d)
	}
	keys = queryKeys(t, botUser)
	t.Logf("keys/query after restart: %s", keys)
	if keys.master != master || !keys.signed[dev1] {
		t.Errorf("after a restart keys/query shows %s, want master %s and %s signed", keys, master, dev1)
	}
	if log := b.log(); strings.Contains(log, "signed this device") || strings.Contains(log, "published a cross-signing identity") || len(b.recoveryKeys()) != 0 {
		t.Errorf("the restart signed or created something:\n%s", grepLog(log, "cross-sign"))
	}
	q, r, took, err = askJS(t, js, room, botUser, replyWait)
	if err != nil {
		t.Fatalf("no answer after the restart: %v", err)
	}
	seen = waitDevice(t, js, botUser, dev1, true)
	t.Logf("js client after restart: %s; answer in %v", seen, took.Round(time.Millisecond))
	checkJSReply(t, r, q, dev1)
	if !seen.verified(dev1) {
		t.Errorf("after the restart the js client no longer counts %s as verified: %s", dev1, seen)
	}

	// New state file, recovery key configured: a new device, signed by
	// the same identity.
	b.stop()
	b = startXBot(t, botUser, "second.db", true, []string{"POLICYBOT_MATRIX_RECOVERY_KEY=" + rk})
	dev2 := b.device()
	keys = queryKeys(t, botUser)
	t.Logf("keys/query after a new device with the recovery key: %s", keys)
	if dev2 == dev1 || keys.master != master || !keys.signed[dev2] {
		t.Fatalf("new state file with the recovery key: device %s (was %s), keys/query %s; want a new device signed under master %s", dev2, dev1, keys, master)
	}
	if strings.Contains(b.log(), rk) {
		t.Errorf("the configured recovery key appears in the bot's output")
	}
	seen = waitDevice(t, js, botUser, dev2, true)
	t.Logf("js client after the new device: %s", seen)
	if !seen.verified(dev2) {
		t.Errorf("the js client does not count the new device %s as verified, though its identity is the one it verified: %s", dev2, seen)
	}
	q, r, took, err = askJS(t, js, room, botUser, replyWait)
	if err != nil {
		t.Fatalf("no answer from the new device: %v; see %s", err, b.proc.logPath)
	}
	t.Logf("node: answer from the new device in %v", took.Round(time.Millisecond))
	checkJSReply(t, r, q, dev2)

	// An access-token login (no password) on a new state file with the
	// recovery key: signing a device needs no password.
	b.stop()
	token, tokenDev := loginToken(t, botUser)
	b = startXBot(t, botUser, "token.db", true, []string{
		"POLICYBOT_MATRIX_PASSWORD=", "POLICYBOT_MATRIX_ACCESS_TOKEN=" + token, "POLICYBOT_MATRIX_RECOVERY_KEY=" + rk,
	})
	if d := b.device(); d != tokenDev {
		t.Fatalf("access-token bot syncs as %s, want the token's device %s", d, tokenDev)
	}
	keys = queryKeys(t, botUser)
	t.Logf("keys/query after an access-token login with the recovery key: %s", keys)
	if keys.master != master || !keys.signed[tokenDev] {
		t.Fatalf("access token with the recovery key: keys/query %s; want %s signed under master %s", keys, tokenDev, master)
	}
	if seen = waitDevice(t, js, botUser, tokenDev, true); !seen.verified(tokenDev) {
		t.Errorf("the js client does not count the access-token device %s as verified: %s", tokenDev, seen)
	}
	q, r, _, err = askJS(t, js, room, botUser, replyWait)
	if err != nil {
		t.Fatalf("no answer from the access-token device: %v", err)
	}
	checkJSReply(t, r, q, tokenDev)

	// New state file without the key: the bot keeps running unsigned and
	// says once what to do; no crash, no loop.
	b.stop()
	b = startXBot(t, botUser, "third.db", true, nil)
	dev3 := b.device()
	const advice = "this device is NOT cross-signed"
	waitLog(t, b, advice, "", 30*time.Second)
	seen = waitDevice(t, js, botUser, dev3, false)
	keys = queryKeys(t, botUser)
	t.Logf("keys/query after a new device without the recovery key: %s; js client: %s", keys, seen)
	if keys.master != master || keys.signed[dev3] {
		t.Errorf("without the recovery key keys/query shows %s, want master %s and %s unsigned", keys, master, dev3)
	}
	line := logLine(b.log(), advice, "")
	for _, want := range []string{"matrix.recovery_key", "POLICYBOT_MATRIX_RECOVERY_KEY", "--reset-matrix-identity"} {
		if !strings.Contains(line, want) {
			t.Errorf("the message does not mention %s: %s", want, line)
		}
	}
	if !b.running() {
		t.Fatalf("the bot exited without the recovery key; see %s", b.proc.logPath)
	}
	if n := strings.Count(b.log(), advice); n != 1 || len(b.recoveryKeys()) != 0 {
		t.Errorf("message logged %d times and %d recovery keys printed, want once and none", n, len(b.recoveryKeys()))
	}
	t.Logf("bot without the recovery key: %s", line)

	// The documented fix: the same state file, now with the recovery key.
	// The start finds its device unsigned and signs it.
	b.stop()
	b = startXBot(t, botUser, "third.db", true, []string{"POLICYBOT_MATRIX_RECOVERY_KEY=" + rk})
	if d := b.device(); d != dev3 {
		t.Fatalf("restart changed the device from %s to %s", dev3, d)
	}
	keys = queryKeys(t, botUser)
	t.Logf("keys/query after restarting that device with the recovery key: %s", keys)
	if keys.master != master || !keys.signed[dev3] || !strings.Contains(b.log(), "signed this device with the existing cross-signing identity") {
		t.Errorf("restart with the recovery key did not sign the existing device %s: %s", dev3, keys)
	}
	if seen = waitDevice(t, js, botUser, dev3, true); !seen.verified(dev3) {
		t.Errorf("the js client does not count the re-signed device %s as verified: %s", dev3, seen)
	}

	// A recovery key that does not unlock the published identity: stop,
	// once, with a clear message.
	b.stop()
	b = startXBot(t, botUser, "fourth.db", false, []string{"POLICYBOT_MATRIX_RECOVERY_KEY=" + randomRecoveryKey(t)})
	err, exited := b.waitExit(2 * time.Minute)
	if !exited {
		t.Fatalf("a wrong recovery key did not stop the bot; see %s", b.proc.logPath)
	}
	log := b.log()
	t.Logf("wrong recovery key: %s; %s", describeExit(err), firstLine(grepLog(log, "cross-signing identity is not the one")))
	if err == nil || !strings.Contains(log, "is not the one policybot holds the keys for") || !strings.Contains(log, "--reset-matrix-identity") {
		t.Errorf("wrong recovery key: %s, want exit status 1 and the mismatch message:\n%s", describeExit(err), log)
	}
	if n := strings.Count(log, "will retry"); n != 0 {
		t.Errorf("the bot retried %d times before stopping", n)
	}
	if keys := queryKeys(t, botUser); keys.master != master {
		t.Errorf("a wrong recovery key changed the published identity: %s", keys)
	}

	// The documented way out when the key is lost: reset the identity
	// with the password. A new master key, this device signed, the new
	// recovery key printed once; the js client talks to it again.
	b = startXBot(t, botUser, "fifth.db", true, nil, "--reset-matrix-identity")
	dev5 := b.device()
	keys = queryKeys(t, botUser)
	t.Logf("keys/query after --reset-matrix-identity: %s", keys)
	if keys.master == "" || keys.master == master || !keys.signed[dev5] || keys.signed[dev1] {
		t.Fatalf("after a reset keys/query shows %s; want a new master key (not %s) that signed %s only", keys, master, dev5)
	}
	if n := len(b.recoveryKeys()); n != 1 {
		t.Errorf("the reset printed %d recovery keys, want 1", n)
	}
	seen = waitDevice(t, js, botUser, dev5, true)
	t.Logf("js client after the reset: %s", seen)
	// dana had verified the old identity: her client refuses to encrypt
	// for the new one until she accepts the change, as Element asks to.
	if err := js.call(t, 30*time.Second, "send", map[string]any{"roomId": room, "body": "!ask " + question}, nil); err == nil {
		t.Errorf("the js client sent to the bot after its verified identity was replaced (%s)", seen)
	} else {
		t.Logf("js client's send after the reset, before accepting the new identity: %s", firstLine(err))
	}
	js.must(t, 30*time.Second, "withdrawVerification", map[string]any{"userId": botUser}, &seen)
	t.Logf("js client after withdrawing verification: %s", seen)
	q, r, took, err = askJS(t, js, room, botUser, replyWait)
	if err != nil {
		t.Fatalf("no answer after the reset: %v; see %s", err, js.log)
	}
	t.Logf("node: answer after the reset in %v", took.Round(time.Millisecond))
	checkJSReply(t, r, q, dev5)
	// The flag left in place changes nothing at the next start.
	b.stop()
	b = startXBot(t, botUser, "fifth.db", true, nil, "--reset-matrix-identity")
	if k := queryKeys(t, botUser); k.master != keys.master || len(b.recoveryKeys()) != 0 {
		t.Errorf("a second start with --reset-matrix-identity reset again: %s", k)
	}

	// The first state file still holds the old identity's recovery key:
	// the published identity no longer matches it, so that bot stops.
	b.stop()
	b = startXBot(t, botUser, "first.db", false, nil)
	err, exited = b.waitExit(2 * time.Minute)
	if !exited {
		t.Fatalf("a state file whose recovery key no longer matches did not stop the bot; see %s", b.proc.logPath)
	}
	if log := b.log(); err == nil || !strings.Contains(log, "is not the one policybot holds the keys for") {
		t.Errorf("stale stored recovery key: %s, want exit status 1 and the mismatch message:\n%s", describeExit(err), grepLog(log, "cross-sign"))
	} else {
		t.Logf("stale stored recovery key: %s; %s", describeExit(err), firstLine(grepLog(log, "is not the one policybot")))
	}
}

// TestAccessTokenWithoutIdentity: a bot with only an access token, on an
// account without a cross-signing identity, cannot publish one (that takes
// the password); it runs unsigned and says so once, without exiting.
func TestAccessTokenWithoutIdentity(t *testing.T) {
	skipShort(t)
	botUser := createBotUser(t, "tokenbot")
	token, dev := loginToken(t, botUser)
	b := startXBot(t, botUser, "policybot.db", true, []string{"POLICYBOT_MATRIX_PASSWORD=", "POLICYBOT_MATRIX_ACCESS_TOKEN=" + token})
	const advice = "cannot create a cross-signing identity without the account password"
	waitLog(t, b, advice, "", 30*time.Second)
	keys := queryKeys(t, botUser)
	t.Logf("keys/query for an access-token bot without identity: %s", keys)
	if keys.master != "" || keys.signed[dev] {
		t.Errorf("keys/query shows %s, want no identity", keys)
	}
	if !b.running() || strings.Count(b.log(), advice) != 1 || len(b.recoveryKeys()) != 0 {
		t.Errorf("want the bot running, the message once and no recovery key; see %s", b.proc.logPath)
	}
}

// loginToken logs in as user with a new device, as an operator would to
// make an access token, and leaves that session to the bot.
func loginToken(t *testing.T, user id.UserID) (string, id.DeviceID) {
	t.Helper()
	cli, err := mautrix.NewClient(w.server.URL, "", "")
	if err != nil {
		t.Fatal(err)
	}
	cli.Client = &http.Client{Transport: matrixtest.Transport(http.DefaultTransport)}
	resp, err := cli.Login(t.Context(), &mautrix.ReqLogin{
		Type:       mautrix.AuthTypePassword,
		Identifier: mautrix.UserIdentifier{Type: mautrix.IdentifierTypeUser, User: user.Localpart()},
		Password:   botPassword,
	})
	if err != nil {
		t.Fatal(err)
	}
	return resp.AccessToken, resp.DeviceID
}

// createBotUser registers a bot account for one test.
func createBotUser(t *testing.T, name string) id.UserID {
	t.Helper()
	u, err := w.server.CreateUser(t.Context(), name, botPassword, false)
	if err != nil {
		t.Fatal(err)
	}
	return id.UserID(u)
}

// waitLog waits until the bot's log has a line containing both words.
func waitLog(t *testing.T, b *xbot, word, also string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for logLine(b.log(), word, also) == "" {
		if time.Now().After(deadline) {
			t.Fatalf("no %q %s in the bot's log within %v; see %s", word, also, d, b.proc.logPath)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func logLine(log, word, also string) string {
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, word) && strings.Contains(l, also) {
			return l
		}
	}
	return ""
}

func grepLog(log, word string) string {
	var out []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, word) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// firstLine is the first line of an error or text, for the test log.
func firstLine(v any) string {
	s := ""
	switch x := v.(type) {
	case error:
		s = x.Error()
	case string:
		s = x
	}
	first, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return first
}
