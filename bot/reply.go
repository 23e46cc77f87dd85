package bot

import (
	"strings"
)

// Kind tells an adapter how to present a reply.
type Kind int

const (
	// KindAnswer carries quoted passages.
	KindAnswer Kind = iota
	// KindInfo is a list or notice (help, principles, digest status).
	KindInfo
	// KindDecline says the statement does not answer the question.
	KindDecline
	// KindError says the request could not be understood or carried out;
	// Text says why and what to type instead.
	KindError
	// KindNotAddressed says the statement touches the topic but does not
	// say what was asked; Text names what it lacks, and Passages are the
	// closest passages, offered as reading and not as the answer.
	KindNotAddressed
)

func (k Kind) String() string {
	switch k {
	case KindAnswer:
		return "answer"
	case KindInfo:
		return "info"
	case KindDecline:
		return "decline"
	case KindError:
		return "error"
	case KindNotAddressed:
		return "not addressed"
	}
	return "unknown"
}

// Action is something the adapter must do besides posting the reply.
type Action int

const (
	// ActionNone: just post the reply.
	ActionNone Action = iota
	// ActionLeave: post the reply, then leave the conversation.
	ActionLeave
)

// Reply is the platform-neutral answer to a Message. All text is plain and
// unescaped: renderers escape it for their format.
type Reply struct {
	Kind  Kind
	Title string // a short heading, may be empty
	Text  string // an introductory or explanatory sentence, may be empty
	// Passages are verbatim quotes from the statement.
	Passages []Passage
	// List holds rows such as commands or principles.
	List []Item
	// Omitted counts passages or characters cut to keep the reply short;
	// when non-zero Note says so in words.
	Omitted int
	Note    string
	// Hint suggests what to try next.
	Hint   string
	Action Action
}

// Passage is a quoted paragraph with its citation.
type Passage struct {
	Text      string // verbatim, possibly shortened (then Cut is true)
	Citation  string
	Paragraph int // 0 for the title and date lines
	// Highlights are byte ranges of Text that matched the question, in
	// order and not overlapping.
	Highlights []Span
	// Cut is true when Text was shortened to fit the reply; it then ends
	// with "…".
	Cut bool
	// Excerpt is true when Text is whole sentences quoted from a longer
	// paragraph: the rest is one command (or button) away.
	Excerpt bool
}

// Span is a half-open byte range [Start, End).
type Span struct{ Start, End int }

// Item is one row of a list: a label (a command, a principle) and text.
type Item struct {
	Label string
	Text  string
}

// Segments splits a passage into runs of plain and highlighted text, the
// shape every renderer needs.
func (p Passage) Segments() []Segment {
	var out []Segment
	at := 0
	for _, h := range p.Highlights {
		if h.Start < at || h.End > len(p.Text) || h.Start >= h.End {
			continue
		}
		if h.Start > at {
			out = append(out, Segment{Text: p.Text[at:h.Start]})
		}
		out = append(out, Segment{Text: p.Text[h.Start:h.End], Highlight: true})
		at = h.End
	}
	if at < len(p.Text) {
		out = append(out, Segment{Text: p.Text[at:]})
	}
	return out
}

// Segment is a run of passage text, highlighted or not.
type Segment struct {
	Text      string
	Highlight bool
}

// PlainText renders the reply as plain text, for the console and for the
// text fallback of rich messages. Highlights are marked with the given
// strings (e.g. "*" and "*"), or not at all when both are empty.
func (r Reply) PlainText(hlOpen, hlClose string) string {
	var b strings.Builder
	line := func(s string) {
		if s == "" {
			return
		}
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString(s)
	}
	line(r.Title)
	line(r.Text)
	for _, p := range r.Passages {
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		var q strings.Builder
		for _, s := range p.Segments() {
			if s.Highlight {
				q.WriteString(hlOpen + s.Text + hlClose)
			} else {
				q.WriteString(s.Text)
			}
		}
		line("> " + strings.ReplaceAll(q.String(), "\n", "\n> "))
		line("— " + p.Citation)
	}
	for _, it := range r.List {
		switch {
		case it.Label != "" && it.Text != "":
			line("• " + it.Label + " — " + it.Text)
		case it.Label != "":
			line("• " + it.Label)
		default:
			line("• " + it.Text)
		}
	}
	if r.Note != "" {
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		line(r.Note)
	}
	if r.Hint != "" {
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		line(r.Hint)
	}
	return b.String()
}
