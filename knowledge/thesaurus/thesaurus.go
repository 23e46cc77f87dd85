// Package thesaurus relates words a user may type to the words the policy
// statements actually use, so that lexical retrieval can match paraphrases:
// "watching" finds the paragraph about "surveillance", "nation" the ones
// about "countries", "underdeveloped" the one about "developing" countries.
//
// # Method
//
// The table is generated from WordNet 3.0 (Debian's wordnet-base) by
// go run ./knowledge/thesaurus/gen, which parses the database files itself.
// A target is always a word that literally occurs in a statement
// (knowledge/statements/*.txt), lowercased and split on non-letters. Stop
// words (function words and very generic ones such as "make", "thing",
// "way") are never keys or targets. A WordNet lemma reaches a statement
// word when the word, or its lemma under WordNet's morphy ("militarized" ->
// "militarize"), is one of the lemma's related words below. A multiword lemma ("arms_race") counts
// only if all its content words occur in the statements, and then each word
// gets the weight divided by the number of words; a closed compound the
// statements write open ("cyberspace", "cyber space") is split the same way.
//
// Only the first four senses of a lemma in each part of speech are used (the
// index lists them most frequent first), on both sides of a relation: a
// statement word is reached through a synset only if that synset is among
// its own first four senses, so the rare senses of polysemous words such as
// "turn" or "work" do not link them to everything.
//
// Relations and weights (a target keeps its strongest path):
//
//	1.00  synonym: another word of the same synset
//	0.90  derivationally related form (+): govern -> governance
//	0.80  similar to (&), also see (^), pertainym (\), participle (<),
//	      verb group ($)
//	0.70  hypernym, instance hypernym (@, @i)
//	0.60  hyponym, instance hyponym (~, ~i); attribute (=): rich ->
//	      financial condition; entailment (*); cause (>)
//	0.50  hypernym of a hypernym; member, part and substance holonyms and
//	      meronyms (#m #p #s %m %p %s)
//	0.40  antonym (!): a question about "rich" states concerns "poor" ones;
//	      topic domain (;c)
//	0.30  a content word of the definition (example sentences removed)
//
// Hypernyms with more than 500 synsets below them ("group", "act",
// "change") are skipped as too general, and so are definition words found
// in more than 500 of WordNet's 117,659 glosses ("state", "form", "people").
// A word that is only part of a collocation ("third" in "third_world") gets
// the collocation's relations at half weight.
//
// Keys are single lowercase words, and the two-word verbs, adjectives and
// adverbs of WordNet joined by an underscore ("take_part", "set_up",
// "ramp_up"; LookupPhrase): chat says "take part" for "participation".
// A phrase also reaches the statement words that are another derivation
// of its one-word synonyms ("participate" → "participation", 0.90),
// never its own words, and is also filed under the irregular forms of its
// first word ("took_part"). The single-word candidates are every single-word
// lemma, every irregular form in WordNet's exception lists ("fought",
// "eavesdropping"), and every content word of a collocation. Each key gets the relations of all its
// morphy base forms. A key is kept only if some relation of weight 0.40 or
// more links it to the statements (gloss mentions and collocation words
// alone are too weak to justify a line); weights under 0.25 are dropped;
// targets with the key's Snowball stem, or with the stem of a stronger
// target, are dropped because the retriever stems both sides; and at most
// MaxRelated targets are kept, by weight, then statement frequency, then
// alphabet. Regular inflections are not keys: Lookup undoes them with
// morphy's detachment rules, which keeps the table small.
//
// # Regenerating
//
// After editing a statement, or to change the method, run from the module
// root:
//
//	go run ./knowledge/thesaurus/gen
//
// The output is deterministic; a test checks that the committed table
// matches a fresh one when /usr/share/wordnet is present.
package thesaurus

import (
	"bufio"
	"cmp"
	_ "embed"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/policybot/policybot/knowledge/thesaurus/internal/wordnet"
)

// MaxRelated is the most targets a key has in the table and the most that
// Lookup returns.
const MaxRelated = 8

//go:embed related.tsv
var relatedTSV string

// Related is a statement word related to a looked-up word. Weight is in
// (0, 1]: 1 for a synonym, lower for looser relations.
type Related struct {
	Word   string
	Weight float64
}

// Table maps query words to related statement words. It is read-only after
// Load or Parse and safe for concurrent use.
type Table struct {
	entries map[string][]Related
	// seconds holds the second words of the phrase keys, so that most
	// pairs of words are known to be no phrase at one lookup.
	seconds map[string]bool
}

// Load parses the embedded table. Call it once and share the result.
func Load() (*Table, error) {
	t, err := Parse(strings.NewReader(relatedTSV))
	if err != nil {
		return nil, fmt.Errorf("embedded related.tsv: %w", err)
	}
	return t, nil
}

