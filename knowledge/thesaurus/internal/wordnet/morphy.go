package wordnet

import (
	"slices"
	"strings"
)

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
		for _, base := range detach(word, pos) {
			add(base, pos)
		}
	}
	return out
}

// Detach returns the candidate base forms of word under the detachment
// rules of every part of speech, in rule order and without repeats. It needs
// no database, so a caller holding only a list of lemmas can use it to look
// up regular inflections ("countries" -> "country", "governed" -> "govern").
func Detach(word string) []string {
	var out []string
	seen := map[string]bool{word: true}
	for _, pos := range AllPOS {
		for _, base := range detach(word, pos) {
			if !seen[base] {
				seen[base] = true
				out = append(out, base)
			}
		}
	}
	return out
}

func detach(word string, pos POS) []string {
	var out []string
	for _, r := range detachRules[pos] {
		if stem, ok := strings.CutSuffix(word, r.Suffix); ok && stem != "" {
			out = append(out, stem+r.Ending)
		}
	}
	return out
}

// ExceptionForms returns every inflected form in the exception lists,
// sorted: the irregular forms ("went", "eavesdropping") that the
// detachment rules cannot undo.
func (db *DB) ExceptionForms() []string {
	var forms []string
	for _, pos := range AllPOS {
		for f := range db.exceptions[pos] {
			forms = append(forms, f)
		}
	}
	slices.Sort(forms)
	return slices.Compact(forms)
}
