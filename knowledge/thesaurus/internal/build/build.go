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

	"github.com/kljensen/snowball/english"
	"github.com/policybot/policybot/knowledge/thesaurus/internal/wordnet"
)

// MaxTargets bounds each key's list: past the strongest few relations
// WordNet mostly adds noise, and a short list keeps the table small.
const MaxTargets = 8

// Generate writes the table for the statements matching statementsGlob,
// using the WordNet database in wordnetDir.
func Generate(wordnetDir, statementsGlob string, w io.Writer) error {
	db, err := wordnet.Load(wordnetDir)
	if err != nil {
		return err
	}
	freq, err := readStatements(statementsGlob)
	if err != nil {
		return err
	}
	vocab := newVocabulary(db, freq)
	table := collect(db, vocab)
	return write(w, table, vocab)
}

// collect relates every WordNet lemma to statement words and files the
// result under each key the lemma can be typed as.
func collect(db *wordnet.DB, vocab *vocabulary) map[string]targets {
	r := &relator{db: db, vocab: vocab}
	table := make(map[string]targets)
	for _, lemma := range allLemmas(db) {
		t := r.related(lemma)
		if len(t) == 0 {
			continue
		}
		if isKey(lemma) {
			for _, k := range keyForms(db, lemma) {
				merge(table, k, t, 1)
			}
			continue
		}
		// A collocation ("third_world") can only be looked up word by
		// word, and one word is weaker evidence than the whole phrase.
		for _, part := range contentWords(lemma) {
			if isKey(part) {
				merge(table, part, t, collocationShare)
			}
		}
	}
	return table
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

// keyForms returns lemma and its inflections in every part of speech it
// has, because the consumer looks up query words as typed.
func keyForms(db *wordnet.DB, lemma string) []string {
	forms := []string{lemma}
	for _, pos := range wordnet.AllPOS {
		if len(db.Senses(lemma, pos)) == 0 {
			continue
		}
		for _, f := range db.Inflections(lemma, pos) {
			if isKey(f) {
				forms = append(forms, f)
			}
		}
	}
	return forms
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
		if w > 0 {
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
	seen := map[string]bool{english.Stem(key, true): true}
	out := list[:0]
	for _, r := range list {
		stem := english.Stem(r.word, true)
		if seen[stem] || r.word == key {
			continue
		}
		seen[stem] = true
		out = append(out, r)
		if len(out) == MaxTargets {
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
		if len(list) == 0 {
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
