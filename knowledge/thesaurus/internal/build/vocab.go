package build

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"

	"github.com/policybot/policybot/knowledge/thesaurus/internal/wordnet"
)

// vocabulary is what the statements say: the only words a table may point
// to, since expansion is useless unless the target can match a paragraph.
type vocabulary struct {
	freq map[string]int // statement word -> occurrences
	// surface maps a WordNet lemma to the statement word that realises it,
	// e.g. "militarize" -> "militarized", "country" -> "country".
	surface map[string]string
	// memo caches words(): the generator asks about every word of every
	// synset it visits, most of them many times.
	memo map[string][]string
}

// readStatements tokenizes every file matching glob: each word's count,
// and the pairs of words that stand next to each other.
func readStatements(glob string) (map[string]int, map[[2]string]bool, error) {
	paths, err := filepath.Glob(glob)
	if err != nil {
		return nil, nil, fmt.Errorf("statements glob %q: %w", glob, err)
	}
	if len(paths) == 0 {
		return nil, nil, fmt.Errorf("statements glob %q matches no files", glob)
	}
	slices.Sort(paths)
	freq := make(map[string]int)
	pairs := make(map[[2]string]bool)
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, nil, fmt.Errorf("reading statement: %w", err)
		}
		ws := Words(string(b))
		for i, w := range ws {
			freq[w]++
			if i > 0 {
				pairs[[2]string{ws[i-1], w}] = true
			}
		}
	}
	return freq, pairs, nil
}

// Words splits text into lowercase runs of letters, the same tokens the
// table uses for keys and targets.
func Words(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) })
}

// newVocabulary keeps the content words of the statements and indexes them
// by their WordNet lemmas, so relations found between lemmas can be turned
// back into words that literally occur in the text.
func newVocabulary(db *wordnet.DB, freq map[string]int) *vocabulary {
	v := &vocabulary{
		freq:    make(map[string]int),
		surface: make(map[string]string),
		memo:    make(map[string][]string),
	}
	for w, n := range freq {
		if len(w) > 1 && !isStopWord(w) {
			v.freq[w] = n
		}
	}
	for _, w := range sortedKeys(v.freq) {
		v.offer(w, w)
		for _, l := range db.Morphy(w) {
			v.offer(l.Word, w)
		}
	}
	return v
}

// offer records word as a realisation of lemma. The lemma itself wins if it
// occurs; otherwise the most frequent form, then the alphabetically first,
// so the choice does not depend on map order.
func (v *vocabulary) offer(lemma, word string) {
	cur, ok := v.surface[lemma]
	switch {
	case !ok:
	case cur == lemma:
		return
	case word == lemma:
	case v.freq[word] > v.freq[cur]:
	case v.freq[word] == v.freq[cur] && word < cur:
	default:
		return
	}
	v.surface[lemma] = word
}

// words maps a WordNet lemma (possibly a collocation like "arms_race") to
// statement words. A collocation counts only if every content word in it
// occurs in the statements: "arms_race" yields "arms" and "race", but
// "security_blanket" yields nothing rather than a misleading "security".
// A closed compound the statements write open ("cyberspace" for "cyber
// space") is split the same way.
func (v *vocabulary) words(lemma string) []string {
	if ws, ok := v.memo[lemma]; ok {
		return ws
	}
	ws := v.lookup(lemma)
	v.memo[lemma] = ws
	return ws
}

func (v *vocabulary) lookup(lemma string) []string {
	if s, ok := v.surface[lemma]; ok && !isStopWord(lemma) {
		return []string{s}
	}
	parts := contentWords(lemma)
	if len(parts) == 1 {
		if s, ok := v.surface[parts[0]]; ok {
			return []string{s}
		}
		parts = v.splitCompound(parts[0])
	}
	var out []string
	for _, part := range parts {
		s, ok := v.surface[part]
		if !ok {
			return nil
		}
		out = append(out, s)
	}
	return out
}

// minCompoundPart keeps compound splitting from finding words inside words:
// short statement words such as "war", "law" and "arm" begin many unrelated
// words.
const minCompoundPart = 4

// splitCompound splits a word into two statement content words, trying
// split points left to right, or returns nil.
func (v *vocabulary) splitCompound(w string) []string {
	for i := minCompoundPart; i <= len(w)-minCompoundPart; i++ {
		head, tail := w[:i], w[i:]
		if v.isContent(head) && v.isContent(tail) {
			return []string{head, tail}
		}
	}
	return nil
}

func (v *vocabulary) isContent(w string) bool {
	_, ok := v.surface[w]
	return ok && !isStopWord(w)
}

// contentWords splits a lemma on non-letters and drops stop words.
func contentWords(lemma string) []string {
	var out []string
	for _, w := range Words(lemma) {
		if len(w) > 1 && !isStopWord(w) {
			out = append(out, w)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
