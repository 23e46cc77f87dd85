package knowledge

// MatchKind says how a query word matched the statement.
type MatchKind string

const (
	MatchExact    MatchKind = "exact"    // the same word
	MatchStem     MatchKind = "stem"     // same stem: "governed" ~ "governance"
	MatchCompound MatchKind = "compound" // "cyberspace" ~ "cyber space"
	MatchFuzzy    MatchKind = "fuzzy"    // a typo: "soveriegnty" ~ "sovereignty"
	MatchSynonym  MatchKind = "synonym"  // a related word: "eavesdropping" ~ "surveillance"
)

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
}

// Answer is the retriever's result for one question. An empty Passages
// means the statement does not address the question.
type Answer struct {
	Question string
	Passages []Passage
	// About is true when the question was about the statement itself
	// (speaker, office, date, event) and was answered from its metadata.
	About bool
}
