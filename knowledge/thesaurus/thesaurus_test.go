package thesaurus_test

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/policybot/policybot/knowledge/thesaurus"
	"github.com/policybot/policybot/knowledge/thesaurus/internal/build"
)

const (
	statementsGlob = "../statements/*.txt"
	wordnetDir     = "/usr/share/wordnet"
)

func load(t *testing.T) *thesaurus.Table {
	t.Helper()
	tab, err := thesaurus.Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return tab
}

// Two words WordNet lists as one are looked up together, inflected or not.
func TestLookupPhrase(t *testing.T) {
	tab := load(t)
	for _, c := range []struct{ first, second, want string }{
		{"take", "part", "participation"},
		{"taking", "part", "participation"},
		{"took", "part", "participation"},
		{"carry", "out", "implemented"},
	} {
		found := false
		for _, r := range tab.LookupPhrase(c.first, c.second) {
			found = found || r.Word == c.want
		}
		if !found {
			t.Errorf("LookupPhrase(%q, %q) = %v, want %q among them", c.first, c.second, tab.LookupPhrase(c.first, c.second), c.want)
		}
	}
	if rel := tab.LookupPhrase("take", "part"); slices.ContainsFunc(rel, func(r thesaurus.Related) bool { return r.Word == "part" }) {
		t.Errorf("take part is related to its own word: %v", rel)
	}
	if rel := tab.LookupPhrase("cyber", "space"); rel != nil {
		t.Errorf("LookupPhrase(cyber, space) = %v, want nil", rel)
	}
}

// TestLoadEmbeddedTable runs the validating Parse over the embedded text,
// which Load uses unchecked, and checks that the text is already in the
// canonical form Parse gives (sorted unique keys, single spaces, a newline
// after every line) that Lookup's binary search relies on.
func TestLoadEmbeddedTable(t *testing.T) {
	tab := load(t)
	if tab.Len() < 1000 {
		t.Errorf("embedded table has %d keys; expected thousands", tab.Len())
	}
	parsed, err := thesaurus.Parse(strings.NewReader(thesaurus.EmbeddedText()))
	if err != nil {
		t.Fatalf("embedded related.tsv: %v", err)
	}
	if parsed.Text() != thesaurus.EmbeddedText() {
		t.Fatal("embedded related.tsv is not in canonical form (sorted unique keys, single spaces, a final newline); regenerate it with go run ./knowledge/thesaurus/gen")
	}
	if parsed.Len() != tab.Len() {
		t.Errorf("Parse found %d keys, Load %d", parsed.Len(), tab.Len())
	}
}

// statementWords tokenizes the statements the way the generator does.
func statementWords(t *testing.T) map[string]bool {
	t.Helper()
	paths, err := filepath.Glob(statementsGlob)
	if err != nil || len(paths) == 0 {
		t.Fatalf("no statements at %s (err %v)", statementsGlob, err)
	}
	words := make(map[string]bool)
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range strings.FieldsFunc(strings.ToLower(string(b)), func(r rune) bool { return !unicode.IsLetter(r) }) {
			words[w] = true
		}
	}
	return words
}

func TestTargetsOccurInStatements(t *testing.T) {
	tab := load(t)
	words := statementWords(t)
	for _, key := range tab.Keys() {
		for _, r := range tab.Lookup(key) {
			if !words[r.Word] {
				t.Errorf("%s -> %s: %q does not occur in the statements", key, r.Word, r.Word)
			}
		}
	}
}

func TestEntriesAreWellFormed(t *testing.T) {
	tab := load(t)
	for _, key := range tab.Keys() {
		rel := tab.Lookup(key)
		if len(rel) == 0 || len(rel) > thesaurus.MaxRelated {
			t.Errorf("%s has %d related words", key, len(rel))
		}
		seen := make(map[string]bool)
		for i, r := range rel {
			if r.Word == key {
				t.Errorf("%s maps to itself", key)
			}
			if seen[r.Word] {
				t.Errorf("%s lists %s twice", key, r.Word)
			}
			seen[r.Word] = true
			if i > 0 && r.Weight > rel[i-1].Weight {
				t.Errorf("%s: related words not ordered by weight: %v", key, rel)
			}
		}
	}
}

// TestFileKeysSortedAndUnique reads the committed file itself: Parse
// tolerates any key order, but the generator promises output sorted by
// Go's (byte-wise) string order, which Load's binary search needs and
// which keeps the diffs of a regenerated table readable.
func TestFileKeysSortedAndUnique(t *testing.T) {
	f, err := os.Open("related.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	prev := ""
	for n := 1; sc.Scan(); n++ {
		key, _, _ := strings.Cut(sc.Text(), "\t")
		if key <= prev {
			t.Fatalf("line %d: key %q not after %q", n, key, prev)
		}
		prev = key
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}

func TestParseRejectsMalformedLines(t *testing.T) {
	const good = "country\tstate:1.00\n"
	tests := []struct {
		name, line, want string
	}{
		{"no tab", "nation country:1.00", "no tab"},
		{"empty key", "\tcountry:1.00", "not a lowercase word"},
		{"uppercase key", "Nation\tcountry:1.00", "not a lowercase word"},
		{"key with digit", "g8\tcountry:1.00", "not a lowercase word"},
		{"no targets", "nation\t", "no related words"},
		{"no weight", "nation\tcountry", "want word:weight"},
		{"bad word", "nation\tCountry:1.00", "want word:weight"},
		{"bad weight", "nation\tcountry:high", "weight must be"},
		{"zero weight", "nation\tcountry:0", "weight must be"},
		{"weight above one", "nation\tcountry:1.5", "weight must be"},
		{"NaN weight", "nation\tcountry:NaN", "weight must be"},
		{"self", "nation\tnation:1.00", "related to itself"},
		{"duplicate key", "country\tnation:1.00", "duplicate key"},
		{"too many", "nation\t" + strings.Repeat("country:1.00 ", thesaurus.MaxRelated+1), "more than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := thesaurus.Parse(strings.NewReader(good + tt.line + "\n"))
			if err == nil {
				t.Fatal("Parse accepted a malformed line")
			}
			if !strings.Contains(err.Error(), "line 2:") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q should name line 2 and say %q", err, tt.want)
			}
		})
	}
}

