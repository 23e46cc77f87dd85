package config

import (
	"errors"
	"fmt"
	"strings"

	"github.com/policybot/policybot/knowledge/editdist"
)

// Problem is one thing wrong with the configuration. Load and Validate
// return every problem joined with errors.Join; errors.As or Problems
// recovers them.
type Problem struct {
	// Key is the dotted YAML key ("slack.bot_token",
	// "digest.subscriptions[1].zone") or, for an unknown environment
	// variable, its name.
	Key string
	// Source says where the value came from: "policybot.yaml line 4" or
	// "$POLICYBOT_SLACK_BOT_TOKEN"; "" for a missing value.
	Source string
	// What is wrong, in words an operator can act on. It never contains a
	// secret's value.
	What string
	// Example is a correct value, written as it would appear in YAML.
	Example string
}

func (p *Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.Key)
	if p.Source != "" {
		fmt.Fprintf(&b, " (%s)", p.Source)
	}
	b.WriteString(": ")
	b.WriteString(p.What)
	if p.Example != "" {
		if env, ok := strings.CutPrefix(p.Source, "$"); ok {
			fmt.Fprintf(&b, "; for example %s=%s", env, strings.Trim(p.Example, `"`))
		} else {
			fmt.Fprintf(&b, "; for example %s: %s", lastSegment(p.Key), p.Example)
		}
	}
	return b.String()
}

// Problems unpacks an error returned by Load or Validate into its
// problems, in order. Errors that are not problems (an unreadable file)
// are left out.
func Problems(err error) []*Problem {
	var out []*Problem
	var walk func(error)
	walk = func(err error) {
		if err == nil {
			return
		}
		if p, ok := err.(*Problem); ok {
			out = append(out, p)
			return
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		var p *Problem
		if errors.As(err, &p) {
			out = append(out, p)
		}
	}
	walk(err)
	return out
}

func lastSegment(key string) string {
	if i := strings.LastIndexByte(key, '.'); i >= 0 {
		return key[i+1:]
	}
	return key
}

// suggest returns the candidate closest to s by edit distance, or "" when
// none is close enough to be a likely typo.
func suggest(s string, candidates []string) string {
	best, bestD := "", -1
	for _, c := range candidates {
		d := editdist.Distance(strings.ToLower(s), strings.ToLower(c))
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	// Allow about one edit in three characters and at least two, so
	// "bot_tokn" and "log_levle" find their key but unrelated words don't.
	limit := max(2, len(s)/3)
	if bestD < 0 || bestD > limit {
		return ""
	}
	return best
}
