package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Asked is one reply to a question, as insights keep it.
type Asked struct {
	Platform   string
	Outcome    string // answer, not_addressed or decline
	Paragraphs []int
	// Question and Normalized are empty unless the operator keeps
	// question text; the caller decides.
	Question   string
	Normalized string
}

// RecordAsked stores one reply for insights.
func (s *Store) RecordAsked(ctx context.Context, a Asked) error {
	err := s.Write(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO insights_asked (platform, day, outcome, paragraphs, question, normalized, created)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, a.Platform, tx.now.UTC().Format(time.DateOnly), a.Outcome, formatInts(a.Paragraphs),
			nullString(a.Question), nullString(a.Normalized), tx.now.Unix())
		return err
	})
	if err != nil {
		return fmt.Errorf("recording a %s reply for insights: %w", a.Outcome, err)
	}
	return nil
}

// RecordAnswer remembers an answer people can rate, under the platform's
// reference to it (a Slack button value, a Matrix event ID).
func (s *Store) RecordAnswer(ctx context.Context, platform, ref string, paragraphs []int, question string) error {
	err := s.Write(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO insights_answers (platform, ref, paragraphs, question, created) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT DO NOTHING`, platform, ref, formatInts(paragraphs), nullString(question), tx.now.Unix())
		return err
	})
	if err != nil {
		return fmt.Errorf("recording %s answer %s for feedback: %w", platform, ref, err)
	}
	return nil
}

// Vote records voter's 👍 (up) or 👎 on an answer. Each voter counts once
// per answer: voting again replaces the vote. It reports whether the
// vote was new or changed; a vote on an unknown answer (another
// message's reaction, or one older than the retention) is ignored.
func (s *Store) Vote(ctx context.Context, platform, ref, voter string, up bool) (bool, error) {
	var changed bool
	err := s.Write(ctx, func(tx *Tx) error {
		var one int
		err := tx.tx.QueryRowContext(ctx, "SELECT 1 FROM insights_answers WHERE platform = $1 AND ref = $2", platform, ref).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		res, err := tx.tx.ExecContext(ctx, `INSERT INTO insights_votes (platform, ref, voter, up, created) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (platform, ref, voter) DO UPDATE SET up = excluded.up, reason = NULL, created = excluded.created WHERE insights_votes.up != excluded.up`,
			platform, ref, voter, boolInt(up), tx.now.Unix())
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		changed = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("recording a vote on %s answer %s: %w", platform, ref, err)
	}
	return changed, nil
}

// SetVoteReason keeps what a voter said was wrong with an answer they
// voted down; it does nothing unless that 👎 is on record.
func (s *Store) SetVoteReason(ctx context.Context, platform, ref, voter, reason string) error {
	err := s.Write(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `UPDATE insights_votes SET reason = $1 WHERE platform = $2 AND ref = $3 AND voter = $4 AND up = 0`,
			nullString(reason), platform, ref, voter)
		return err
	})
	if err != nil {
		return fmt.Errorf("recording why a %s answer %s was voted down: %w", platform, ref, err)
	}
	return nil
}

// PruneInsights deletes insights records older than before.
func (s *Store) PruneInsights(ctx context.Context, before time.Time) error {
	err := s.Write(ctx, func(tx *Tx) error {
		for _, q := range []string{
			"DELETE FROM insights_asked WHERE created < $1",
			"DELETE FROM insights_votes WHERE created < $1",
			"DELETE FROM insights_answers WHERE created < $1",
		} {
			if _, err := tx.tx.ExecContext(ctx, q, before.Unix()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("pruning insights older than %s: %w", before.UTC().Format(time.DateOnly), err)
	}
	return nil
}

// Insights is what /insights shows.
type Insights struct {
	Unanswered []Unanswered // declined and not addressed, grouped
	Disliked   []Rated      // answers with at least one 👎, most first
	Cited      []Cited      // most-cited paragraphs, most first
	Daily      []DailyCount // per day (newest first) and platform
	Votes      []VoteCount  // 👍/👎 totals per platform
}

// Unanswered is a group of questions that normalise to the same text,
// shown in the words of the latest. Question is empty when question text
// is not kept: then all of one outcome form one group.
type Unanswered struct {
	Outcome  string
	Question string
	Count    int
	Last     time.Time
}

// Rated is an answer and its votes.
type Rated struct {
	Platform   string
	Paragraphs []int
	Question   string
	Up, Down   int
	// Reasons are what those who voted it down said was wrong, if they
	// said and the text is kept.
	Reasons []string
}

// reasonSep joins reasons in one column; it cannot occur in typed text
// (Slack's input strips control characters, and the recorder does too).
const reasonSep = "\x1f"

// Cited is a paragraph and how often answers quoted it.
type Cited struct {
	Paragraph int
	Count     int
}

// DailyCount counts one platform's replies on one day by outcome.
type DailyCount struct {
	Day                           string
	Platform                      string
	Answer, NotAddressed, Decline int
}

// VoteCount is one platform's vote totals.
type VoteCount struct {
	Platform string
	Up, Down int
}

// Insights reads everything recorded since since.
func (s *Store) Insights(ctx context.Context, since time.Time) (Insights, error) {
	var in Insights
	err := s.insights(ctx, since.Unix(), &in)
	if err != nil {
		return Insights{}, fmt.Errorf("reading insights: %w", s.explain(err))
	}
	return in, nil
}

func (s *Store) insights(ctx context.Context, since int64, in *Insights) error {
	rows, err := s.r.QueryContext(ctx, `SELECT g.outcome, COALESCE(l.question, ''), g.n, g.last FROM (
			SELECT outcome, MAX(id) AS latest, COUNT(*) AS n, MAX(created) AS last FROM insights_asked
			WHERE created >= $1 AND outcome != 'answer' GROUP BY outcome, COALESCE(normalized, '')
		) g JOIN insights_asked l ON l.id = g.latest
		ORDER BY g.n DESC, g.last DESC, g.outcome, COALESCE(l.normalized, '') LIMIT 200`, since)
	if err != nil {
		return err
	}
	for rows.Next() {
		var u Unanswered
		var last int64
		if err := rows.Scan(&u.Outcome, &u.Question, &u.Count, &last); err != nil {
			rows.Close()
			return err
		}
		u.Last = time.Unix(last, 0).UTC()
		in.Unanswered = append(in.Unanswered, u)
	}
	if err := closeRows(rows); err != nil {
		return err
	}

	rows, err = s.r.QueryContext(ctx, `SELECT a.platform, a.paragraphs, COALESCE(a.question, ''), COUNT(*) FILTER (WHERE v.up = 1), COUNT(*) FILTER (WHERE v.up = 0),
		COALESCE(string_agg(v.reason, $2), '') FROM insights_answers a
		JOIN insights_votes v ON v.platform = a.platform AND v.ref = a.ref
		WHERE v.created >= $1 GROUP BY a.platform, a.ref HAVING COUNT(*) FILTER (WHERE v.up = 0) > 0
		ORDER BY COUNT(*) FILTER (WHERE v.up = 0) DESC, MAX(v.created) DESC LIMIT 100`, since, reasonSep)
	if err != nil {
		return err
	}
	for rows.Next() {
		var r Rated
		var ps, reasons string
		if err := rows.Scan(&r.Platform, &ps, &r.Question, &r.Up, &r.Down, &reasons); err != nil {
			rows.Close()
			return err
		}
		r.Paragraphs, _ = parseInts(ps)
		if reasons != "" {
			r.Reasons = strings.Split(reasons, reasonSep)
		}
		in.Disliked = append(in.Disliked, r)
	}
	if err := closeRows(rows); err != nil {
		return err
	}

	rows, err = s.r.QueryContext(ctx, `SELECT paragraphs, COUNT(*) FROM insights_asked WHERE created >= $1 AND outcome = 'answer' AND paragraphs != '' GROUP BY paragraphs`, since)
	if err != nil {
		return err
	}
	cited := map[int]int{}
	for rows.Next() {
		var ps string
		var n int
		if err := rows.Scan(&ps, &n); err != nil {
			rows.Close()
			return err
		}
		nums, _ := parseInts(ps)
		for _, p := range nums {
			cited[p] += n
		}
	}
	if err := closeRows(rows); err != nil {
		return err
	}
	for p, n := range cited {
		in.Cited = append(in.Cited, Cited{Paragraph: p, Count: n})
	}
	sort.Slice(in.Cited, func(i, j int) bool {
		a, b := in.Cited[i], in.Cited[j]
		return a.Count > b.Count || a.Count == b.Count && a.Paragraph < b.Paragraph
	})

	rows, err = s.r.QueryContext(ctx, `SELECT day, platform, COUNT(*) FILTER (WHERE outcome = 'answer'),
		COUNT(*) FILTER (WHERE outcome = 'not_addressed'), COUNT(*) FILTER (WHERE outcome = 'decline')
		FROM insights_asked WHERE created >= $1 GROUP BY day, platform ORDER BY day DESC, platform`, since)
	if err != nil {
		return err
	}
	for rows.Next() {
		var d DailyCount
		if err := rows.Scan(&d.Day, &d.Platform, &d.Answer, &d.NotAddressed, &d.Decline); err != nil {
			rows.Close()
			return err
		}
		in.Daily = append(in.Daily, d)
	}
	if err := closeRows(rows); err != nil {
		return err
	}

	rows, err = s.r.QueryContext(ctx, `SELECT platform, COUNT(*) FILTER (WHERE up = 1), COUNT(*) FILTER (WHERE up = 0) FROM insights_votes WHERE created >= $1 GROUP BY platform ORDER BY platform`, since)
	if err != nil {
		return err
	}
	for rows.Next() {
		var v VoteCount
		if err := rows.Scan(&v.Platform, &v.Up, &v.Down); err != nil {
			rows.Close()
			return err
		}
		in.Votes = append(in.Votes, v)
	}
	return closeRows(rows)
}

func closeRows(rows *sql.Rows) error {
	err := rows.Err()
	return errors.Join(err, rows.Close())
}

// boolInt is a flag as the schema stores it (an integer: SQLite has no
// booleans, and PostgreSQL will not take a Go bool for an integer column).
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
