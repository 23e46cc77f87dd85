package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/policybot/policybot/bot/store/pgtest"
)

// pg is the PostgreSQL cluster of this test binary, started by the first
// test that needs it.
var pg pgtest.Lazy

func TestMain(m *testing.M) { os.Exit(pg.Main(m)) }

// engines runs test once on a fresh SQLite file and once on a fresh
// PostgreSQL database; where is what Open takes for it.
func engines(t *testing.T, test func(t *testing.T, where string)) {
	t.Run("sqlite", func(t *testing.T) { test(t, filepath.Join(t.TempDir(), "state", "policybot.db")) })
	t.Run("postgres", func(t *testing.T) { test(t, pg.Database(t)) })
}

func openAt(t *testing.T, where string) *Store {
	t.Helper()
	s, err := Open(context.Background(), where)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func openTemp(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state", "policybot.db")
	return openAt(t, path), path
}

func TestOpenCreatesAndMigrates(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("file not created: %v", err)
	}
	var v int
	if err := s.r.QueryRowContext(ctx, "SELECT MAX(version) FROM schema_version").Scan(&v); err != nil || v != SchemaVersion() {
		t.Fatalf("schema_version = %d, %v; want %d", v, err, SchemaVersion())
	}
	var mode string
	if err := s.r.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q, %v; want wal", mode, err)
	}
	for _, db := range []*sql.DB{s.r, s.w} {
		var fk int
		if err := db.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
			t.Fatalf("foreign_keys = %d, %v; want 1", fk, err)
		}
		var bt int
		if err := db.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&bt); err != nil || bt != int(busyTimeout.Milliseconds()) {
			t.Fatalf("busy_timeout = %d, %v", bt, err)
		}
	}
	// Reopening runs no migration twice.
	s.Close()
	s2, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s2.Close()
	var n int
	if err := s2.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_version").Scan(&n); err != nil || n != SchemaVersion() {
		t.Fatalf("schema_version rows = %d, %v; want %d", n, err, SchemaVersion())
	}
}

func TestOpenRefusesBadFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	garbage := make([]byte, 8192)
	rand.Read(garbage)

	notDir := filepath.Join(dir, "plainfile")
	os.WriteFile(notDir, []byte("x"), 0o600)

	// A real database whose first page survives but whose later pages are
	// overwritten: opens, but fails the integrity check.
	damaged := filepath.Join(dir, "damaged.db")
	{
		s, err := Open(ctx, damaged)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 200 {
			if err := s.SetState(ctx, "fill", strings.Repeat("k", 10)+string(rune('a'+i%26))+time.Duration(i).String(), strings.Repeat("v", 500)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.w.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
			t.Fatal(err)
		}
		s.Close()
		f, err := os.OpenFile(damaged, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteAt(garbage, 4096*2)
		f.Close()
	}

	newer := filepath.Join(dir, "newer.db")
	{
		s, err := Open(ctx, newer)
		if err != nil {
			t.Fatal(err)
		}
		s.w.ExecContext(ctx, "INSERT INTO schema_version (version, applied) VALUES (99, 0)")
		s.Close()
	}

	tests := []struct {
		name  string
		setup func() string
		want  []string
	}{
		{"random bytes", func() string {
			p := filepath.Join(dir, "random.db")
			os.WriteFile(p, garbage, 0o600)
			return p
		}, []string{"random.db", "not a valid SQLite database", "move the file aside", "restart"}},
		{"text file", func() string {
			p := filepath.Join(dir, "notes.db")
			os.WriteFile(p, []byte(strings.Repeat("this is not a database\n", 300)), 0o600)
			return p
		}, []string{"notes.db", "move the file aside"}},
		{"damaged pages", func() string { return damaged }, []string{"damaged.db", "move the file aside"}},
		{"directory under a file", func() string { return filepath.Join(notDir, "sub", "x.db") }, []string{"plainfile", "check permissions"}},
		{"path is a directory", func() string { return dir }, []string{dir, "is a directory"}},
		{"newer schema", func() string { return newer }, []string{"newer.db", "newer policybot"}},
		{"empty path", func() string { return "" }, []string{"POLICYBOT_DB"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.setup()
			var before []byte
			if fi, err := os.Stat(path); err == nil && !fi.IsDir() {
				before, _ = os.ReadFile(path)
			}
			s, err := Open(ctx, path)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%s) succeeded", path)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			// Never silently reset: the file is left exactly as it was.
			if before != nil {
				after, _ := os.ReadFile(path)
				if string(after) != string(before) {
					t.Errorf("Open changed %s", path)
				}
			}
		})
	}
}

func TestOpenReadOnlyFile(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores file permissions")
	}
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "ro.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	os.Chmod(path, 0o400)
	os.Chmod(dir, 0o500)
	defer os.Chmod(dir, 0o700)
	s, err = Open(ctx, path)
	if err == nil {
		s.Close()
		t.Fatal("Open of a read-only file succeeded")
	}
	if !strings.Contains(err.Error(), "ro.db") || !strings.Contains(err.Error(), "permissions") {
		t.Fatalf("error %q should name the file and say to check permissions", err)
	}
}

func TestState(t *testing.T) { engines(t, testState) }

func testState(t *testing.T, path string) {
	ctx := context.Background()
	s := openAt(t, path)
	if _, ok, err := s.GetState(ctx, "matrix", "next_batch"); ok || err != nil {
		t.Fatalf("unset key: ok=%v err=%v", ok, err)
	}
	if err := s.SetState(ctx, "matrix", "next_batch", "s1"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetState(ctx, "matrix", "next_batch", "s2"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetState(ctx, "slack", "next_batch", "other"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, ok, err := s.GetState(ctx, "matrix", "next_batch"); v != "s2" || !ok || err != nil {
		t.Fatalf("after reopen: %q %v %v; want s2", v, ok, err)
	}
}

func TestWriteRollsBack(t *testing.T) {
	engines(t, func(t *testing.T, where string) {
		testWriteRollsBack(t, openAt(t, where))
	})
}

func testWriteRollsBack(t *testing.T, s *Store) {
	ctx := context.Background()
	boom := os.ErrInvalid
	err := s.Write(ctx, func(tx *Tx) error {
		if _, err := tx.PutSubscription(ctx, Subscription{Platform: "slack", Conversation: "C1", Hour: 9, Zone: "UTC",
			Passages: 1, Source: SourceChat, Active: true, NextDate: "2026-11-26", NextDue: time.Unix(1, 0)}); err != nil {
			return err
		}
		return boom
	})
	if err != boom {
		t.Fatalf("Write = %v; want the function's error", err)
	}
	if _, ok, _ := s.Subscription(ctx, "slack", "C1"); ok {
		t.Fatal("a failed transaction left a subscription behind")
	}
}

// WriteDurable commits with synchronous=FULL and leaves the connection at
// NORMAL for the writes that follow.
func TestWriteDurable(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	syncMode := func(tx *Tx) int {
		var m int
		if err := tx.tx.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	var during, after int
	if err := s.WriteDurable(ctx, func(tx *Tx) error { during = syncMode(tx); return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.Write(ctx, func(tx *Tx) error { after = syncMode(tx); return nil }); err != nil {
		t.Fatal(err)
	}
	if during != 2 || after != 1 {
		t.Fatalf("synchronous during a durable write %d, after %d; want 2 (FULL), 1 (NORMAL)", during, after)
	}
}
