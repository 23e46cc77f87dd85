package matrix_test

// jsClient drives testdata/jsclient/client.mjs: matrix-js-sdk with its
// Rust crypto in OnlySignedDevicesIsolationMode, the mode of Element and
// the other clients that follow MSC4153. Its packages come from
// package-lock.json by `npm ci` (.ci/run does that).

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"github.com/policybot/policybot/bot/internal/npmtest"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/crypto/signatures"
	"maunium.net/go/mautrix/id"
)

type jsClient struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	mu    sync.Mutex
	next  int
	wait  map[int]chan jsAnswer
	dead  chan struct{}
	log   string
}

type jsAnswer struct {
	ID    int             `json:"id"`
	OK    json.RawMessage `json:"ok"`
	Error string          `json:"error"`
}

// startJS starts the Node client, installing its packages the first time,
// or skips the test when there is no node on this machine.
func startJS(t *testing.T, name string) *jsClient {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed, so the matrix-js-sdk client cannot run; install Node.js 20 or later and run npm ci in bot/matrix/testdata/jsclient")
	}
	dir, err := filepath.Abs(filepath.Join("testdata", "jsclient"))
	if err != nil {
		t.Fatal(err)
	}
	npmtest.Install(t, dir, "matrix-js-sdk")
	c := &jsClient{wait: map[int]chan jsAnswer{}, dead: make(chan struct{}), log: filepath.Join(w.dir, "jsclient-"+name+".log")}
	logf, err := os.Create(c.log)
	if err != nil {
		t.Fatal(err)
	}
	c.cmd = exec.Command(node, "client.mjs")
	c.cmd.Dir = dir
	c.cmd.Stderr = logf
	if c.stdin, err = c.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := c.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatalf("start node: %v", err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var a jsAnswer
			if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
				continue
			}
			c.mu.Lock()
			ch := c.wait[a.ID]
			delete(c.wait, a.ID)
			c.mu.Unlock()
			if ch != nil {
				ch <- a
			}
		}
		_ = c.cmd.Wait()
		logf.Close()
		close(c.dead)
	}()
	t.Cleanup(func() {
		c.stdin.Close() // the script stops its client and exits
		select {
		case <-c.dead:
		case <-time.After(10 * time.Second):
			_ = c.cmd.Process.Kill()
			<-c.dead
		}
	})
	return c
}

// call runs one command and decodes its answer into out (may be nil).
func (c *jsClient) call(t *testing.T, timeout time.Duration, cmd string, args map[string]any, out any) error {
	t.Helper()
	c.mu.Lock()
	c.next++
	n := c.next
	ch := make(chan jsAnswer, 1)
	c.wait[n] = ch
	c.mu.Unlock()
	req := map[string]any{"id": n, "cmd": cmd}
	for k, v := range args {
		req[k] = v
	}
	b, _ := json.Marshal(req)
	if _, err := c.stdin.Write(append(b, '\n')); err != nil {
		t.Fatalf("jsclient %s: %v; see %s", cmd, err, c.log)
	}
	select {
	case a := <-ch:
		if a.Error != "" {
			return fmt.Errorf("jsclient %s: %s", cmd, a.Error)
		}
		if out != nil {
			if err := json.Unmarshal(a.OK, out); err != nil {
				t.Fatalf("jsclient %s answer %s: %v", cmd, a.OK, err)
			}
		}
		return nil
	case <-c.dead:
		t.Fatalf("jsclient exited during %s; see %s", cmd, c.log)
	case <-time.After(timeout):
		t.Fatalf("jsclient %s: no answer within %v; see %s", cmd, timeout, c.log)
	}
	return nil
}

func (c *jsClient) must(t *testing.T, timeout time.Duration, cmd string, args map[string]any, out any) {
	t.Helper()
	if err := c.call(t, timeout, cmd, args, out); err != nil {
		t.Fatalf("%v; see %s", err, c.log)
	}
}

