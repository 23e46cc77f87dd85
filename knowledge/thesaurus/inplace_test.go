package thesaurus_test

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/policybot/policybot/knowledge/thesaurus"
	"github.com/policybot/policybot/knowledge/thesaurus/internal/wordnet"
)

// mapTable is the map the table used to be parsed into at Load, with the
// Lookup and LookupPhrase that went with it: the reference that the table
// searched in place must agree with exactly.
type mapTable struct {
	entries map[string][]thesaurus.Related
	seconds map[string]bool
}

func newMapTable(t *testing.T, text string) *mapTable {
	t.Helper()
	m := &mapTable{entries: make(map[string][]thesaurus.Related), seconds: make(map[string]bool)}
	for line := range strings.Lines(text) {
		key, list, _ := strings.Cut(strings.TrimSuffix(line, "\n"), "\t")
		var rel []thesaurus.Related
		for _, f := range strings.Fields(list) {
			word, ws, _ := strings.Cut(f, ":")
			w, err := strconv.ParseFloat(ws, 64)
			if err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			rel = append(rel, thesaurus.Related{Word: word, Weight: w})
		}
		m.entries[key] = rel
		if _, second, ok := strings.Cut(key, "_"); ok {
			m.seconds[second] = true
		}
	}
	return m
}

func (m *mapTable) lookup(word string) []thesaurus.Related {
	if rel, ok := m.entries[word]; ok {
		return slices.Clone(rel)
	}
	var merged []thesaurus.Related
	for _, base := range wordnet.Detach(word) {
		merged = thesaurus.MergeRelated(merged, m.entries[base])
	}
	slices.SortStableFunc(merged, func(a, b thesaurus.Related) int { return cmp.Compare(b.Weight, a.Weight) })
	return merged[:min(len(merged), thesaurus.MaxRelated)]
}

func (m *mapTable) lookupPhrase(first, second string) []thesaurus.Related {
	if !m.seconds[second] {
		return nil
	}
	if rel, ok := m.entries[first+"_"+second]; ok {
		return slices.Clone(rel)
	}
	var merged []thesaurus.Related
	for _, base := range wordnet.Detach(first) {
		merged = thesaurus.MergeRelated(merged, m.entries[base+"_"+second])
	}
	slices.SortStableFunc(merged, func(a, b thesaurus.Related) int { return cmp.Compare(b.Weight, a.Weight) })
	return merged[:min(len(merged), thesaurus.MaxRelated)]
}

// sameRelated also tells nil from empty, in case a caller does.
func sameRelated(a, b []thesaurus.Related) bool {
	return (a == nil) == (b == nil) && slices.Equal(a, b)
}

// inflections returns forms of key that the detachment rules take back to
// it, and some that they take to other keys or to none.
func inflections(key string) []string {
	forms := []string{key + "s", key + "es", key + "ed", key + "ing", key + "er", key + "est", key + "d", key + "r", key + "st", key + "x"}
	if stem, ok := strings.CutSuffix(key, "y"); ok {
		forms = append(forms, stem+"ies")
	}
	if stem, ok := strings.CutSuffix(key, "e"); ok {
		forms = append(forms, stem+"ing")
	}
	if stem, ok := strings.CutSuffix(key, "man"); ok {
		forms = append(forms, stem+"men")
	}
	if len(key) > 1 {
		forms = append(forms, key[:len(key)-1], key[1:])
	}
	return forms
}

// nonKeys are words that are no key, or odd strings, looked up to check
// that they find the same as the map did (usually nothing).
var nonKeys = []string{
	"", "a", "the", "of", "zzzz", "aaaa", "\t", "\n", "nation\tcountry:1.00", "nation\nnation",
	"_", "take_", "_part", "NATION", "naïve", "über", "a_b_c", "\x00", "\xff",
}

