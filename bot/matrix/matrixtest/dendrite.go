// Package matrixtest runs a real Matrix homeserver (Dendrite, SQLite, on
// loopback, no federation) for integration tests. Dendrite is built once
// from the Go module proxy and cached in the user cache directory.
package matrixtest

import (
	"database/sql"
	"strings"

	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	_ "modernc.org/sqlite"

	"gopkg.in/yaml.v3"
)

// DendriteVersion is the homeserver the tests run against.
const DendriteVersion = "v0.13.8"

// SharedSecret is the registration shared secret of test servers.
const SharedSecret = "policybot-test-shared-secret"

var tools = []string{"dendrite", "generate-keys", "generate-config", "create-account"}

// BinDir is where the Dendrite binaries are cached.
func BinDir() (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("matrixtest: no cache directory for Dendrite (set HOME or XDG_CACHE_HOME): %w", err)
	}
	return filepath.Join(cache, "policybot", "dendrite-"+DendriteVersion, "bin"), nil
}

// Build installs Dendrite's commands into BinDir unless they are there
// already. It takes a minute or two the first time.
func Build(ctx context.Context) (string, error) {
	dir, err := BinDir()
	if err != nil {
		return "", err
	}
	if haveAll(dir) {
		return dir, nil
	}
	// Build into a fresh directory and move it into place, so that an
	// interrupted or concurrent build never leaves a half-filled cache.
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", fmt.Errorf("matrixtest: create %s: %w", parent, err)
	}
	tmp, err := os.MkdirTemp(parent, "build-")
	if err != nil {
		return "", fmt.Errorf("matrixtest: %w", err)
	}
	defer os.RemoveAll(tmp)
	args := []string{"install"}
	for _, t := range tools {
		args = append(args, "github.com/matrix-org/dendrite/cmd/"+t+"@"+DendriteVersion)
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = tmp // outside any module, so go.mod here does not interfere
	cmd.Env = append(os.Environ(), "GOBIN="+tmp, "CGO_ENABLED=0", "GOFLAGS=-buildvcs=false", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("matrixtest: build Dendrite %s (needs the Go module proxy): %w\n%s", DendriteVersion, err, out)
	}
	if err := os.Rename(tmp, dir); err != nil && !haveAll(dir) {
		return "", fmt.Errorf("matrixtest: move Dendrite into %s: %w", dir, err)
	}
	return dir, nil
}

func haveAll(dir string) bool {
	for _, t := range tools {
		if fi, err := os.Stat(filepath.Join(dir, t)); err != nil || fi.IsDir() {
			return false
		}
	}
	return true
}

// Server is a running Dendrite.
type Server struct {
	// URL is the client-server API base, e.g. http://127.0.0.1:40123.
	URL string
	// ServerName is the Matrix server name ("localhost"): user IDs are
	// @name:localhost.
	ServerName string

	bin, dir, config string
	addr             string

	// op serialises starting and stopping, including the restart after a
	// crash; the fields below change only under it.
	op       sync.Mutex
	cmd      *exec.Cmd
	done     chan error
	stopping bool
	crashes  int
	stuck    int // restarts because the database connection was stuck
	// watched is closed when the watcher of the current process has
	// decided what its exit means: counted and restarted, or left alone.
	watched chan struct{}
}

