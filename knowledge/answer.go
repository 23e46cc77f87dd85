package knowledge

// MatchKind says how a query word matched the statement.
type MatchKind string

const (
	MatchExact    MatchKind = "exact"    // the same word
	MatchStem     MatchKind = "stem"     // same stem: "governed" ~ "governance"
	MatchCompound MatchKind = "compound" // "cyberspace" ~ "cyber space"
	MatchFuzzy    MatchKind = "fuzzy"    // a typo: "soveriegnty" ~ "sovereignty"
	MatchSynonym  MatchKind = "synonym"  // a related word: "eavesdropping" ~ "surveillance"
	MatchMeaning  MatchKind = "meaning"  // near in meaning (word vectors): "poorer" ~ "developing"
)

// direct reports a match by the word's own letters (exact, stem, compound
// or typo), not by a related word or one near in meaning.
func (k MatchKind) direct() bool { return k != MatchSynonym && k != MatchMeaning }

// Outcome is what the retriever concluded about a question.
type Outcome int

const (
	// Declined: the statement does not address the question at all.
	Declined Outcome = iota
	// Answered: Passages answer the question.
	Answered
	// NotAddressed: the statement touches the topic but does not say
	// what was asked; Missing names what it lacks and Related holds the
	// closest passages, as reading, not as the answer.
	NotAddressed
)

func (o Outcome) String() string {
	switch o {
	case Answered:
		return "answer"
	case NotAddressed:
		return "not addressed"
	}
	return "decline"
}

// Match is one query word and the statement word it matched.
type Match struct {
	Query string    // as the user typed it, lower case
	Word  string    // the statement's word it matched, lower case
	Kind  MatchKind //
}

// Span is a half-open byte range [Start, End) of a paragraph's text.
type Span struct{ Start, End int }

// Passage is one paragraph returned for a question.
type Passage struct {
	Paragraph Paragraph // Number 0 for the title and date lines
	Citation  string
	Score     float64
	Matches   []Match
	// Highlights are the byte ranges of the paragraph text whose words
	// matched, in order, not overlapping.
	Highlights []Span
	// Quote is the byte range of the paragraph text that answers: one or
	// a few whole, contiguous sentences, verbatim.
	Quote Span
	// Part is the question of a several-question message that the
	// passage answers, from 0.
	Part int
}

// QuoteText is the verbatim text of the quote.
func (p Passage) QuoteText() string {
	if p.Quote.End <= p.Quote.Start || p.Quote.End > len(p.Paragraph.Text) {
		return p.Paragraph.Text
	}
	return p.Paragraph.Text[p.Quote.Start:p.Quote.End]
}

// Answer is the retriever's result for one question. Passages holds only
// real answers: it is empty when the outcome is not Answered.
type Answer struct {
	Question string
	Outcome  Outcome
	Passages []Passage
	// Related are the closest passages when the outcome is NotAddressed.
	Related []Passage
	// Summary is a sentence derived from the statement's structure
	// ("The statement sets out four principles …"), said before the
	// passages; empty for most answers.
	Summary string
	// Missing are the question's concepts the statement does not have,
	// as the question wrote them ("sanctions", "'cyber terrorism'").
	Missing []string
	// About is true when the question was about the statement itself
	// (speaker, office, date, event) and was answered from its metadata.
	About bool
}
