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
// gets the weight divided by the number of the lemma's words, function words
// included ("put_on_the_line" gives "line" a quarter); a closed compound the
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
// One relation goes the other way, from the statements: a content word of
// the definition of a statement collocation (two words standing together
// in a statement that make a WordNet lemma) reaches the collocation's word
// the statements use least, at 0.50: "poor" -> "developing", from
// "developing country: a country that is poor …", "competition" -> "race"
// from "arms race". A definition word that is itself a statement word is
// left to match itself.
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
// # Reading the table
//
// Load uses the embedded text in place, which makes start-up nearly free
// (parsing the whole table into a map took most of it): the generator
// writes the lines sorted by key in byte order (Go's string order, and
// LC_ALL=C sort's; "_" sorts before the letters), so Lookup finds a key by
// binary search over the lines' offsets and their keys' first eight bytes,
// indexed in one pass at Load (about 0.3 ms), and parses only the line it
// finds. The embedded table is not validated when loaded; the tests run
// the validating Parse over it and check that it is in the form the
// search relies on.
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
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/policybot/policybot/knowledge/internal/sortkey"
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
	// text is the table in canonical form, which Lookup's binary search
	// needs: one line "key<TAB>word:weight word:weight ..." per key, each
	// ending in a newline, keys unique and sorted byte-wise, entries
	// separated by single spaces, weights numbers in (0, 1].
	text string
	// starts holds each line's offset in text and prefixes its key's
	// first eight bytes, big-endian and zero-padded, which order as the
	// keys do: the binary search runs over 230 KB of packed integers
	// rather than 860 KB of text, and compares whole keys only where
	// prefixes are equal.
	starts   []uint32
	prefixes []uint64
	// seconds holds the second words of the phrase keys, so that most
	// pairs of words are known to be no phrase at one map lookup.
	seconds map[string]bool
}

// newTable indexes a table in canonical form, in one pass over its lines
// (about 0.3 ms for the embedded table).
func newTable(text string) *Table {
	n := strings.Count(text, "\n")
	t := &Table{text: text, starts: make([]uint32, 0, n), prefixes: make([]uint64, 0, n), seconds: make(map[string]bool)}
	for off := 0; off < len(text); {
		end := off + strings.IndexByte(text[off:], '\n')
		key := lineKey(text[off:end])
		t.starts = append(t.starts, uint32(off))
		t.prefixes = append(t.prefixes, sortkey.Prefix8(key))
		if _, second, ok := strings.Cut(key, "_"); ok {
			t.seconds[second] = true
		}
		off = end + 1
	}
	return t
}

// Load returns the embedded table, used in place. Call it once and share
// the result.
func Load() (*Table, error) {
	// Parse, which the tests run over this text, checks it fully. Only
	// what would silently turn the thesaurus off or miscount its keys
	// (an empty or truncated embedding) is checked here.
	if !strings.HasSuffix(relatedTSV, "\n") {
		return nil, errors.New("embedded related.tsv is empty or does not end in a newline")
	}
	return newTable(relatedTSV), nil
}

// Parse reads and validates a table in the related.tsv format: one line per
// key, "key<TAB>word:weight word:weight ...", words lowercase, weights in
// (0, 1], keys in any order. The table it returns holds the lines in the
// canonical form that Lookup searches.
func Parse(r io.Reader) (*Table, error) {
	var lines []string
	keys := make(map[string]bool)
	sorted, prev := true, ""
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		key, line, err := parseLine(sc.Text())
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if keys[key] {
			return nil, fmt.Errorf("line %d: duplicate key %q", n, key)
		}
		keys[key] = true
		sorted = sorted && prev < key // keys are not empty
		prev = key
		lines = append(lines, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading table: %w", err)
	}
	if !sorted {
		slices.SortFunc(lines, func(a, b string) int { return strings.Compare(lineKey(a), lineKey(b)) })
	}
	var text strings.Builder
	for _, line := range lines {
		text.WriteString(line)
		text.WriteByte('\n')
	}
	return newTable(text.String()), nil
}