// Parse reads a table in the related.tsv format: one line per key,
// "key<TAB>word:weight word:weight ...", words lowercase, weights in (0, 1].
func Parse(r io.Reader) (*Table, error) {
	t := &Table{entries: make(map[string][]Related), seconds: make(map[string]bool)}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		key, rel, err := parseLine(sc.Text())
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if _, dup := t.entries[key]; dup {
			return nil, fmt.Errorf("line %d: duplicate key %q", n, key)
		}
		t.entries[key] = rel
		if _, second, ok := strings.Cut(key, "_"); ok {
			t.seconds[second] = true
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading table: %w", err)
	}
	return t, nil
}

func parseLine(line string) (string, []Related, error) {
	key, list, ok := strings.Cut(line, "\t")
	if !ok {
		return "", nil, fmt.Errorf("no tab after key in %q", line)
	}
	if !isKey(key) {
		return "", nil, fmt.Errorf("key %q is not a lowercase word or two joined by _", key)
	}
	fields := strings.Fields(list)
	if len(fields) == 0 {
		return "", nil, fmt.Errorf("key %q has no related words", key)
	}
	if len(fields) > MaxRelated {
		return "", nil, fmt.Errorf("key %q has %d related words, more than %d", key, len(fields), MaxRelated)
	}
	rel := make([]Related, 0, len(fields))
	for _, f := range fields {
		r, err := parseRelated(f)
		if err != nil {
			return "", nil, fmt.Errorf("key %q: %w", key, err)
		}
		if r.Word == key {
			return "", nil, fmt.Errorf("key %q is related to itself", key)
		}
		rel = append(rel, r)
	}
	return key, rel, nil
}

func parseRelated(f string) (Related, error) {
	word, ws, ok := strings.Cut(f, ":")
	if !ok || !isWord(word) {
		return Related{}, fmt.Errorf("malformed entry %q, want word:weight", f)
	}
	w, err := strconv.ParseFloat(ws, 64)
	if err != nil || !(w > 0 && w <= 1) {
		return Related{}, fmt.Errorf("entry %q: weight must be a number in (0, 1]", f)
	}
	return Related{Word: word, Weight: w}, nil
}

// isWord reports whether s is a non-empty run of lowercase letters, which is
// what the generator emits and what a tokenizer splitting on non-letters
// produces.
func isWord(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) || unicode.ToLower(r) != r {
			return false
		}
	}
	return true
}

// isKey reports a word, or two words joined by an underscore
// ("take_part").
func isKey(s string) bool {
	a, b, ok := strings.Cut(s, "_")
	if !ok {
		return isWord(s)
	}
	return isWord(a) && isWord(b)
}

// Len returns the number of keys.
func (t *Table) Len() int { return len(t.entries) }

// Keys returns the keys in sorted order.
func (t *Table) Keys() []string {
	keys := make([]string, 0, len(t.entries))
	for k := range t.entries {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Lookup returns the statement words related to a lowercase word, strongest
// first, or nil. A word that is not a key is tried under WordNet's
// detachment rules, so regular inflections ("countries", "governed",
// "richer") find their lemma's entry; when several base forms are keys
// their entries are merged. The result is the caller's to modify.
func (t *Table) Lookup(word string) []Related {
	if rel, ok := t.entries[word]; ok {
		return slices.Clone(rel)
	}
	var merged []Related
	for _, base := range wordnet.Detach(word) {
		merged = mergeRelated(merged, t.entries[base])
	}
	slices.SortStableFunc(merged, func(a, b Related) int {
		return cmp.Compare(b.Weight, a.Weight)
	})
	return merged[:min(len(merged), MaxRelated)]
}

// LookupPhrase returns the statement words related to two words that
// WordNet lists together as one ("take part", "set up", "listen in"),
// or nil. The first word may be inflected ("taking part", "sets up").
func (t *Table) LookupPhrase(first, second string) []Related {
	if !t.seconds[second] {
		return nil
	}
	if rel, ok := t.entries[first+"_"+second]; ok {
		return slices.Clone(rel)
	}
	var merged []Related
	for _, base := range wordnet.Detach(first) {
		merged = mergeRelated(merged, t.entries[base+"_"+second])
	}
	slices.SortStableFunc(merged, func(a, b Related) int {
		return cmp.Compare(b.Weight, a.Weight)
	})
	return merged[:min(len(merged), MaxRelated)]
}

// mergeRelated adds rel to dst, keeping the larger weight of a word that is
// in both and the table's order otherwise.
func mergeRelated(dst, rel []Related) []Related {
outer:
	for _, r := range rel {
		for i := range dst {
			if dst[i].Word == r.Word {
				dst[i].Weight = max(dst[i].Weight, r.Weight)
				continue outer
			}
		}
		dst = append(dst, r)
	}
	return dst
}
