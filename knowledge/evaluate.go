package knowledge

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// EvalCase is one line of an evaluation file: a question and phrases from
// the paragraphs that answer it. No phrases means the retriever should
// decline.
type EvalCase struct {
	Q      string   `json:"q"`
	Expect []string `json:"expect"`
	// Kind and Persona are optional labels (chat.jsonl has them): the
	// report gives figures per kind.
	Kind    string `json:"kind,omitempty"`
	Persona string `json:"persona,omitempty"`
}

// ReadEvalCases reads JSON lines; blank lines are skipped.
func ReadEvalCases(r io.Reader) ([]EvalCase, error) {
	var out []EvalCase
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var c EvalCase
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			return nil, fmt.Errorf("line %d: %w (want {\"q\": \"question\", \"expect\": [\"phrase\", ...]})", n, err)
		}
		if strings.TrimSpace(c.Q) == "" {
			return nil, fmt.Errorf("line %d: empty \"q\"", n)
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// EvalReport summarises answer quality over a set of cases.
type EvalReport struct {
	InScope, OutOfScope int
	Top1, RecallAt3     int // in-scope cases whose first / any of first three passages is acceptable
	Declined            int // out-of-scope cases with no answer (declined or not addressed)
	NotAddressed        int // out-of-scope cases answered "not addressed"
	FalseDeclines       int // in-scope cases given no answer
	// Kinds holds the figures per kind label, in order of first
	// appearance; cases without a kind are not counted there.
	Kinds  []KindFigures
	Misses []EvalMiss
}

// KindFigures counts one kind's cases and how many were right: in scope,
// the first passage acceptable; out of scope, no answer.
type KindFigures struct {
	Kind         string
	Cases, Right int
}

func (e *EvalReport) countKind(kind string, right bool) {
	if kind == "" {
		return
	}
	i := 0
	for i < len(e.Kinds) && e.Kinds[i].Kind != kind {
		i++
	}
	if i == len(e.Kinds) {
		e.Kinds = append(e.Kinds, KindFigures{Kind: kind})
	}
	e.Kinds[i].Cases++
	if right {
		e.Kinds[i].Right++
	}
}

// EvalMiss is a case the retriever got wrong, with what it returned.
type EvalMiss struct {
	Case EvalCase
	Got  []int // paragraph numbers returned, best first
	Why  string
}

// Evaluate runs every case through the retriever.
func Evaluate(r *Retriever, cases []EvalCase) EvalReport {
	var rep EvalReport
	for _, c := range cases {
		ans := r.Ask(c.Q, 3)
		var got []int
		for _, p := range ans.Passages {
			got = append(got, p.Paragraph.Number)
		}
		if len(c.Expect) == 0 {
			rep.OutOfScope++
			rep.countKind(c.Kind, len(ans.Passages) == 0)
			if len(ans.Passages) == 0 {
				rep.Declined++
				if ans.Outcome == NotAddressed {
					rep.NotAddressed++
				}
			} else {
				rep.Misses = append(rep.Misses, EvalMiss{c, got, "answered an out-of-scope question"})
			}
			continue
		}
		rep.InScope++
		if len(ans.Passages) == 0 {
			rep.FalseDeclines++
		}
		rank := -1
		for i, p := range ans.Passages {
			if acceptable(p.Paragraph.Text, c.Expect) {
				rank = i
				break
			}
		}
		rep.countKind(c.Kind, rank == 0)
		switch {
		case rank == 0:
			rep.Top1++
			rep.RecallAt3++
		case rank > 0:
			rep.RecallAt3++
			rep.Misses = append(rep.Misses, EvalMiss{c, got, fmt.Sprintf("right paragraph ranked %d", rank+1)})
		case len(got) == 0 && ans.Outcome == NotAddressed:
			rep.Misses = append(rep.Misses, EvalMiss{c, got, fmt.Sprintf("called not addressed (missing %q)", ans.Missing)})
		case len(got) == 0:
			rep.Misses = append(rep.Misses, EvalMiss{c, got, "declined"})
		default:
			rep.Misses = append(rep.Misses, EvalMiss{c, got, "right paragraph not in the top 3"})
		}
	}
	return rep
}

func acceptable(text string, expect []string) bool {
	for _, e := range expect {
		if strings.Contains(text, e) {
			return true
		}
	}
	return false
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// Top1Rate is the share of in-scope cases answered best-first correctly.
func (e EvalReport) Top1Rate() float64 { return ratio(e.Top1, e.InScope) }

// RecallAt3Rate is the share of in-scope cases with an acceptable passage
// among the first three.
func (e EvalReport) RecallAt3Rate() float64 { return ratio(e.RecallAt3, e.InScope) }

// DeclineRate is the share of out-of-scope cases given no answer.
func (e EvalReport) DeclineRate() float64 { return ratio(e.Declined, e.OutOfScope) }

// FalseDeclineRate is the share of in-scope cases given no answer.
func (e EvalReport) FalseDeclineRate() float64 {
	if e.InScope == 0 {
		return 0
	}
	return float64(e.FalseDeclines) / float64(e.InScope)
}

// WorstKind is the kind with the lowest share right, and that share.
func (e EvalReport) WorstKind() (string, float64) {
	worst, rate := "", 1.0
	for _, k := range e.Kinds {
		if r := ratio(k.Right, k.Cases); r < rate {
			worst, rate = k.Kind, r
		}
	}
	return worst, rate
}

// WriteTo prints the report for a person.
func (e EvalReport) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "questions: %d in scope, %d out of scope\n", e.InScope, e.OutOfScope)
	fmt.Fprintf(&b, "top-1 accuracy: %.3f (%d/%d)\n", e.Top1Rate(), e.Top1, e.InScope)
	fmt.Fprintf(&b, "recall@3:       %.3f (%d/%d)\n", e.RecallAt3Rate(), e.RecallAt3, e.InScope)
	fmt.Fprintf(&b, "no answer:      %.3f (%d/%d out-of-scope; %d of them \"not addressed\")\n", e.DeclineRate(), e.Declined, e.OutOfScope, e.NotAddressed)
	fmt.Fprintf(&b, "false declines: %.3f (%d/%d in-scope given no answer)\n", e.FalseDeclineRate(), e.FalseDeclines, e.InScope)
	if len(e.Kinds) > 0 {
		fmt.Fprintf(&b, "by kind (in scope: right first passage; out: no answer):\n")
		for _, k := range e.Kinds {
			fmt.Fprintf(&b, "  %-10s %.3f (%d/%d)\n", k.Kind, ratio(k.Right, k.Cases), k.Right, k.Cases)
		}
	}
	if len(e.Misses) > 0 {
		fmt.Fprintf(&b, "misses (%d):\n", len(e.Misses))
	}
	for _, m := range e.Misses {
		fmt.Fprintf(&b, "  %q: %s; got paragraphs %v, want one containing %q\n", m.Case.Q, m.Why, m.Got, m.Case.Expect)
	}
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}
