// Package insights records, for the people who run policybot, what the
// statement could not answer and how people rated its answers: per reply
// an outcome and the cited paragraphs, per rated answer the votes. Question
// text is kept only when the operator asks for it, for a bounded number of
// days, and is never logged.
package insights

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/policybot/policybot/bot"
	"github.com/policybot/policybot/bot/store"
)

// Outcomes of a reply, the "outcome" of metrics and records.
const (
	OutcomeAnswer       = "answer"
	OutcomeNotAddressed = "not_addressed"
	OutcomeDecline      = "decline"
)

// Store keeps the records (bot/store implements it).
type Store interface {
	RecordAsked(ctx context.Context, a store.Asked) error
	RecordAnswer(ctx context.Context, platform, ref string, paragraphs []int, question string) error
	Vote(ctx context.Context, platform, ref, voter string, up bool) (bool, error)
	SetVoteReason(ctx context.Context, platform, ref, voter, reason string) error
	PruneInsights(ctx context.Context, before time.Time) error
	Insights(ctx context.Context, since time.Time) (store.Insights, error)
}

// Options configures a Recorder. Store is required.
type Options struct {
	Store Store
	// KeepQuestions stores the text of unanswered and rated questions.
	KeepQuestions bool
	// Retention is how long records are kept; default 30 days.
	Retention time.Duration
	Now       func() time.Time // default time.Now
	// OnVote is told of every vote that counted (new or changed), for
	// metrics.
	OnVote func(platform string, up bool)
}

// Recorder records replies and votes. It is safe for concurrent use.
type Recorder struct {
	o Options

	mu        sync.Mutex
	lastPrune time.Time
}

// New builds a Recorder.
func New(o Options) (*Recorder, error) {
	if o.Store == nil {
		return nil, errors.New("insights: no Store (a bug in the caller)")
	}
	if o.Retention <= 0 {
		o.Retention = 30 * 24 * time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Recorder{o: o}, nil
}

// Outcome names a reply's outcome, or "" for replies that are not
// answers to a question (help, lists, errors).
func Outcome(r bot.Reply) string {
	switch r.Kind {
	case bot.KindAnswer:
		return OutcomeAnswer
	case bot.KindNotAddressed:
		return OutcomeNotAddressed
	case bot.KindDecline:
		return OutcomeDecline
	}
	return ""
}

// Observe records one reply of the core. Replies that are not answers to
// a question are not recorded.
func (r *Recorder) Observe(ctx context.Context, m bot.Message, rep bot.Reply) error {
	outcome := Outcome(rep)
	if outcome == "" {
		return nil
	}
	r.maybePrune(ctx)
	a := store.Asked{Platform: m.Platform, Outcome: outcome, Paragraphs: paragraphs(rep)}
	if r.o.KeepQuestions && outcome != OutcomeAnswer {
		a.Question = Question(m.Text)
		a.Normalized = Normalize(a.Question)
	}
	return r.o.Store.RecordAsked(ctx, a)
}

// Answered remembers an answer that people can rate, under ref, the
// platform's reference to it.
func (r *Recorder) Answered(ctx context.Context, platform, ref string, m bot.Message, rep bot.Reply) error {
	q := ""
	if r.o.KeepQuestions {
		q = Question(m.Text)
	}
	return r.o.Store.RecordAnswer(ctx, platform, ref, paragraphs(rep), q)
}

// Vote records user's 👍 (up) or 👎 on the answer ref. A user counts once
// per answer; voting again replaces the vote. It reports whether the vote
// counted (new or changed).
func (r *Recorder) Vote(ctx context.Context, platform, ref, user string, up bool) (bool, error) {
	changed, err := r.o.Store.Vote(ctx, platform, ref, voter(platform, user), up)
	if err == nil && changed && r.o.OnVote != nil {
		r.o.OnVote(platform, up)
	}
	return changed, err
}

// MaxReasonRunes bounds what a person may say was wrong with an answer.
const MaxReasonRunes = 500

// Reason keeps what user said was wrong with an answer they voted down.
// It is text someone typed, so it is kept only with KeepQuestions, like
// question text; otherwise it is dropped.
func (r *Recorder) Reason(ctx context.Context, platform, ref, user, text string) error {
	text = strings.TrimSpace(strings.Map(func(c rune) rune {
		if unicode.IsControl(c) && c != '\n' {
			return ' '
		}
		return c
	}, strings.ToValidUTF8(text, "")))
	if !r.o.KeepQuestions || text == "" {
		return nil
	}
	if rs := []rune(text); len(rs) > MaxReasonRunes {
		text = string(rs[:MaxReasonRunes])
	}
	return r.o.Store.SetVoteReason(ctx, platform, ref, voter(platform, user), text)
}

// Report reads the records of the retention period, pruning older ones
// first.
func (r *Recorder) Report(ctx context.Context) (store.Insights, error) {
	since := r.o.Now().Add(-r.o.Retention)
	if err := r.o.Store.PruneInsights(ctx, since); err != nil {
		return store.Insights{}, err
	}
	return r.o.Store.Insights(ctx, since)
}

// KeepsQuestions reports whether question text is stored.
func (r *Recorder) KeepsQuestions() bool { return r.o.KeepQuestions }

// Retention is how long records are kept.
func (r *Recorder) Retention() time.Duration { return r.o.Retention }

// maybePrune deletes expired records at most once an hour; a failure
// waits for the next hour or the next report.
func (r *Recorder) maybePrune(ctx context.Context) {
	now := r.o.Now()
	r.mu.Lock()
	if now.Sub(r.lastPrune) < time.Hour {
		r.mu.Unlock()
		return
	}
	r.lastPrune = now
	r.mu.Unlock()
	_ = r.o.Store.PruneInsights(ctx, now.Add(-r.o.Retention))
}

func paragraphs(rep bot.Reply) []int {
	out := make([]int, 0, len(rep.Passages))
	for _, p := range rep.Passages {
		out = append(out, p.Paragraph)
	}
	return out
}

// voter pseudonymises a user: enough to count each person once per
// answer, without keeping the platform's user ID.
func voter(platform, user string) string {
	sum := sha256.Sum256([]byte("policybot-vote\x00" + platform + "\x00" + user))
	return hex.EncodeToString(sum[:12])
}

// Question is the question in a message's text, without the command that
// introduced it ("/policy ask …", "!ask …").
func Question(text string) string {
	t := strings.TrimSpace(text)
	if len(t) > 0 && (t[0] == '/' || t[0] == '!') {
		rest := strings.TrimSpace(t[1:])
		low := strings.ToLower(rest)
		for _, prefix := range []string{"policy ask ", "ask "} {
			if strings.HasPrefix(low, prefix) {
				return strings.TrimSpace(rest[len(prefix):])
			}
		}
	}
	return t
}

// Normalize folds questions that differ only in case, punctuation and
// spacing into one: "Apple pie?" and "apple  PIE" group together.
func Normalize(q string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(q) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		default:
			space = true
		}
	}
	return b.String()
}
