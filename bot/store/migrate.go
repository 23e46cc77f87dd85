package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// migrations are applied in order; migrations[i] brings the schema from
// version i to i+1. Never edit a released migration: append a new one.
var migrations = []string{
	// 1: adapter state, handled event IDs, digest subscriptions and ledger.
	`
CREATE TABLE state (
	namespace TEXT NOT NULL,
	key       TEXT NOT NULL,
	value     TEXT NOT NULL,
	updated   INTEGER NOT NULL, -- unix seconds
	PRIMARY KEY (namespace, key)
) WITHOUT ROWID;

CREATE TABLE seen_events (
	namespace TEXT NOT NULL,
	event_id  TEXT NOT NULL,
	seen      INTEGER NOT NULL, -- unix seconds
	PRIMARY KEY (namespace, event_id)
) WITHOUT ROWID;
CREATE INDEX seen_events_seen ON seen_events (seen);

-- A subscription row outlives "digest off" (active = 0) so that a
-- conversation that subscribes again keeps its rotation and cannot get a
-- second digest for a date it already had.
CREATE TABLE subscriptions (
	id           INTEGER PRIMARY KEY,
	platform     TEXT NOT NULL,
	conversation TEXT NOT NULL,
	hour         INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23),
	minute       INTEGER NOT NULL CHECK (minute BETWEEN 0 AND 59),
	zone         TEXT NOT NULL,
	passages     INTEGER NOT NULL CHECK (passages >= 1),
	source       TEXT NOT NULL, -- chat or config
	active       INTEGER NOT NULL DEFAULT 1,
	created      INTEGER NOT NULL,
	next_date    TEXT NOT NULL,    -- local date owed next, YYYY-MM-DD
	next_due     INTEGER NOT NULL, -- unix seconds of the next attempt
	seed         INTEGER NOT NULL, -- rotation shuffle seed
	cycle        INTEGER NOT NULL DEFAULT 0,
	position     INTEGER NOT NULL DEFAULT 0,
	last_date    TEXT NOT NULL DEFAULT '',
	last_sent    INTEGER NOT NULL DEFAULT 0,
	UNIQUE (platform, conversation)
);
CREATE INDEX subscriptions_due ON subscriptions (next_due) WHERE active;

-- The ledger: a row is written (intent) before a digest is sent and
-- sent is set after the platform accepted it. A row without sent is a
-- delivery that may or may not have been posted.
CREATE TABLE deliveries (
	subscription INTEGER NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
	local_date   TEXT NOT NULL,
	key          TEXT NOT NULL UNIQUE,
	paragraphs   TEXT NOT NULL, -- the paragraph numbers chosen, e.g. "12,31"
	intent       INTEGER NOT NULL,
	attempts     INTEGER NOT NULL DEFAULT 1,
	sent         INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (subscription, local_date)
) WITHOUT ROWID;
`,
	// 2: insights: what was asked, which answers can be rated, and votes.
	`
-- One row per answer, not-addressed reply or decline. question and
-- normalized are NULL unless insights.keep_questions is on, and then only
-- for questions the statement did not answer.
CREATE TABLE insights_asked (
	id         INTEGER PRIMARY KEY,
	platform   TEXT NOT NULL,
	day        TEXT NOT NULL, -- UTC date, YYYY-MM-DD
	outcome    TEXT NOT NULL, -- answer, not_addressed or decline
	paragraphs TEXT NOT NULL, -- cited paragraph numbers, e.g. "7,6"
	question   TEXT,
	normalized TEXT,
	created    INTEGER NOT NULL
);
CREATE INDEX insights_asked_created ON insights_asked (created);

-- Answers that carry 👍/👎 (Slack buttons, Matrix reactions), by the
-- platform's reference to them.
CREATE TABLE insights_answers (
	platform   TEXT NOT NULL,
	ref        TEXT NOT NULL,
	paragraphs TEXT NOT NULL,
	question   TEXT, -- NULL unless insights.keep_questions
	created    INTEGER NOT NULL,
	PRIMARY KEY (platform, ref)
) WITHOUT ROWID;

-- One vote per person and answer; voting again changes it. voter is a
-- hash of the user ID, enough to count each person once.
CREATE TABLE insights_votes (
	platform TEXT NOT NULL,
	ref      TEXT NOT NULL,
	voter    TEXT NOT NULL,
	up       INTEGER NOT NULL,
	reason   TEXT, -- what was wrong, for a 👎; only with insights.keep_questions
	created  INTEGER NOT NULL,
	PRIMARY KEY (platform, ref, voter)
) WITHOUT ROWID;
CREATE INDEX insights_votes_created ON insights_votes (created);
`,
	// 3: the inbox: every message the bot acknowledged, until answered.
	`
-- A row is written, durably, before a platform is told a message was
-- received; answered is set once the reply is posted. message holds what
-- is needed to answer again after a crash and is emptied when answered;
-- the row itself stays a while as the record that the message was seen.
CREATE TABLE inbox (
	platform TEXT NOT NULL,
	key      TEXT NOT NULL,  -- the platform's unique ID of the message
	message  TEXT NOT NULL,  -- opaque to the store (JSON), '' once answered
	received INTEGER NOT NULL, -- unix milliseconds
	attempts INTEGER NOT NULL DEFAULT 0,
	answered INTEGER,          -- unix milliseconds; NULL while owed
	outcome  TEXT NOT NULL DEFAULT '', -- answered, expired or failed
	PRIMARY KEY (platform, key)
) WITHOUT ROWID;
CREATE INDEX inbox_owed ON inbox (platform, received) WHERE answered IS NULL;
CREATE INDEX inbox_answered ON inbox (answered) WHERE answered IS NOT NULL;
-- The inbox deduplicates now; handled event IDs are no longer kept apart.
DROP TABLE seen_events;
`,
	// 4: inbox entries are owned by the replica answering them.
	`
-- owner is the process answering the entry ('' for the only process on a
-- state file); it holds the entry until lease (unix milliseconds) and
-- renews that while it runs, so another replica answers it only once the
-- owner has stopped.
ALTER TABLE inbox ADD COLUMN owner TEXT NOT NULL DEFAULT '';
ALTER TABLE inbox ADD COLUMN lease INTEGER NOT NULL DEFAULT 0;
`,
}

