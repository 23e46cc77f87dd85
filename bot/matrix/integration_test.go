package matrix_test

// These tests drive the real policybot binary against a real homeserver
// (Dendrite, built once and cached by matrixtest) with an independent
// client as the human. They need only Go and the module proxy; -short
// skips them.

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/policybot/policybot/bot/matrix/matrixtest"
)

const (
	botPassword   = "bot-password-123"
	humanPassword = "human-password-123"
	replyWait     = 45 * time.Second
)

// world is the shared fixture: one homeserver, the bot binary, users.
type world struct {
	dir    string
	binary string
	server *matrixtest.Server
	bot    id.UserID
	alice  *human
	bob    *human
	carol  *human // not an allowed inviter
	proc   *botProc
}

var w *world

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		os.Exit(m.Run())
	}
	code, err := runWithWorld(m)
	pg.Stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "matrix integration fixture:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func runWithWorld(m *testing.M) (int, error) {
	// The first run builds Dendrite: minutes on a fresh machine.
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Minute)
	defer cancel()
	dir, err := os.MkdirTemp("", "policybot-matrix-it-")
	if err != nil {
		return 0, err
	}
	// MATRIX_IT_KEEP=1 keeps the logs and state of a passing run too.
	keep := os.Getenv("MATRIX_IT_KEEP") != ""
	defer func() {
		if !keep {
			os.RemoveAll(dir)
		}
	}()
	w = &world{dir: dir, binary: filepath.Join(dir, "policybot")}
	build := exec.CommandContext(ctx, "go", "build", "-tags", "goolm", "-o", w.binary, "./cmd/policybot")
	build.Dir = moduleRoot()
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("build policybot: %w\n%s", err, out)
	}
	if w.server, err = matrixtest.Start(ctx, filepath.Join(dir, "dendrite")); err != nil {
		return 0, err
	}
	defer w.server.Stop()
	for _, u := range []string{"policybot", "alice", "bob", "carol"} {
		pw := humanPassword
		if u == "policybot" {
			pw = botPassword
		}
		if _, err := w.server.CreateUser(ctx, u, pw, false); err != nil {
			return 0, err
		}
	}
	w.bot = id.UserID("@policybot:" + w.server.ServerName)
	for _, p := range []struct {
		h    **human
		name string
	}{{&w.alice, "alice"}, {&w.bob, "bob"}, {&w.carol, "carol"}} {
		if *p.h, err = newHuman(ctx, w.server.URL, p.name, humanPassword, dir); err != nil {
			return 0, err
		}
		defer (*p.h).close()
	}
	if w.proc, err = startBot(ctx); err != nil {
		return 0, err
	}
	defer func() { w.proc.stop() }()
	code := m.Run()
	fmt.Fprintf(os.Stderr, "note: dendrite logged %d \"database is locked\" errors during the tests\n", w.server.BusyErrors())
	if n := w.server.Crashes(); n > 0 {
		fmt.Fprintf(os.Stderr, "note: dendrite crashed %d time(s) during the tests and was started again (%d of them ended by the harness for a stuck database connection); see %s\n", n, w.server.Stuck(), w.server.Dir())
	}
	if code != 0 || keep {
		keep = true
		fmt.Fprintf(os.Stderr, "kept %s for inspection (bot log: %s, dendrite: %s)\n", dir, w.proc.logPath, w.server.Dir())
	}
	return code, nil
}

