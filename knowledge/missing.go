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
	if run := r.unmatchedName(words); run != "" {
		// "the European Union": a name of several words none of which
		// the statement has is a thing it never names, however near
		// "European" is to "international".
		if !containsString(out, run) {
			out = append(out, run)
		}
		names = true
	}
	share := 0.0
	if total > 0 {
		share = miss / total
	}
	return append(phrases, out...), share, names
}

// unmatchedName finds a name of two or more capitalised words in a row, as
// the question writes it, none of which the statement has in any form
// (exactly, by stem, as a compound or a typo), and returns it.
func (r *Retriever) unmatchedName(words []queryWord) string {
	for i := 0; i < len(words); {
		j := i
		for j < len(words) && words[j].name && !allCaps(words[j].display) && words[j].weight == 1 && !hasDirect(words[j]) &&
			(j == i || words[j].pos == words[j-1].pos+1) {
			j++
		}
		if j-i >= 2 {
			var b strings.Builder
			for k := i; k < j; k++ {
				if k > i {
					b.WriteByte(' ')
				}
				b.WriteString(words[k].display)
			}
			return b.String()
		}
		i = max(j, i+1)
	}
	return ""
}

func hasDirect(qw queryWord) bool {
	for _, a := range qw.alts {
		if a.kind.direct() {
			return true
		}
	}
	return false
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
	return qw.weight == 1 && (qw.reach < missingReach && qw.spec >= minMissingSpec || qw.reach < farReach && (qw.spec >= farSpec || calendarNames.has(qw.text)))
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
	// A day or a month is one date, however common its name.
	return qw.spec >= minNameSpec || calendarNames.has(qw.text)
}

// minNameSpec: a name more common than this ("South", "Global") is also
// an ordinary word.
const minNameSpec = 0.6

// minMissingSpec: a word more common than this in English is not a
// concept whose absence says the statement does not address a question
// ("exactly", "line").
const minMissingSpec = 0.45