// Start builds (if needed) and starts Dendrite with its data in dir,
// which is created. The caller must Stop it.
func Start(ctx context.Context, dir string) (*Server, error) {
	bin, err := Build(ctx)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("matrixtest: %w", err)
	}
	s := &Server{ServerName: "localhost", bin: bin, dir: dir, config: filepath.Join(dir, "dendrite.yaml")}
	if err := s.writeConfig(ctx); err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s.addr = "127.0.0.1:" + strconv.Itoa(port)
	s.URL = "http://" + s.addr
	s.op.Lock()
	defer s.op.Unlock()
	if err := s.start(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Server) writeConfig(ctx context.Context) error {
	key := filepath.Join(s.dir, "matrix_key.pem")
	if out, err := exec.CommandContext(ctx, filepath.Join(s.bin, "generate-keys"), "--private-key", key).CombinedOutput(); err != nil {
		return fmt.Errorf("matrixtest: generate-keys: %w\n%s", err, out)
	}
	out, err := exec.CommandContext(ctx, filepath.Join(s.bin, "generate-config"), "-ci", "-server", "localhost", "-dir", s.dir).Output()
	if err != nil {
		return fmt.Errorf("matrixtest: generate-config: %w", err)
	}
	var cfg map[string]any
	if err := yaml.Unmarshal(out, &cfg); err != nil {
		return fmt.Errorf("matrixtest: read generated Dendrite config: %w", err)
	}
	global := section(cfg, "global")
	global["private_key"] = key
	global["disable_federation"] = true
	client := section(cfg, "client_api")
	client["registration_disabled"] = true
	client["registration_shared_secret"] = SharedSecret
	// Quiet Dendrite down to warnings, in a file kept for post-mortems.
	cfg["logging"] = []any{map[string]any{"type": "file", "level": "warn", "params": map[string]any{"path": filepath.Join(s.dir, "log")}}}
	if err := walDatabases(cfg); err != nil {
		return err
	}
	b, err := yaml.Marshal(cfg)
	if err != nil {
		return fmt.Errorf("matrixtest: %w", err)
	}
	return os.WriteFile(s.config, b, 0o600)
}

// walDatabases creates Dendrite's SQLite databases in WAL mode before it
// first opens them. Dendrite opens them in rollback-journal mode, where a
// reader blocks a writer; under a full test run on two cores its waits then
// pass its 10 s busy timeout ("database is locked"), and v0.13 sometimes
// panics on the error. WAL lets readers and the writer overlap, and the
// mode is kept in the file, so Dendrite uses it without being told.
func walDatabases(cfg map[string]any) error {
	var paths []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && k == "connection_string" && strings.HasPrefix(s, "file:") {
					paths = append(paths, strings.TrimPrefix(strings.TrimPrefix(s, "file:"), "//"))
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(cfg)
	for _, p := range paths {
		db, err := sql.Open("sqlite", p)
		if err != nil {
			return fmt.Errorf("matrixtest: create %s: %w", p, err)
		}
		_, err = db.Exec("PRAGMA journal_mode=WAL")
		db.Close()
		if err != nil {
			return fmt.Errorf("matrixtest: WAL mode for %s: %w", p, err)
		}
	}
	return nil
}

// BusyErrors counts the "database is locked" errors Dendrite has logged,
// for a note beside the crash count.
func (s *Server) BusyErrors() int {
	b, err := os.ReadFile(filepath.Join(s.dir, "dendrite.out"))
	if err != nil {
		return 0
	}
	return strings.Count(string(b), "SQLITE_BUSY")
}

func section(cfg map[string]any, name string) map[string]any {
	m, ok := cfg[name].(map[string]any)
	if !ok {
		m = map[string]any{}
		cfg[name] = m
	}
	return m
}

// start runs Dendrite and waits until it answers; s.op is held. If the
// process dies without being asked to, it is started again: Dendrite
// v0.13 on SQLite panics now and then under load ("database is locked"),
// and the tests are about the bot, not about that. Crashes counts it.
func (s *Server) start(ctx context.Context) error {
	logf, err := os.OpenFile(filepath.Join(s.dir, "dendrite.out"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("matrixtest: %w", err)
	}
	cmd := exec.Command(filepath.Join(s.bin, "dendrite"), "--config", s.config, "--http-bind-address", s.addr)
	cmd.Dir = s.dir
	// Output goes to the log, and past the watch for a stuck database
	// connection, which ends the process so that the watcher below
	// starts it again (see stuck.go).
	watch := newStuckWatch(func() { s.unstick(cmd, logf) })
	out := io.MultiWriter(logf, watch)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("matrixtest: start dendrite: %w", err)
	}
	done := make(chan error, 1)
	watched := make(chan struct{})
	s.cmd, s.done, s.stopping, s.watched = cmd, done, false, watched
	go func() {
		defer close(watched)
		err := cmd.Wait()
		done <- err
		s.op.Lock()
		defer s.op.Unlock()
		if s.stopping || s.cmd != cmd {
			logf.Close()
			return // stopped on purpose, or already replaced
		}
		s.crashes++
		fmt.Fprintf(logf, "matrixtest: dendrite exited unasked (%v); starting it again\n", err)
		logf.Close()
		if err := s.start(context.Background()); err != nil {
			fmt.Fprintf(os.Stderr, "matrixtest: restarting dendrite after a crash: %v\n", err)
		}
	}()
	return s.waitUp(ctx)
}

// unstick ends cmd, if it is still the running server, because its
// database connection is stuck; the watcher counts it and starts Dendrite
// again.
func (s *Server) unstick(cmd *exec.Cmd, logf *os.File) {
	s.op.Lock()
	defer s.op.Unlock()
	if s.stopping || s.cmd != cmd {
		return
	}
	s.stuck++
	fmt.Fprintf(logf, "matrixtest: dendrite's database connection is stuck (requests of two users, or of three clients, interrupted); restarting it\n")
	_ = cmd.Process.Kill()
}

// Stuck is how many times Dendrite was restarted because its database
// connection was stuck.
func (s *Server) Stuck() int {
	s.op.Lock()
	defer s.op.Unlock()
	return s.stuck
}

// waitUp polls /_matrix/client/versions until the server answers.
func (s *Server) waitUp(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/_matrix/client/versions", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-s.done:
			return fmt.Errorf("matrixtest: dendrite exited during start-up (%v); see %s", err, filepath.Join(s.dir, "dendrite.out"))
		case <-ctx.Done():
			return fmt.Errorf("matrixtest: dendrite did not answer on %s: %w; see %s", s.URL, ctx.Err(), s.dir)
		case <-tick.C:
		}
	}
}

