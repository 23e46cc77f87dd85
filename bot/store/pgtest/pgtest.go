// Package pgtest runs a real, throwaway PostgreSQL cluster for tests:
// initdb into a temporary directory, postgres on a loopback port with its
// socket in that directory, stopped by its process ID. It uses the
// server binaries of the machine (Debian's postgresql-15 package); when
// the tests run as root, the server runs as the postgres user, since
// PostgreSQL refuses to run as root.
package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/lib/pq" // the "postgres" database/sql driver
)

// Superuser is the cluster's superuser, with Password.
const (
	Superuser = "policybot"
	Password  = "policybot-test"
)

// BinDir finds the PostgreSQL server binaries: $POLICYBOT_TEST_PG_BIN,
// else the newest /usr/lib/postgresql/N/bin with initdb and postgres.
func BinDir() (string, error) {
	if d := os.Getenv("POLICYBOT_TEST_PG_BIN"); d != "" {
		return d, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	best, bestN := "", -1
	for _, d := range dirs {
		n, err := strconv.Atoi(filepath.Base(filepath.Dir(d)))
		if err != nil || n <= bestN {
			continue
		}
		if _, err := os.Stat(filepath.Join(d, "postgres")); err == nil {
			best, bestN = d, n
		}
	}
	if best == "" {
		return "", errors.New("pgtest: no PostgreSQL server binaries in /usr/lib/postgresql/*/bin: install Debian's postgresql-15 (apt-get install postgresql-15) or set POLICYBOT_TEST_PG_BIN")
	}
	return best, nil
}

// Server is a running cluster.
type Server struct {
	bin, dir string
	Port     int
	cred     *syscall.Credential // nil unless the tests run as root

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan error
}

// Start creates a cluster in dir (which must exist and be empty or
// absent) and starts it.
func Start(ctx context.Context, dir string) (*Server, error) {
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	s := &Server{bin: bin, dir: filepath.Join(dir, "pg")}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("pgtest: running as root, and there is no postgres user to run the server as: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		s.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		// The server's user must reach its directory.
		for d := s.dir; d != "/" && d != "."; d = filepath.Dir(d) {
			if d == s.dir {
				if err := os.Chown(d, uid, gid); err != nil {
					return nil, fmt.Errorf("pgtest: %w", err)
				}
				continue
			}
			if fi, err := os.Stat(d); err == nil && fi.Mode().Perm()&0o001 == 0 {
				os.Chmod(d, fi.Mode().Perm()|0o011)
			}
		}
	}
	pw := filepath.Join(s.dir, "pwfile")
	if err := os.WriteFile(pw, []byte(Password+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	if s.cred != nil {
		os.Chown(pw, int(s.cred.Uid), int(s.cred.Gid))
	}
	data := filepath.Join(s.dir, "data")
	initdb := s.command(ctx, "initdb", "-D", data, "-U", Superuser, "--pwfile", pw, "-A", "scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync")
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pgtest: initdb: %w\n%s", err, out)
	}
	if s.Port, err = freePort(); err != nil {
		return nil, err
	}
	if err := s.start(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Server) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(s.bin, name), args...)
	cmd.Dir = s.dir
	if s.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	}
	return cmd
}

