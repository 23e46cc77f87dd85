package wordnet

import "strings"

// Lemma is a base form found in the index together with its part of speech.
type Lemma struct {
	Word string
	POS  POS
}

// suffixRule is one of morphy's detachment rules: an inflected word ending
// in Suffix may have a base form ending in Ending instead.
type suffixRule struct{ Suffix, Ending string }

// detachRules are the rules from morphy(7WN), per part of speech.
var detachRules = map[POS][]suffixRule{
	Noun: {{"s", ""}, {"ses", "s"}, {"xes", "x"}, {"zes", "z"}, {"ches", "ch"}, {"shes", "sh"}, {"men", "man"}, {"ies", "y"}},
	Verb: {{"s", ""}, {"ies", "y"}, {"es", "e"}, {"es", ""}, {"ed", "e"}, {"ed", ""}, {"ing", "e"}, {"ing", ""}},
	Adj:  {{"er", ""}, {"est", ""}, {"er", "e"}, {"est", "e"}},
}

// Morphy returns the base forms of word that are in the index, for every
// part of speech, like WordNet's morphy: exception-list entries, the word
// itself, and the results of the detachment rules. The word should be
// lowercase; collocations use underscores.
func (db *DB) Morphy(word string) []Lemma {
	var out []Lemma
	seen := make(map[Lemma]bool)
	add := func(w string, pos POS) {
		l := Lemma{w, pos}
		if !seen[l] && len(db.senses[pos][w]) > 0 {
			seen[l] = true
			out = append(out, l)
		}
	}
	for _, pos := range AllPOS {
		for _, base := range db.exceptions[pos][word] {
			add(base, pos)
		}
		add(word, pos)
		for _, r := range detachRules[pos] {
			if stem, ok := strings.CutSuffix(word, r.Suffix); ok && stem != "" {
				add(stem+r.Ending, pos)
			}
		}
	}
	return out
}

// Inflections returns the inflected forms of a single-word lemma: the forms
// the exception list maps to it, plus regular forms made by inverting the
// detachment rules. A regular form is skipped when the exception list
// already supplies an irregular form of the same kind (e.g. "eavesdropping"
// replaces "eavesdroping"), so the table does not fill up with misspellings.
func (db *DB) Inflections(lemma string, pos POS) []string {
	irregular := db.irregularForms(lemma, pos)
	var out []string
	have := make(map[inflection]bool)
	for _, f := range irregular {
		have[kindOf(f, pos)] = true
		out = append(out, f)
	}
	for _, g := range regularForms(lemma, pos) {
		if !have[g.kind] {
			out = append(out, g.form)
		}
	}
	return dedupe(out, lemma)
}

// irregularForms lists the exception-list forms whose base is lemma.
func (db *DB) irregularForms(lemma string, pos POS) []string {
	return db.inverse[pos][lemma]
}

func (db *DB) buildInverse() {
	db.inverse = make(map[POS]map[string][]string)
	for _, pos := range AllPOS {
		db.inverse[pos] = make(map[string][]string)
		for _, fb := range db.Exceptions(pos) {
			db.inverse[pos][fb[1]] = append(db.inverse[pos][fb[1]], fb[0])
		}
	}
}

// inflection is the grammatical kind of an inflected form.
type inflection int

const (
	plural      inflection = iota // noun plural, verb third person singular
	past                          // verb past tense or past participle
	gerund                        // verb -ing form
	comparative                   // adjective -er
	superlative                   // adjective -est
)

// kindOf classifies an exception-list form by its ending. Verb forms that do
// not end in -s or -ing ("drew", "dropped") are past forms.
func kindOf(form string, pos POS) inflection {
	switch pos {
	case Verb:
		switch {
		case strings.HasSuffix(form, "ing"):
			return gerund
		case strings.HasSuffix(form, "s"):
			return plural
		}
		return past
	case Adj:
		if strings.HasSuffix(form, "st") {
			return superlative
		}
		return comparative
	}
	return plural
}

type generated struct {
	form string
	kind inflection
}

// regularForms applies English spelling rules that morphy's detachment
// rules undo. Adjectives only get -er/-est when short enough to take them
// ("rich", "happy"), since "developmentaler" would only bloat the table.
func regularForms(lemma string, pos POS) []generated {
	switch pos {
	case Noun:
		gs := []generated{{sForm(lemma), plural}}
		if stem, ok := strings.CutSuffix(lemma, "man"); ok {
			gs = append(gs, generated{stem + "men", plural})
		}
		return gs
	case Verb:
		return []generated{{sForm(lemma), plural}, {edForm(lemma), past}, {ingForm(lemma), gerund}}
	case Adj:
		if !takesSuffixComparison(lemma) {
			return nil
		}
		return []generated{{suffixed(lemma, "er"), comparative}, {suffixed(lemma, "est"), superlative}}
	}
	return nil
}

func sForm(w string) string {
	switch {
	case endsWithAny(w, "s", "x", "z", "ch", "sh"):
		return w + "es"
	case consonantY(w):
		return w[:len(w)-1] + "ies"
	}
	return w + "s"
}

func edForm(w string) string { return suffixed(w, "ed") }

func ingForm(w string) string {
	switch {
	case strings.HasSuffix(w, "ie"):
		return w[:len(w)-2] + "ying"
	case strings.HasSuffix(w, "e") && !endsWithAny(w, "ee", "oe", "ye") && len(w) > 2:
		return w[:len(w)-1] + "ing"
	}
	return w + "ing"
}

// suffixed adds a suffix starting with "e" (-ed, -er, -est), merging a final
// "e" and turning a final consonant+"y" into "i".
func suffixed(w, suffix string) string {
	switch {
	case strings.HasSuffix(w, "e"):
		return w + suffix[1:]
	case consonantY(w):
		return w[:len(w)-1] + "i" + suffix
	}
	return w + suffix
}

func takesSuffixComparison(w string) bool {
	n := syllables(w)
	return n == 1 || (n == 2 && consonantY(w))
}

// syllables estimates syllables as vowel groups, not counting a silent
// final "e".
func syllables(w string) int {
	n, prev := 0, false
	for i := 0; i < len(w); i++ {
		v := isVowel(w[i]) || (w[i] == 'y' && i > 0)
		if v && !prev {
			n++
		}
		prev = v
	}
	if n > 1 && strings.HasSuffix(w, "e") && !strings.HasSuffix(w, "le") && !isVowel(w[len(w)-2]) {
		n--
	}
	return n
}

func consonantY(w string) bool {
	return len(w) >= 2 && w[len(w)-1] == 'y' && !isVowel(w[len(w)-2])
}

func isVowel(c byte) bool { return strings.IndexByte("aeiou", c) >= 0 }

func endsWithAny(w string, suffixes ...string) bool {
	for _, s := range suffixes {
		if strings.HasSuffix(w, s) {
			return true
		}
	}
	return false
}

// dedupe removes repeats and the lemma itself, keeping first occurrences.
func dedupe(forms []string, lemma string) []string {
	seen := map[string]bool{lemma: true}
	out := forms[:0]
	for _, f := range forms {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}