// parseLine validates a line and returns its key and its canonical form.
func parseLine(line string) (key, canonical string, err error) {
	key, list, ok := strings.Cut(line, "\t")
	if !ok {
		return "", "", fmt.Errorf("no tab after key in %q", line)
	}
	if !isKey(key) {
		return "", "", fmt.Errorf("key %q is not a lowercase word or two joined by _", key)
	}
	fields := strings.Fields(list)
	if len(fields) == 0 {
		return "", "", fmt.Errorf("key %q has no related words", key)
	}
	if len(fields) > MaxRelated {
		return "", "", fmt.Errorf("key %q has %d related words, more than %d", key, len(fields), MaxRelated)
	}
	for _, f := range fields {
		r, err := parseRelated(f)
		if err != nil {
			return "", "", fmt.Errorf("key %q: %w", key, err)
		}
		if r.Word == key {
			return "", "", fmt.Errorf("key %q is related to itself", key)
		}
	}
	if canonical = key + "\t" + strings.Join(fields, " "); canonical == line {
		canonical = line // keep one copy
	}
	return key, canonical, nil
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

// lineKey returns the key of a canonical line.
func lineKey(line string) string {
	key, _, _ := strings.Cut(line, "\t")
	return key
}

// find returns the list of related words of key, the text after its tab,
// and whether key is in the table.
func (t *Table) find(key string) (string, bool) {
	p := sortkey.Prefix8(key)
	i, _ := slices.BinarySearch(t.prefixes, p)
	for ; i < len(t.prefixes) && t.prefixes[i] == p; i++ {
		line := t.text[t.starts[i]:]
		if len(line) > len(key) && line[len(key)] == '\t' && line[:len(key)] == key {
			list := line[len(key)+1:]
			return list[:strings.IndexByte(list, '\n')], true
		}
	}
	return "", false
}

// appendRelated appends the entries of a list that find returned to dst.
func appendRelated(dst []Related, list string) []Related {
	for list != "" {
		var f string
		f, list, _ = strings.Cut(list, " ")
		word, w, _ := strings.Cut(f, ":")
		dst = append(dst, Related{word, parseWeight(w)})
	}
	return dst
}

// parseWeight reads a weight that Parse accepted. The generator writes two
// decimals ("0.70"), read here without strconv, which saves about a fifth
// of a Lookup. The values are exactly strconv.ParseFloat's: the division
// of the exact integers n and 100 is correctly rounded, so it gives the
// double nearest to n/100, as ParseFloat does.
func parseWeight(s string) float64 {
	if len(s) == 4 && s[1] == '.' && isDigit(s[0]) && isDigit(s[2]) && isDigit(s[3]) {
		return float64(int(s[0]-'0')*100+int(s[2]-'0')*10+int(s[3]-'0')) / 100
	}
	w, _ := strconv.ParseFloat(s, 64)
	return w
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// Len returns the number of keys.
func (t *Table) Len() int { return len(t.starts) }

// Keys returns the keys in sorted order.
func (t *Table) Keys() []string {
	keys := make([]string, 0, t.Len())
	for text := t.text; text != ""; {
		var line string
		line, text, _ = strings.Cut(text, "\n")
		keys = append(keys, lineKey(line))
	}
	return keys
}

// Lookup returns the statement words related to a lowercase word, strongest
// first, or nil. A word that is not a key is tried under WordNet's
// detachment rules, so regular inflections ("countries", "governed",
// "richer") find their lemma's entry; when several base forms are keys
// their entries are merged. The result is the caller's to modify.
func (t *Table) Lookup(word string) []Related {
	if list, ok := t.find(word); ok {
		return appendRelated(make([]Related, 0, strings.Count(list, " ")+1), list)
	}
	var merged []Related
	var buf [MaxRelated]Related // one base's entries, copied by mergeRelated
	for _, base := range wordnet.Detach(word) {
		if list, ok := t.find(base); ok {
			merged = mergeRelated(merged, appendRelated(buf[:0], list))
		}
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
	if list, ok := t.find(first + "_" + second); ok {
		return appendRelated(make([]Related, 0, strings.Count(list, " ")+1), list)
	}
	var merged []Related
	var buf [MaxRelated]Related
	for _, base := range wordnet.Detach(first) {
		if list, ok := t.find(base + "_" + second); ok {
			merged = mergeRelated(merged, appendRelated(buf[:0], list))
		}
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
