// Package store is policybot's durable state: digest subscriptions, their
// rotation positions, the digest delivery ledger, the inbox, insights and
// the chat adapters' own state. It lives in one SQLite file by default, or
// in a PostgreSQL database shared by several replicas (both through
// pure-Go drivers, so the binary stays static). Schema changes are forward
// migrations recorded in schema_version, one list for both engines.
//
// Writes behave as if there were one writer. On SQLite there is: every
// write goes through a handle limited to a single connection whose
// transactions take the write lock when they begin (BEGIN IMMEDIATE), and
// reads use a separate pool concurrently (WAL mode). On PostgreSQL every
// write transaction is SERIALIZABLE and is run again when a concurrent one
// won, so a read-then-write in one transaction (the digest ledger's check
// for an earlier delivery) holds across replicas too.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/lib/pq"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// busyTimeout is how long a connection waits for a lock held by another
// connection (the mautrix crypto store shares the write handle; readers
// may wait for a checkpoint).
const busyTimeout = 10 * time.Second

// Store is the open state file. It is safe for concurrent use.
type Store struct {
	path string  // the file, or the URL without its password
	pg   bool    // PostgreSQL rather than SQLite
	w    *sql.DB // SQLite: one connection, BEGIN IMMEDIATE, the only writer; PostgreSQL: the pool
	r    *sql.DB // SQLite: a read-only pool; PostgreSQL: the same pool as w

	pgURL    string    // PostgreSQL only: the URL, password included
	pgConfig pq.Config // PostgreSQL only

	now func() time.Time // the clock for timestamps; tests replace it

	pruneMu        sync.Mutex
	lastInboxPrune time.Time
}

// Open opens the state at path, a SQLite file (created with its directory
// if needed) or a PostgreSQL URL (see IsPostgres), and brings its schema
// up to date. A file that is not a valid database, is damaged, or cannot
// be written, and a server that cannot be reached or refuses, give an
// error that names the file or server and what to do; Open never replaces
// or resets existing state.
func Open(ctx context.Context, path string) (*Store, error) {
	if IsPostgres(path) {
		return openPostgres(ctx, path)
	}
	if path == "" {
		return nil, errors.New("state database: no path given: set db or data_dir in the config file, or POLICYBOT_DB")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("state database %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o750); err != nil {
		return nil, fmt.Errorf("state database %s: cannot create its directory: %w; check permissions, or set POLICYBOT_DB to a writable path", abs, err)
	}
	if fi, err := os.Stat(abs); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("state database %s is a directory: set POLICYBOT_DB (or db in the config file) to a file path", abs)
	}
	s := &Store{path: abs, now: time.Now}
	if s.w, err = sql.Open("sqlite", dsn(abs, false)); err != nil {
		return nil, s.explain(err)
	}
	s.w.SetMaxOpenConns(1)
	s.w.SetMaxIdleConns(1)
	s.w.SetConnMaxIdleTime(0)
	s.w.SetConnMaxLifetime(0)
	if err := s.init(ctx); err != nil {
		s.w.Close()
		return nil, err
	}
	if s.r, err = sql.Open("sqlite", dsn(abs, true)); err != nil {
		s.w.Close()
		return nil, s.explain(err)
	}
	s.r.SetMaxOpenConns(8)
	if err := s.r.PingContext(ctx); err != nil {
		s.Close()
		return nil, s.explain(err)
	}
	return s, nil
}

// dsn builds the driver's connection string. Every connection gets the
// same pragmas: foreign keys on, a busy timeout, WAL, and
// synchronous=NORMAL, with which a committed transaction survives a crash
// of the process but possibly not a power cut; WriteDurable is for the
// writes that must survive that too.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	if readOnly {
		q.Set("_query_only", "true")
	} else {
		// The journal mode is persistent in the file; setting it on the
		// write connection is enough and readers must not try.
		q.Add("_pragma", "journal_mode(WAL)")
		q.Set("_txlock", "immediate")
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// init checks the file and runs migrations on the write handle.
func (s *Store) init(ctx context.Context) error {
	if err := s.w.PingContext(ctx); err != nil {
		return s.explain(err)
	}
	var res string
	if err := s.w.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&res); err != nil {
		return s.explain(err)
	}
	if res != "ok" {
		return fmt.Errorf("state database %s is damaged (integrity check: %s): stop policybot, move the file aside (and its -wal and -shm files) and restart to start with empty state, or restore a backup", s.path, res)
	}
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return s.explain(err)
	}
	defer conn.Close()
	if err := migrate(ctx, conn, sqliteDialect, s.now); err != nil {
		return s.explain(err)
	}
	return nil
}

// explain turns a driver error into one that tells the operator what to do.
func (s *Store) explain(err error) error {
	if s.pg {
		return s.explainPostgres(err)
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return fmt.Errorf("state database %s: %w", s.path, err)
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT:
		return fmt.Errorf("state database %s is not a valid SQLite database or is damaged (%w): stop policybot, move the file aside (and its -wal and -shm files) and restart to start with empty state, or restore a backup", s.path, err)
	case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_AUTH:
		return fmt.Errorf("state database %s cannot be opened for writing (%w): check the permissions and owner of the file and its directory, or set POLICYBOT_DB to a writable path", s.path, err)
	case sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR:
		return fmt.Errorf("state database %s: cannot write (%w): check free disk space and the file system", s.path, err)
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return fmt.Errorf("state database %s is locked (%w): is another policybot running on the same file?", s.path, err)
	}
	return fmt.Errorf("state database %s: %w", s.path, err)
}