func TestParseAndLookup(t *testing.T) {
	tab, err := thesaurus.Parse(strings.NewReader(
		"country\tstate:1.00 developing:0.30\n" +
			"countrie\tstate:0.50 nation:0.40\n" + // a second detachment candidate
			"govern\tregulate:1.00\n"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		word string
		want []thesaurus.Related
	}{
		{"country", []thesaurus.Related{{"state", 1}, {"developing", 0.3}}},
		// Not a key: the detachment rules find "countrie" and "country";
		// entries merge, keeping the larger weight.
		{"countries", []thesaurus.Related{{"state", 1}, {"nation", 0.4}, {"developing", 0.3}}},
		{"governed", []thesaurus.Related{{"regulate", 1}}},
		{"governing", []thesaurus.Related{{"regulate", 1}}},
		{"nation", nil},
		{"", nil},
	}
	for _, tt := range tests {
		if got := tab.Lookup(tt.word); !slices.Equal(got, tt.want) {
			t.Errorf("Lookup(%q) = %v, want %v", tt.word, got, tt.want)
		}
	}
	// Results belong to the caller: changing one must not change the table.
	tab.Lookup("country")[0].Word = "changed"
	if got := tab.Lookup("country")[0].Word; got != "state" {
		t.Errorf("Lookup result aliases the table: got %q", got)
	}
}

// TestWordNetRelations checks relations that WordNet 3.0 states outright,
// so a broken parser or relation walk shows up as missing links.
func TestWordNetRelations(t *testing.T) {
	tab := load(t)
	tests := []struct {
		query, want string
		min         float64
		why         string
	}{
		{"nation", "country", 1, "synonyms: {state, nation, country, ...}"},
		{"nation", "state", 1, "synonyms"},
		{"nations", "country", 1, "inflected query word"},
		{"countries", "state", 1, "inflected query word, statement form of the lemma"},
		{"weapon", "arms", 1, "synonyms: {weapon, arm, weapon_system}"},
		{"weapons", "arms", 1, "plural query word"},
		{"aid", "assistance", 1, "synonyms: {aid, assistance, help}"},
		{"aid", "help", 1, "synonyms"},
		{"treaties", "accord", 1, "synonyms {treaty, pact, accord}; plural resolved by Lookup"},
		{"cyberspace", "internet", 1, "synonyms {internet, net, cyberspace}"},
		{"cyberspace", "cyber", 0.5, "closed compound, written open in the statement"},
		{"underdeveloped", "developing", 1, "synonyms {developing, underdeveloped}"},
		{"warfare", "war", 1, "synonyms {war, warfare}"},
		{"world", "global", 1, "synonyms {global, planetary, world, worldwide}"},
		{"watch", "surveillance", 0.7, "hypernym of watch (the noun)"},
		{"watched", "surveillance", 0.7, "inflected query word"},
		{"spying", "surveillance", 0.5, "hypernym"},
		{"armament", "arms", 0.9, "derivationally related form"},
		{"terrorist", "terrorism", 0.9, "derivationally related form"},
		{"rich", "prosperous", 0.8, "similar to"},
	}
	for _, tt := range tests {
		got := tab.Lookup(tt.query)
		i := slices.IndexFunc(got, func(r thesaurus.Related) bool { return r.Word == tt.want })
		if i < 0 || got[i].Weight < tt.min {
			t.Errorf("Lookup(%q) = %v, want %s with weight >= %.2f (%s)", tt.query, got, tt.want, tt.min, tt.why)
		}
	}
}

func TestStopWordsAreNotKeys(t *testing.T) {
	tab := load(t)
	for _, w := range []string{"the", "of", "and", "make", "thing", "one"} {
		if got := tab.Lookup(w); got != nil {
			t.Errorf("Lookup(%q) = %v, want nil for a stop word", w, got)
		}
	}
}

// TestCommittedTableIsCurrent regenerates the table and compares it with
// the committed one, so a change to the statements or the generator cannot
// land without regenerating (go run ./knowledge/thesaurus/gen).
func TestCommittedTableIsCurrent(t *testing.T) {
	if _, err := os.Stat(filepath.Join(wordnetDir, "data.noun")); err != nil {
		t.Skipf("WordNet not installed at %s (Debian package wordnet-base): %v", wordnetDir, err)
	}
	if testing.Short() {
		t.Skip("regenerating takes tens of seconds")
	}
	var buf bytes.Buffer
	if err := build.Generate(wordnetDir, statementsGlob, &buf); err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile("related.tsv")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(buf.Bytes(), committed) {
		return
	}
	got, want := strings.Split(buf.String(), "\n"), strings.Split(string(committed), "\n")
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			t.Fatalf("related.tsv is stale; run go run ./knowledge/thesaurus/gen\nline %d committed: %s\nline %d generated: %s", i+1, want[i], i+1, got[i])
		}
	}
	t.Fatalf("related.tsv is stale; run go run ./knowledge/thesaurus/gen (%d lines committed, %d generated)", len(want), len(got))
}