// jsDevices is what the js client believes about a user's devices.
type jsDevices struct {
	Devices []struct {
		DeviceID             string `json:"deviceId"`
		SignedByOwner        bool   `json:"signedByOwner"`
		CrossSigningVerified bool   `json:"crossSigningVerified"`
		IsVerified           bool   `json:"isVerified"`
	} `json:"devices"`
	MasterKey         string `json:"masterKey"`
	UserVerified      bool   `json:"userVerified"`
	WasVerified       bool   `json:"wasVerified"`
	NeedsUserApproval bool   `json:"needsUserApproval"`
}

// verified reports whether the js client counts dev as verified through
// cross-signing: signed by its owner, whose identity the js user verified.
func (d jsDevices) verified(dev id.DeviceID) bool {
	for _, x := range d.Devices {
		if x.DeviceID == string(dev) {
			return x.SignedByOwner && x.CrossSigningVerified
		}
	}
	return false
}

func (d jsDevices) String() string {
	var parts []string
	for _, x := range d.Devices {
		parts = append(parts, fmt.Sprintf("%s signedByOwner=%v crossSigningVerified=%v", x.DeviceID, x.SignedByOwner, x.CrossSigningVerified))
	}
	return fmt.Sprintf("master key %s, user verified %v (before: %v), needs approval %v; devices: %s", d.MasterKey, d.UserVerified, d.WasVerified, d.NeedsUserApproval, strings.Join(parts, "; "))
}

// jsEvent is one event as the js client shows it.
type jsEvent struct {
	EventID           string  `json:"eventId"`
	Type              string  `json:"type"`
	Encrypted         bool    `json:"encrypted"`
	DecryptionFailure *string `json:"decryptionFailure"`
	MsgType           string  `json:"msgtype"`
	Body              string  `json:"body"`
	InReplyTo         string  `json:"inReplyTo"`
	SenderDevice      string  `json:"senderDevice"`
	ShieldColour      *int    `json:"shieldColour"`
	ShieldReason      *int    `json:"shieldReason"`
}

// Shield values of matrix-js-sdk's EventShieldColour and EventShieldReason.
const (
	shieldNone           = 0
	shieldUnsignedDevice = 2
)

// ownKeys is the bot's identity as /keys/query shows it to anyone.
type ownKeys struct {
	master, selfSigning id.Ed25519
	signed              map[id.DeviceID]bool // device → signed by the self-signing key
	masterSigners       []string             // who signed the master key
}

func (k ownKeys) String() string {
	var parts []string
	for d, ok := range k.signed {
		parts = append(parts, fmt.Sprintf("%s signed_by_self_signing_key=%v", d, ok))
	}
	return fmt.Sprintf("master_key=%s (signed by %s) self_signing_key=%s devices: %s", k.master, strings.Join(k.masterSigners, ", "), k.selfSigning, strings.Join(parts, ", "))
}

// queryKeys asks the homeserver, as alice, for user's published keys.
func queryKeys(t *testing.T, user id.UserID) ownKeys {
	t.Helper()
	resp, err := w.alice.cli.QueryKeys(context.Background(), &mautrix.ReqQueryKeys{
		DeviceKeys: mautrix.DeviceKeysRequest{user: mautrix.DeviceIDList{}},
	})
	if err != nil {
		t.Fatalf("keys/query %s: %v", user, err)
	}
	k := ownKeys{signed: map[id.DeviceID]bool{}}
	if mk, ok := resp.MasterKeys[user]; ok {
		k.master = mk.FirstKey()
		for signer, sigs := range mk.Signatures {
			for keyID := range sigs {
				k.masterSigners = append(k.masterSigners, string(signer)+"/"+string(keyID))
			}
		}
	}
	if sk, ok := resp.SelfSigningKeys[user]; ok {
		k.selfSigning = sk.FirstKey()
	}
	for dev, keys := range resp.DeviceKeys[user] {
		ok := false
		if k.selfSigning != "" {
			ok, _ = signatures.VerifySignatureJSON(keys, user, k.selfSigning.String(), k.selfSigning)
		}
		k.signed[dev] = ok
	}
	return k
}