// Path is the absolute path of the state file, or the PostgreSQL URL with
// its password masked.
func (s *Store) Path() string { return s.path }

// Postgres reports whether the state is in PostgreSQL.
func (s *Store) Postgres() bool { return s.pg }

// Dialect is the engine's name as mautrix's dbutil knows it.
func (s *Store) Dialect() string {
	if s.pg {
		return "postgres"
	}
	return "sqlite"
}

// Close closes the file. Pending writes have been committed already.
func (s *Store) Close() error {
	var errs []error
	if s.r != nil && s.r != s.w {
		errs = append(errs, s.r.Close())
	}
	if s.w != nil {
		errs = append(errs, s.w.Close())
	}
	return errors.Join(errs...)
}

// DB is the underlying database for other state (e.g. mautrix's crypto
// store; Dialect names its engine). On SQLite it is the single-connection
// write handle, with BEGIN IMMEDIATE transactions, foreign keys, WAL and a
// busy timeout — the setup mautrix recommends for SQLite. Writes through
// it are serialised with the store's own; do not hold a transaction on it
// while calling Store methods that write, or the two will wait for each
// other. On PostgreSQL it is the connection pool.
func (s *Store) DB() *sql.DB { return s.w }

// Write runs fn in one write transaction and commits it if fn returns nil.
// The commit survives a crash of the process; after a power cut the last
// commits may be lost. fn must use only tx: the store has one write
// connection and tx holds it.
func (s *Store) Write(ctx context.Context, fn func(tx *Tx) error) error {
	return s.write(ctx, false, fn)
}

// WriteDurable is Write with the commit flushed to disk (fsync) before it
// returns, so that it survives a power cut too: for the digest ledger's
// intent, which must never be lost once a send may have happened.
func (s *Store) WriteDurable(ctx context.Context, fn func(tx *Tx) error) error {
	return s.write(ctx, true, fn)
}

// writeRows is Write for transactions that are each one atomic statement
// per row (an insert that does nothing on conflict, an update whose WHERE
// is the claim): on PostgreSQL they run READ COMMITTED, where concurrent
// ones wait for each other's rows instead of failing and running again.
// The inbox's writes are such; under load from several replicas
// SERIALIZABLE would make them conflict on the index for nothing.
func (s *Store) writeRows(ctx context.Context, durable bool, fn func(tx *Tx) error) error {
	if s.pg {
		return s.writePostgres(ctx, sql.LevelReadCommitted, fn)
	}
	return s.write(ctx, durable, fn)
}

func (s *Store) write(ctx context.Context, durable bool, fn func(tx *Tx) error) error {
	if s.pg {
		return s.writePostgres(ctx, sql.LevelSerializable, fn)
	}
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return s.explain(err)
	}
	defer conn.Close()
	if durable {
		// synchronous is per connection and cannot change inside a
		// transaction; FULL makes this commit fsync the log.
		if _, err := conn.ExecContext(ctx, "PRAGMA synchronous = FULL"); err != nil {
			return s.explain(err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA synchronous = NORMAL")
	}
	sqlTx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return s.explain(err)
	}
	tx := &Tx{tx: sqlTx, now: s.now()}
	if err := fn(tx); err != nil {
		sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return s.explain(err)
	}
	return nil
}

// maxSerialRetries bounds how often a PostgreSQL transaction is run again
// after losing to a concurrent one. Contention here is a few replicas
// claiming the same rows: a handful of tries always suffices.
const maxSerialRetries = 20

// writePostgres runs fn in a transaction at iso, again when a concurrent
// transaction won (a serialization failure, a deadlock). fn may therefore
// run more than once and must only work through tx. PostgreSQL's commits
// are durable (fsynced) unless the server was set otherwise, so there is
// no separate durable kind.
func (s *Store) writePostgres(ctx context.Context, iso sql.IsolationLevel, fn func(tx *Tx) error) error {
	var err error
	for n := 0; n < maxSerialRetries; n++ {
		if n > 0 {
			select {
			case <-ctx.Done():
				return s.explain(ctx.Err())
			case <-time.After(time.Duration(n) * time.Millisecond):
			}
		}
		var sqlTx *sql.Tx
		sqlTx, err = s.w.BeginTx(ctx, &sql.TxOptions{Isolation: iso})
		if err != nil {
			return s.explain(err)
		}
		tx := &Tx{tx: sqlTx, now: s.now()}
		if err = fn(tx); err != nil {
			sqlTx.Rollback()
			if retryable(err) {
				continue
			}
			return err
		}
		if err = sqlTx.Commit(); err == nil {
			return nil
		}
		if !retryable(err) {
			return s.explain(err)
		}
	}
	return s.explain(fmt.Errorf("gave up after %d tries against concurrent writers: %w", maxSerialRetries, err))
}

// Tx is a write transaction, given to the function passed to Write.
type Tx struct {
	tx  *sql.Tx
	now time.Time
}

// Now is the time the transaction started, for timestamps.
func (tx *Tx) Now() time.Time { return tx.now }
