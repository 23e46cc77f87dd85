// Package build generates the thesaurus table from WordNet and the policy
// statements. It is separate from the generator command so that the
// thesaurus tests can regenerate the table and compare it with the
// committed one.
package build

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/english"
	"github.com/policybot/policybot/knowledge/thesaurus"
	"github.com/policybot/policybot/knowledge/thesaurus/internal/wordnet"
)

const (
	// minWeight drops the faintest links: a gloss word reached through a
	// collocation (0.15) says almost nothing about a single query word.
	minWeight = 25
	// minKeyWeight: a word becomes a key only if a WordNet pointer
	// relation (an antonym or anything closer) or a synonym links it to the
	// statements. Gloss mentions and words of collocations may add targets
	// to a key but do not make one: alone they are weak, and they would
	// double the table, mostly with rare words such as Latin species names.
	minKeyWeight = 40
)

// Generate writes the table for the statements matching statementsGlob,
// using the WordNet database in wordnetDir.
func Generate(wordnetDir, statementsGlob string, w io.Writer) error {
	db, err := wordnet.Load(wordnetDir)
	if err != nil {
		return err
	}
	freq, pairs, err := readStatements(statementsGlob)
	if err != nil {
		return err
	}
	vocab := newVocabulary(db, freq)
	table := collect(db, vocab)
	definitions(db, vocab, pairs, table)
	return write(w, table, vocab)
}

// collect files the related statement words under every key. A key gets
// the relations of all its morphy base forms, and the words of a
// collocation also get a share of the collocation's relations.
func collect(db *wordnet.DB, vocab *vocabulary) map[string]targets {
	r := newRelator(db, vocab)
	table := make(map[string]targets)
	lemmas := allLemmas(db)
	for _, key := range keyWords(db, lemmas) {
		for _, base := range baseForms(db, key) {
			merge(table, key, r.related(base), 1)
		}
	}
	for _, lemma := range lemmas {
		parts := contentWords(lemma)
		if len(parts) < 2 {
			continue
		}
		// A collocation ("third_world") can only be looked up word by
		// word, and one word is weaker evidence than the whole phrase.
		t := r.related(lemma)
		for _, part := range parts {
			if isKey(part) {
				merge(table, part, t, collocationShare)
			}
		}
	}
	phrases(db, r, table)
	return table
}

// weightDerived: a phrase's synonym that is a statement word in another
// derivation, as for WordNet's derivationally related forms.
const weightDerived = 90

// phrasePOS are the parts of speech whose two-word lemmas are keys:
// phrasal verbs ("take_part", "set_up", "listen_in") and the like, which
// chat uses for the statements' formal words and whose meaning is not
// their words' ("take part" is to participate, not to take a part). Noun
// compounds are left to their words: there are twenty times as many.
var phrasePOS = []wordnet.POS{wordnet.Verb, wordnet.Adj, wordnet.Adv}

// phrases files two-word lemmas under "first_second", and under the
// irregular forms of the first word ("took_part").
func phrases(db *wordnet.DB, r *relator, table map[string]targets) {
	irregular := map[string][]string{} // base -> irregular forms
	for _, f := range db.ExceptionForms() {
		for _, l := range db.Morphy(f) {
			if l.Word != f && !slices.Contains(irregular[l.Word], f) {
				irregular[l.Word] = append(irregular[l.Word], f)
			}
		}
	}
	// A phrase's one-word synonyms may be statement words in another
	// derivation ("participate" for "participation"), which the
	// retriever's stemming meets but the table's targets would not.
	stems := map[string]string{}
	for _, w := range sortedKeys(r.vocab.freq) {
		st := stem(w)
		if cur, ok := stems[st]; !ok || r.vocab.freq[w] > r.vocab.freq[cur] {
			stems[st] = w
		}
	}
	for _, pos := range phrasePOS {
		for _, lemma := range db.Lemmas(pos) {
			first, second, ok := PhraseKey(lemma)
			if !ok {
				continue
			}
			t := make(targets)
			for w, wt := range r.related(lemma) {
				t.add(w, wt)
			}
			senses := db.Senses(lemma, pos)
			for _, id := range senses[:min(len(senses), maxSenses)] {
				s := db.Synset(id)
				if s == nil {
					continue
				}
				for _, w := range s.Words {
					if w == lemma || !isASCIIWord(w) || len(r.vocab.words(w)) > 0 {
						continue
					}
					if sw, ok := stems[stem(w)]; ok {
						t.add(sw, weightDerived)
					}
				}
			}
			merge(table, lemma, t, 1)
			for _, f := range irregular[first] {
				if isASCIIWord(f) {
					merge(table, f+"_"+second, t, 1)
				}
			}
		}
	}
}

