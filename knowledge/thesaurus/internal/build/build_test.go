package build

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/policybot/policybot/knowledge/thesaurus/internal/wordnet"
)

const mini = "../wordnet/testdata/mini"

// The statement the mini database is generated against. "countries" and
// "listening" occur only inflected, so reaching them tests the lemma ->
// statement word mapping.
const miniStatement = "Developing countries and poor people form a prosperous group, work together and keep listening."

func writeStatement(t *testing.T, text string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "s.txt"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "*.txt")
}

// TestGenerateMini checks every line of the table for a database small
// enough to work out by hand (see the comments for the paths).
func TestGenerateMini(t *testing.T) {
	var buf bytes.Buffer
	if err := Generate(mini, writeStatement(t, miniStatement), &buf); err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"affluent\tprosperous:0.80",           // similar-to is semantic: reaches every word of the synset
		"country\tgroup:0.70 developing:0.30", // hypernym; hyponym collocation split in two; "countries" shares the stem
		"eavesdrop\tlistening:0.70",           // hypernym "listen", realised as "listening"
		"eavesdropped\tlistening:0.70",        // exception-list forms are keys
		"eavesdropping\tlistening:0.70",       //
		"group\tcountries:0.60",               // hyponym
		"nation\tcountries:1.00 group:0.70 developing:0.30",
		"rich\tprosperous:0.80 poor:0.40", // the antonym pointer is lexical: "affluent" does not get it
		"richer\tprosperous:0.80 poor:0.40",
		"wealthy\tprosperous:1.00", // synonym; the (a) marker is stripped
		// Absent: "ferment" (its synset is only the 5th sense of "work"),
		// "third"/"world" (collocation words, all weights below 0.40),
		// "poor"/"listen"/"work" (nothing but their own stem).
	}, "\n") + "\n"
	if got := buf.String(); got != want {
		t.Errorf("table:\n%s\nwant:\n%s", got, want)
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	glob := writeStatement(t, miniStatement)
	var a, b bytes.Buffer
	if err := Generate(mini, glob, &a); err != nil {
		t.Fatal(err)
	}
	if err := Generate(mini, glob, &b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two runs produced different tables")
	}
}

func TestGenerateErrors(t *testing.T) {
	if err := Generate(mini, filepath.Join(t.TempDir(), "*.txt"), &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "matches no files") {
		t.Errorf("empty glob: err = %v", err)
	}
	if err := Generate(t.TempDir(), writeStatement(t, "x"), &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "data.noun") {
		t.Errorf("missing WordNet: err = %v", err)
	}
}

func TestVocabularyWords(t *testing.T) {
	db, err := wordnet.Load(mini)
	if err != nil {
		t.Fatal(err)
	}
	freq := map[string]int{"cyber": 3, "space": 4, "arms": 1, "race": 1, "countries": 2, "the": 9}
	v := newVocabulary(db, freq)
	tests := []struct {
		lemma string
		want  []string
	}{
		{"country", []string{"countries"}},         // via morphy of the statement word
		{"arms_race", []string{"arms", "race"}},    // every word occurs
		{"arms_dealer", nil},                       // "dealer" does not: nothing
		{"cyberspace", []string{"cyber", "space"}}, // closed compound, open in the text
		{"the", nil}, // stop word
		{"spacecraft", nil},
	}
	for _, tt := range tests {
		if got := v.words(tt.lemma); !slices.Equal(got, tt.want) {
			t.Errorf("words(%q) = %q, want %q", tt.lemma, got, tt.want)
		}
	}
}

func TestFinishDropsSameStemAndCaps(t *testing.T) {
	v := &vocabulary{freq: map[string]int{"b": 5, "c": 1}}
	in := targets{
		"governing": 100,               // same stem as the key
		"countries": 90, "country": 80, // same stem as each other: keep the stronger
		"a": 70, "b": 70, "c": 70, // ties: frequency, then alphabet
		"d": 60, "e": 60, "f": 60, "g": 60, "h": 60, "i": 60,
		"faint": minWeight - 1,
	}
	got := finish("governed", in, v)
	var words []string
	for _, r := range got {
		words = append(words, r.word)
	}
	want := []string{"countries", "b", "c", "a", "d", "e", "f", "g"}
	if !slices.Equal(words, want) {
		t.Errorf("finish = %q, want %q", words, want)
	}
}

// A collocation of the statement is related to the words of its
// definition: "developing countries" to "poor" (mini: "developing_country:
// a country that is poor"), through "developing", the word the statement
// uses least. Only where its words stand together, and not for a word the
// statement has: in miniStatement "poor" matches itself.
func TestGenerateDefinitions(t *testing.T) {
	for _, c := range []struct {
		statement string
		want      string // the "poor" line, or "" for none
	}{
		{"Developing countries need help.", "poor\tdeveloping:0.50"},
		{"Countries need help while developing.", ""},
		{miniStatement, ""},
	} {
		var buf bytes.Buffer
		if err := Generate(mini, writeStatement(t, c.statement), &buf); err != nil {
			t.Fatal(err)
		}
		got := ""
		for line := range strings.Lines(buf.String()) {
			if strings.HasPrefix(line, "poor\t") {
				got = strings.TrimSuffix(line, "\n")
			}
		}
		if got != c.want {
			t.Errorf("%q: poor line %q, want %q", c.statement, got, c.want)
		}
	}
}