func moduleRoot() string {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "../.."
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

// botProc is a running policybot serve.
type botProc struct {
	cmd     *exec.Cmd
	done    chan error
	addr    string
	logPath string
}

func startBot(ctx context.Context) (*botProc, error) {
	return launchBot(ctx, nil, true)
}

// launchBot starts policybot serve with the fixture's configuration plus
// extra environment; with ready it waits until the bot is ready.
func launchBot(ctx context.Context, extra []string, ready bool) (*botProc, error) {
	return launchBotLog(ctx, extra, ready, filepath.Join(w.dir, "policybot.log"))
}

// launchBotLog is launchBot with its own log file and serve arguments;
// extra may override any of the fixture's variables (the last value of a
// variable wins).
func launchBotLog(ctx context.Context, extra []string, ready bool, logPath string, args ...string) (*botProc, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	l.Close()
	p := &botProc{addr: addr, logPath: logPath, done: make(chan error, 1)}
	logf, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(w.binary, append([]string{"serve"}, args...)...)
	// The bot sees only the configuration given here, none from the
	// environment of the test run.
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "POLICYBOT_") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env,
		"POLICYBOT_MATRIX_HOMESERVER="+w.server.URL,
		"POLICYBOT_MATRIX_USER="+string(w.bot),
		"POLICYBOT_MATRIX_PASSWORD="+botPassword,
		"POLICYBOT_MATRIX_PICKLE_KEY=integration-test-pickle-key",
		"POLICYBOT_MATRIX_ALLOWED_INVITERS=@alice:localhost,@bob:localhost",
		"POLICYBOT_DB="+filepath.Join(w.dir, "state", "policybot.db"),
		"POLICYBOT_HTTP_ADDR="+addr,
		"POLICYBOT_LOG_LEVEL=debug",
		"POLICYBOT_LOG_FORMAT=text",
	)
	cmd.Env = append(cmd.Env, extra...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	p.cmd = cmd
	go func() { p.done <- cmd.Wait(); logf.Close() }()
	if !ready {
		return p, nil
	}
	// Ready means logged in, encryption set up and synced once.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		select {
		case err := <-p.done:
			return nil, fmt.Errorf("policybot exited during start-up (%v); see %s", err, p.logPath)
		case <-ctx.Done():
			p.stop() // leave no process behind
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.stop()
			return nil, fmt.Errorf("policybot not ready after 2m; see %s", p.logPath)
		}
	}
}

func (p *botProc) stop() {
	if p == nil || p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
	p.cmd = nil
}

// rss is the bot process's resident memory in bytes.
func (p *botProc) rss(t testing.TB) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		t.Fatalf("read bot memory: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			var kb float64
			fmt.Sscan(f[1], &kb)
			return kb * 1024
		}
	}
	t.Fatal("no VmRSS in /proc status")
	return 0
}

func skipShort(t testing.TB) {
	if testing.Short() {
		t.Skip("integration test against a real homeserver; runs without -short")
	}
}

// newRoom makes a room owned by alice, with the given extra members
// joined, invites the bot and waits until it has joined.
func newRoom(t testing.TB, encrypted, direct bool, members ...*human) id.RoomID {
	t.Helper()
	ctx := context.Background()
	req := &mautrix.ReqCreateRoom{Preset: "private_chat", Name: t.Name()}
	if encrypted {
		req.InitialState = []*event.Event{{
			Type:    event.StateEncryption,
			Content: event.Content{Parsed: &event.EncryptionEventContent{Algorithm: id.AlgorithmMegolmV1}},
		}}
	}
	var invite []id.UserID
	for _, m := range members {
		invite = append(invite, m.cli.UserID)
	}
	req.Invite = invite
	resp, err := w.alice.cli.CreateRoom(ctx, req)
	if err != nil {
		t.Fatalf("create room: %v", err)
	}
	for _, m := range members {
		if _, err := m.cli.JoinRoomByID(ctx, resp.RoomID); err != nil {
			t.Fatalf("join: %v", err)
		}
		w.alice.waitFor(t, "member joins", replyWait, joined(m.cli.UserID, resp.RoomID))
	}
	inv := &mautrix.ReqInviteUser{UserID: w.bot}
	if direct {
		_, err = w.alice.cli.SendStateEvent(ctx, resp.RoomID, event.StateMember, string(w.bot),
			&event.MemberEventContent{Membership: event.MembershipInvite, IsDirect: true})
	} else {
		_, err = w.alice.cli.InviteUser(ctx, resp.RoomID, inv)
	}
	if err != nil {
		t.Fatalf("invite bot: %v", err)
	}
	w.alice.waitFor(t, "bot joins "+string(resp.RoomID), replyWait, joined(w.bot, resp.RoomID))
	return resp.RoomID
}

// checkReply asserts the shape every reply has and returns its content.
func checkReply(t testing.TB, reply *event.Event, question id.EventID) *event.MessageEventContent {
	t.Helper()
	c := reply.Content.AsMessage()
	if c.MsgType != event.MsgNotice {
		t.Errorf("reply msgtype %q, want m.notice", c.MsgType)
	}
	if c.RelatesTo.GetReplyTo() != question {
		t.Errorf("reply in_reply_to %q, want %q", c.RelatesTo.GetReplyTo(), question)
	}
	if c.Mentions == nil || len(c.Mentions.UserIDs) != 1 || c.Mentions.UserIDs[0] != w.alice.cli.UserID {
		t.Errorf("reply mentions %+v, want the asker", c.Mentions)
	}
	if c.Format != event.FormatHTML || c.FormattedBody == "" || c.Body == "" {
		t.Errorf("reply lacks an HTML body: format %q body %q", c.Format, c.Body)
	}
	return c
}
