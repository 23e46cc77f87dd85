package build

import (
	"slices"

	"github.com/policybot/policybot/knowledge/thesaurus/internal/wordnet"
)

// weightDefining is the weight of a word of a statement collocation's
// definition, as a relation to the collocation. The definition says what
// the collocation is ("developing country: a country that is poor …"),
// so the word names it more directly than a word of another lemma's
// definition names that lemma (weightGloss): "poor countries" are the
// statement's developing countries.
const weightDefining = 50

// definitions relates the content words of the definitions of the
// statements' collocations (two words that stand next to each other in a
// statement and make a WordNet lemma: "developing countries", "arms race",
// "cold war") to the collocation, through its word that the statements
// use least, or the first of two used as often ("developing", "race",
// "cold"). The other relations go from a word to the statement words its
// own senses reach; this one goes back from the statement, and only from
// its collocations, whose definitions say in everyday words what its terms
// of art mean. A definition word that is itself a statement word matches
// itself, and one in more definitions than maxGlossDF is WordNet's
// defining vocabulary.
func definitions(db *wordnet.DB, vocab *vocabulary, pairs map[[2]string]bool, table map[string]targets) {
	df := definitionDF(db)
	for _, c := range collocations(db, vocab, pairs) {
		for _, pos := range wordnet.AllPOS {
			senses := db.Senses(c.lemma, pos)
			for _, id := range senses[:min(len(senses), maxSenses)] {
				s := db.Synset(id)
				if s == nil {
					continue
				}
				for _, tok := range contentWords(quoted.ReplaceAllString(s.Gloss, " ")) {
					key := tok
					if ls := db.Morphy(tok); len(ls) > 0 {
						key = ls[0].Word
					}
					if _, own := vocab.surface[key]; own || df[tok] > maxGlossDF || !isKey(key) {
						continue
					}
					if table[key] == nil {
						table[key] = make(targets)
					}
					table[key].add(c.word, weightDefining)
				}
			}
		}
	}
}

// collocation is a WordNet lemma the statements write as two words, with
// the one of them they use least (the first, if as often).
type collocation struct{ lemma, word string }

// collocations finds the statements' collocations, in lemma order.
func collocations(db *wordnet.DB, vocab *vocabulary, pairs map[[2]string]bool) []collocation {
	found := make(map[string]string)
	forms := func(w string) []string {
		out := []string{w}
		for _, l := range db.Morphy(w) {
			if l.Word != w {
				out = append(out, l.Word)
			}
		}
		return out
	}
	for p := range pairs {
		if isStopWord(p[0]) || isStopWord(p[1]) {
			continue
		}
		word := p[0]
		if vocab.freq[p[1]] < vocab.freq[p[0]] {
			word = p[1]
		}
		for _, a := range forms(p[0]) {
			for _, b := range forms(p[1]) {
				lemma := a + "_" + b
				for _, pos := range wordnet.AllPOS {
					if len(db.Senses(lemma, pos)) > 0 {
						if cur, ok := found[lemma]; !ok || word < cur {
							found[lemma] = word
						}
					}
				}
			}
		}
	}
	out := make([]collocation, 0, len(found))
	for _, lemma := range sortedKeys(found) {
		out = append(out, collocation{lemma, found[lemma]})
	}
	return out
}

// definitionDF counts, for each content word of a definition, the synsets
// whose definition has it.
func definitionDF(db *wordnet.DB) map[string]int {
	df := make(map[string]int)
	seen := make(map[wordnet.SynsetID]bool)
	for _, pos := range wordnet.AllPOS {
		for _, lemma := range db.Lemmas(pos) {
			for _, id := range db.Senses(lemma, pos) {
				s := db.Synset(id)
				if seen[id] || s == nil {
					continue
				}
				seen[id] = true
				words := contentWords(quoted.ReplaceAllString(s.Gloss, " "))
				for i, w := range words {
					if !slices.Contains(words[:i], w) {
						df[w]++
					}
				}
			}
		}
	}
	return df
}