// CreateUser registers an account through Dendrite's create-account tool
// and returns its user ID.
func (s *Server) CreateUser(ctx context.Context, localpart, password string, admin bool) (string, error) {
	args := []string{"-config", s.config, "-url", s.URL, "-username", localpart, "-passwordstdin"}
	if admin {
		args = append(args, "-admin")
	}
	cmd := exec.CommandContext(ctx, filepath.Join(s.bin, "create-account"), args...)
	cmd.Stdin = bytes.NewBufferString(password)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("matrixtest: create-account %s: %w\n%s", localpart, err, out)
	}
	return "@" + localpart + ":" + s.ServerName, nil
}

// Crashes is how many times Dendrite died unasked and was started again.
func (s *Server) Crashes() int {
	s.op.Lock()
	defer s.op.Unlock()
	return s.crashes
}

// Stop ends the server by its process ID and waits for it to exit and
// for its watcher to see that the exit was asked for, so that nothing
// starts it again after Stop returns.
func (s *Server) Stop() error {
	s.op.Lock()
	watched := s.watched
	err := s.stop()
	s.op.Unlock()
	if watched != nil {
		<-watched
	}
	return err
}

func (s *Server) stop() error {
	s.stopping = true
	if s.cmd == nil {
		return nil
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	s.cmd = nil
	return nil
}

// Restart stops the server and starts it again on the same address with
// the same data, as a homeserver restart looks to its clients.
func (s *Server) Restart(ctx context.Context) error {
	s.op.Lock()
	defer s.op.Unlock()
	if err := s.stop(); err != nil {
		return err
	}
	return s.start(ctx)
}

// Dir is where the server keeps its config, data and logs.
func (s *Server) Dir() string { return s.dir }

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("matrixtest: find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