// PhraseKey splits a two-word lemma of lowercase ASCII words.
func PhraseKey(lemma string) (first, second string, ok bool) {
	first, second, ok = strings.Cut(lemma, "_")
	if !ok || len(first) < 2 || len(second) < 2 || !isASCIIWord(first) || !isASCIIWord(second) {
		return "", "", false
	}
	return first, second, true
}

func isASCIIWord(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	return w != ""
}

// allLemmas lists the distinct lemmas of all parts of speech, sorted.
func allLemmas(db *wordnet.DB) []string {
	var all []string
	for _, pos := range wordnet.AllPOS {
		all = append(all, db.Lemmas(pos)...)
	}
	slices.Sort(all)
	return slices.Compact(all)
}

// keyWords returns the single-word lemmas, the irregular inflections and
// the words of collocations, sorted. Regular inflections are left to
// thesaurus.Lookup, except where a collocation word already makes them a
// key ("nations" from "united_nations").
func keyWords(db *wordnet.DB, lemmas []string) []string {
	var keys []string
	for _, w := range slices.Concat(lemmas, db.ExceptionForms()) {
		for _, k := range contentWords(w) {
			if isKey(k) {
				keys = append(keys, k)
			}
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// baseForms returns the distinct lemma spellings morphy finds for a key
// (across parts of speech), e.g. "arms" -> "arms", "arm".
func baseForms(db *wordnet.DB, key string) []string {
	var out []string
	for _, l := range db.Morphy(key) {
		if !slices.Contains(out, l.Word) {
			out = append(out, l.Word)
		}
	}
	return out
}

// isKey reports whether w can be a key: a lowercase ASCII word that is not
// a stop word, which is what the consumer's tokenizer produces.
func isKey(w string) bool {
	if len(w) < 2 || isStopWord(w) {
		return false
	}
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	return true
}

func merge(table map[string]targets, key string, t targets, divisor int) {
	dst := table[key]
	if dst == nil {
		dst = make(targets)
		table[key] = dst
	}
	for word, w := range t {
		dst.add(word, w/divisor)
	}
}

// related is one finished table entry.
type related struct {
	word   string
	weight int
}

// finish orders a key's targets and trims them. Targets sharing the key's
// stem are dropped (the retriever stems both sides, so they add nothing),
// as are all but the strongest of targets sharing a stem with each other.
func finish(key string, t targets, vocab *vocabulary) []related {
	list := make([]related, 0, len(t))
	for word, w := range t {
		if w >= minWeight {
			list = append(list, related{word, w})
		}
	}
	slices.SortFunc(list, func(a, b related) int {
		return cmp.Or(
			cmp.Compare(b.weight, a.weight),
			cmp.Compare(vocab.freq[b.word], vocab.freq[a.word]),
			cmp.Compare(a.word, b.word),
		)
	})
	seen := map[string]bool{stem(key): true}
	if first, second, ok := PhraseKey(key); ok {
		// A phrase's own words are what it does not mean.
		seen[stem(first)] = true
		seen[stem(second)] = true
	}
	out := list[:0]
	for _, r := range list {
		stem := stem(r.word)
		if seen[stem] {
			continue
		}
		seen[stem] = true
		out = append(out, r)
		if len(out) == thesaurus.MaxRelated {
			break
		}
	}
	return out
}

// write emits "key<TAB>word:weight word:weight ..." lines in key order.
func write(w io.Writer, table map[string]targets, vocab *vocabulary) error {
	bw := bufio.NewWriter(w)
	for _, key := range sortedKeys(table) {
		list := finish(key, table[key], vocab)
		if len(list) == 0 || list[0].weight < minKeyWeight {
			continue
		}
		bw.WriteString(key)
		for i, r := range list {
			sep := " "
			if i == 0 {
				sep = "\t"
			}
			fmt.Fprintf(bw, "%s%s:%d.%02d", sep, r.word, r.weight/100, r.weight%100)
		}
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing table: %w", err)
	}
	return nil
}

// stem is the English (Porter2) stem of a word, as the retriever stems.
func stem(word string) string {
	env := snowballstem.NewEnv(word)
	english.Stem(env)
	return env.Current()
}
