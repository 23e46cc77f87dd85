package knowledge

// DeclineRule decides whether the best passage answers the question, and
// when it does not, whether the statement merely fails to address it
// (not addressed) or is beside the point (decline).
//
// Coverage is the share of the question's topic words that the passage
// matches, each word weighted by how specific it is in English (rare
// words weigh more: "Tallinn" more than "say") and counted at the
// strength of its match (exact 1, typo about 0.8, a word near in meaning
// by how near it is, a thesaurus relation 0.6 × its weight). Direct
// coverage counts only exact, stemmed, compound and typo matches.
//
// A word is missing when nothing in the whole statement matches it at
// MissingReach or more; names, acronyms and numbers match only by their
// own letters or a near-identical meaning. MissingShare is the missing
// words' share of the question's weight.
type DeclineRule struct {
	MinCoverage    float64 // with at least one direct match
	MinRelatedOnly float64 // with related-word matches only
	// MinSingleRelated is the least coverage of a question with one
	// topic word matched only by a related word ("Does he mention
	// eavesdropping?"): a word near in meaning that stands out clearly
	// (0.6 is a margin of 0.15 above its neighbours), or a full synonym,
	// but not a loose relation ("football" ~ "playing", 0.53).
	MinSingleRelated  float64
	MinDirectCoverage float64 // the least direct coverage that counts as a direct match
	// MaxMissing is the largest missing share an answer may leave when
	// the best passage covers less than MissingCover of the question; at
	// or above it the outcome is "not addressed". A passage that covers
	// that much is an answer in the asker's own words ("pledge" for
	// "increase assistance").
	MaxMissing   float64
	MissingCover float64
	// MinRelated is the least coverage of the best passage for it to be
	// offered as related reading when the question is not addressed;
	// below it the retriever declines ("the stock price of Apple" has no
	// related reading).
	MinRelated float64
}

// DefaultDecline is calibrated on the development questions and the chat
// questions (see the README's "How answers are chosen" for the figures).
func DefaultDecline() DeclineRule {
	return DeclineRule{MinCoverage: 0.25, MinRelatedOnly: 0.475, MinSingleRelated: 0.6, MinDirectCoverage: 0.12, MaxMissing: 0.57, MissingCover: 0.45, MinRelated: 0.3}
}

func (d DeclineRule) withDefaults() DeclineRule {
	def := DefaultDecline()
	for _, f := range []struct{ v, def *float64 }{
		{&d.MinCoverage, &def.MinCoverage}, {&d.MinRelatedOnly, &def.MinRelatedOnly}, {&d.MinSingleRelated, &def.MinSingleRelated},
		{&d.MinDirectCoverage, &def.MinDirectCoverage}, {&d.MaxMissing, &def.MaxMissing},
		{&d.MissingCover, &def.MissingCover}, {&d.MinRelated, &def.MinRelated},
	} {
		if *f.v <= 0 {
			*f.v = *f.def
		}
	}
	return d
}

// answers applies the rule to a passage's coverage figures; topics is the
// number of the question's topic words. One word matched only by a
// related word needs a close one (MinSingleRelated).
func (d DeclineRule) answers(cover, direct float64, topics int) bool {
	if direct >= d.MinDirectCoverage {
		return cover >= d.MinCoverage
	}
	if topics == 1 {
		return cover >= d.MinSingleRelated
	}
	return cover >= d.MinRelatedOnly
}