// SchemaVersion is the schema version this build writes.
func SchemaVersion() int { return len(migrations) }

// dialect is the SQL engine a migration is written out for.
type dialect int

const (
	sqliteDialect dialect = iota
	postgresDialect
)

// statement is a migration as the engine runs it. The migrations are
// written for SQLite, where they were first released; PostgreSQL gets the
// same schema through forPostgres.
func (d dialect) statement(m string) string {
	if d == postgresDialect {
		return forPostgres(m)
	}
	return m
}

// migrate brings the schema up to date, one transaction per migration, and
// refuses a database written by a newer build. On PostgreSQL the caller
// holds the migration lock on db.
func migrate(ctx context.Context, db *sql.Conn, d dialect, now func() time.Time) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		version INTEGER NOT NULL,
		applied INTEGER NOT NULL
	)`); err != nil {
		return err
	}
	var have int
	if err := db.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_version").Scan(&have); err != nil {
		return err
	}
	if have > len(migrations) {
		return fmt.Errorf("schema version %d was written by a newer policybot (this one knows up to %d): run the newer version, or restore a backup made for this one", have, len(migrations))
	}
	for v := have; v < len(migrations); v++ {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, d.statement(migrations[v])); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration to schema version %d: %w", v+1, err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO schema_version (version, applied) VALUES ($1, $2)", v+1, now().Unix()); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migration to schema version %d: %w", v+1, err)
		}
	}
	// Prove now, not at the first digest, that the file can be written: a
	// read-only file opens and reads fine.
	_, err := db.ExecContext(ctx, `INSERT INTO state (namespace, key, value, updated) VALUES ('store', 'opened', $1, $2)
		ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, updated = excluded.updated`,
		now().UTC().Format(time.RFC3339), now().Unix())
	return err
}
