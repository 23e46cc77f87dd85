package knowledge

import (
	"strings"
)

// missing lists the question's words, and quoted phrases, that nothing in
// the statement matches, with their share of the question's weight, and
// whether one of them is a name or a number: the statement cannot be
// about a thing it never names.
func (r *Retriever) missing(words []queryWord, phrases []string) ([]string, float64, bool) {
	var out []string
	var total, miss float64
	names := len(phrases) > 0
	last := -2
	for _, qw := range words {
		wq := qw.weight * qw.spec
		total += wq
		if qw.isMissing() {
			miss += wq
			out = appendMissing(out, qw, last)
			last = qw.pos
			names = names || qw.missingName()
		}
	}
	share := 0.0
	if total > 0 {
		share = miss / total
	}
	return append(phrases, out...), share, names
}

// missingNames lists the question's missing words.
func (r *Retriever) missingNames(words []queryWord) []string {
	var out []string
	last := -2
	for _, qw := range words {
		if qw.isMissing() {
			out = appendMissing(out, qw, last)
			last = qw.pos
		}
	}
	return out
}

// appendMissing adds a missing word, joining it to the previous one when
// they stand next to each other in the question ("Tallinn Manual").
func appendMissing(out []string, qw queryWord, last int) []string {
	if len(out) > 0 && qw.pos == last+1 {
		out[len(out)-1] += " " + qw.display
		return out
	}
	return append(out, qw.display)
}

func (qw queryWord) isMissing() bool {
	return qw.weight == 1 && (qw.reach < missingReach && qw.spec >= minMissingSpec || qw.reach < farReach && qw.spec >= farSpec)
}

// A common word that nothing in the statement comes near at all (its best
// match is under farReach) is missing too, if it is no function word:
// "real" in "real-name registration", where "exactly" or "line" find a
// loose match. Between farReach and missingReach only a specific word
// counts.
const (
	farReach = 0.3
	farSpec  = 0.3
)

// missingName: a missing word written as a name ("Tallinn", "ITU") or a
// number ("2013"), and specific. A plural acronym names a kind of thing
// the statement may word out in full ("NGOs"), so only its share counts.
func (qw queryWord) missingName() bool {
	if !qw.name {
		return false
	}
	if allCaps(qw.display) {
		return !strings.HasSuffix(qw.display, "s")
	}
	return qw.spec >= minNameSpec
}

// minNameSpec: a name more common than this ("South", "Global") is also
// an ordinary word.
const minNameSpec = 0.6

// minMissingSpec: a word more common than this in English is not a
// concept whose absence says the statement does not address a question
// ("exactly", "line").
const minMissingSpec = 0.45