// checkSame compares tab with the map-based reference built from the
// same text, for every key, inflected forms of every key, phrases and
// their inflections, and words that are no key.
func checkSame(t *testing.T, tab *thesaurus.Table, ref *mapTable) {
	t.Helper()
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range ref.entries {
			if !yield(k) {
				return
			}
		}
	})
	if got := tab.Keys(); !slices.Equal(got, keys) {
		t.Fatalf("Keys: %d keys, want %d", len(got), len(keys))
	}
	if tab.Len() != len(keys) {
		t.Fatalf("Len = %d, want %d", tab.Len(), len(keys))
	}
	errs := 0
	check := func(word string) {
		if got, want := tab.Lookup(word), ref.lookup(word); !sameRelated(got, want) && errs < 20 {
			errs++
			t.Errorf("Lookup(%q) = %v, want %v", word, got, want)
		}
	}
	checkPhrase := func(first, second string) {
		if got, want := tab.LookupPhrase(first, second), ref.lookupPhrase(first, second); !sameRelated(got, want) && errs < 20 {
			errs++
			t.Errorf("LookupPhrase(%q, %q) = %v, want %v", first, second, got, want)
		}
	}
	seconds := slices.Sorted(func(yield func(string) bool) {
		for s := range ref.seconds {
			if !yield(s) {
				return
			}
		}
	})
	for i, key := range keys {
		check(key)
		for _, f := range inflections(key) {
			check(f)
		}
		if first, second, ok := strings.Cut(key, "_"); ok {
			checkPhrase(first, second)
			for _, f := range inflections(first) {
				checkPhrase(f, second)
			}
			checkPhrase(first, second+"s")
		} else if len(seconds) > 0 {
			checkPhrase(key, seconds[i%len(seconds)])
			checkPhrase(key+"s", seconds[i%len(seconds)])
			checkPhrase(seconds[i%len(seconds)], key)
		}
	}
	for _, w := range nonKeys {
		check(w)
		for _, v := range nonKeys {
			checkPhrase(w, v)
		}
	}
}

// TestInPlaceMatchesMap checks that the embedded table searched in place
// gives exactly what the map Load used to build from it gave.
func TestInPlaceMatchesMap(t *testing.T) {
	checkSame(t, load(t), newMapTable(t, thesaurus.EmbeddedText()))
}

// TestParseCanonicalizes feeds Parse the embedded table shuffled, with
// CRLF line ends, odd spacing, weights not written with two decimals and
// no final newline, and checks that it gives the embedded text itself and
// the same results.
func TestParseCanonicalizes(t *testing.T) {
	lines := strings.Split(strings.TrimSuffix(thesaurus.EmbeddedText(), "\n"), "\n")
	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(len(lines), func(i, j int) { lines[i], lines[j] = lines[j], lines[i] })
	for i, line := range lines {
		switch i % 4 {
		case 1:
			lines[i] = strings.ReplaceAll(line, " ", "  \t ") + " "
		case 2:
			lines[i] = line + "\r"
		case 3:
			lines[i] = strings.ReplaceAll(line, ":1.00", ":1")
		}
	}
	tab, err := thesaurus.Parse(strings.NewReader(strings.Join(lines, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(tab.Text(), "\n"); lines != strings.Count(thesaurus.EmbeddedText(), "\n") {
		t.Fatalf("Parse kept %d lines", lines)
	}
	if text := strings.ReplaceAll(tab.Text(), ":1 ", ":1.00 "); strings.ReplaceAll(text, ":1\n", ":1.00\n") != thesaurus.EmbeddedText() {
		t.Error("Parse did not restore the canonical text")
	}
	checkSame(t, tab, newMapTable(t, thesaurus.EmbeddedText()))
}

func TestParseEmpty(t *testing.T) {
	tab, err := thesaurus.Parse(strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	if tab.Len() != 0 || len(tab.Keys()) != 0 || tab.Lookup("nation") != nil || tab.LookupPhrase("take", "part") != nil {
		t.Errorf("empty table: Len %d, Keys %v", tab.Len(), tab.Keys())
	}
}

// The weights are read without strconv, and must be exactly what
// strconv.ParseFloat makes of them; other spellings fall back to it.
func TestParseWeight(t *testing.T) {
	var ws []string
	for n := range 1000 {
		ws = append(ws, fmt.Sprintf("%d.%02d", n/100, n%100))
	}
	ws = append(ws, "1", "0.5", ".25", "1.0", "0.125", "5e-1", "0x1p-1", "+0.50")
	for _, s := range ws {
		want, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(err)
		}
		if got := thesaurus.ParseWeight(s); got != want {
			t.Errorf("ParseWeight(%q) = %v, want %v", s, got, want)
		}
	}
}

// The set of phrase second words is built by whichever LookupPhrase comes
// first; run with -race.
func TestConcurrentFirstLookups(t *testing.T) {
	tab := load(t)
	done := make(chan []thesaurus.Related)
	for range 4 {
		go func() { done <- tab.LookupPhrase("take", "part") }()
	}
	for range 4 {
		if rel := <-done; len(rel) == 0 {
			t.Error("LookupPhrase(take, part) found nothing")
		}
	}
}