// start runs postgres and waits until it accepts connections.
func (s *Server) start(ctx context.Context) error {
	logf, err := os.OpenFile(filepath.Join(s.dir, "postgres.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("pgtest: %w", err)
	}
	// Not CommandContext: the server outlives the context that started it.
	cmd := s.command(context.Background(), "postgres", "-D", filepath.Join(s.dir, "data"),
		"-k", s.dir, "-p", strconv.Itoa(s.Port), "-c", "listen_addresses=127.0.0.1",
		"-c", "fsync=off", "-c", "max_connections=200", "-c", "shared_buffers=32MB")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("pgtest: start postgres: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait(); logf.Close() }()
	s.mu.Lock()
	s.cmd, s.done = cmd, done
	s.mu.Unlock()

	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	for {
		db, err := sql.Open("postgres", s.URL("postgres"))
		if err == nil {
			err = db.PingContext(ctx)
			db.Close()
		}
		if err == nil {
			return nil
		}
		select {
		case err := <-done:
			return fmt.Errorf("pgtest: postgres exited during start-up (%v); see %s", err, filepath.Join(s.dir, "postgres.log"))
		case <-ctx.Done():
			return fmt.Errorf("pgtest: postgres did not accept connections on port %d: %w; see %s", s.Port, ctx.Err(), s.dir)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// URL is the connection URL of database name, as the superuser.
func (s *Server) URL(name string) string {
	u := url.URL{Scheme: "postgres", User: url.UserPassword(Superuser, Password),
		Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port)), Path: "/" + name, RawQuery: "sslmode=disable"}
	return u.String()
}

// NewDatabase creates an empty database and returns its URL.
func (s *Server) NewDatabase(ctx context.Context, name string) (string, error) {
	db, err := sql.Open("postgres", s.URL("postgres"))
	if err != nil {
		return "", err
	}
	defer db.Close()
	quoted := `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+quoted); err != nil {
		return "", fmt.Errorf("pgtest: create database %s: %w", name, err)
	}
	return s.URL(name), nil
}

// Stop shuts the server down (fast shutdown: connections are closed) and
// waits for it to exit.
func (s *Server) Stop() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stop()
}

func (s *Server) stop() error {
	if s.cmd == nil {
		return nil
	}
	_ = s.cmd.Process.Signal(syscall.SIGINT) // fast shutdown
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	s.cmd = nil
	return nil
}

// Restart stops the server and starts it again on the same port with
// the same data, as a database restart looks to its clients.
func (s *Server) Restart(ctx context.Context) error {
	if err := s.Stop(); err != nil {
		return err
	}
	return s.start(ctx)
}

// Log is the server's log so far, for a failing test to show.
func (s *Server) Log() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "postgres.log"))
	return string(b)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pgtest: find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Lazy is one cluster for a whole test binary, started by the first test
// that needs it: declare one in a test file, and call Stop from TestMain
// after m.Run.
type Lazy struct {
	once sync.Once
	dir  string
	srv  *Server
	err  error
	n    atomic.Int64
}

// Server returns the running cluster, starting it on first use. Where no
// PostgreSQL binaries are installed the test is skipped, except under CI
// (CI set), where that is a failure: .ci/run installs them.
func (l *Lazy) Server(t testing.TB) *Server {
	t.Helper()
	l.once.Do(func() {
		if _, err := BinDir(); err != nil {
			l.err = err
			return
		}
		l.dir, l.err = os.MkdirTemp("", "policybot-pgtest-")
		if l.err == nil {
			l.srv, l.err = Start(context.Background(), l.dir)
		}
	})
	if l.err != nil {
		if _, binErr := BinDir(); binErr != nil && os.Getenv("CI") == "" {
			t.Skipf("no PostgreSQL here: %v", binErr)
		}
		t.Fatalf("PostgreSQL for the tests: %v", l.err)
	}
	return l.srv
}

// Database creates an empty database for one test and returns its URL.
func (l *Lazy) Database(t testing.TB) string {
	t.Helper()
	srv := l.Server(t)
	u, err := srv.NewDatabase(context.Background(), fmt.Sprintf("test_%d", l.n.Add(1)))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// Main runs the tests and then stops the cluster: call it from TestMain,
// as os.Exit(pg.Main(m)).
func (l *Lazy) Main(m *testing.M) int {
	code := m.Run()
	l.Stop()
	return code
}

// Stop stops the cluster, if one was started, and removes its files.
func (l *Lazy) Stop() {
	if l.srv != nil {
		l.srv.Stop()
	}
	if l.dir != "" {
		os.RemoveAll(l.dir)
	}
}
