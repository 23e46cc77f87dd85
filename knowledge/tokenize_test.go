package knowledge

import (
	"reflect"
	"testing"
)

func words(s string) []string {
	var out []string
	for _, t := range tokenize(nil, s) {
		out = append(out, t.word)
	}
	return out
}

func TestTokenize(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"Co-governance", []string{"co", "governance", "cogovernance"}},
		{"China's Ministry", []string{"china", "ministry"}},
		{"countries' sovereignty", []string{"countries", "sovereignty"}},
		{"people-centered, inclusive", []string{"people", "centered", "peoplecentered", "inclusive"}},
		{"“digital divide”", []string{"digital", "divide"}},
		{"618 million", []string{"618", "million"}},
		{"behaviour; organised", []string{"behavior", "organized"}},
		{"-- - '", nil},
		{"a\x00b\xffc", []string{"a", "b", "c"}},
		{"ÉTAT souveraineté", []string{"état", "souveraineté"}},
	} {
		if got := words(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("tokenize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestTokenSpansPointIntoText(t *testing.T) {
	s := "The co-governance of China's Internet."
	for _, tok := range tokenize(nil, s) {
		if tok.start < 0 || tok.end > len(s) || tok.start >= tok.end {
			t.Fatalf("bad span %+v", tok)
		}
	}
}

func TestTypos(t *testing.T) {
	ix := NewRetriever(Embedded(), RetrieverOptions{}).ix
	for _, c := range []struct {
		word string
		want string // "" for no match
	}{
		{"soveriegnty", "sovereignty"}, // transposition: not a subsequence
		{"goverance", "governance"},    // dropped letter: fuzzy finds it
		{"benifit", "benefit"},         // substitution
		{"peac", "peace"},              // short word, dropped letter
		{"rice", ""},                   // short word, substitution is another word
		{"qwertyuiop", ""},
		{"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", ""},
	} {
		got := ""
		if m := ix.typos(c.word); len(m) > 0 {
			got = m[0].word
		}
		if got != c.want {
			t.Errorf("typos(%q) = %q, want %q", c.word, got, c.want)
		}
	}
}

func TestInflections(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"countries", "country", true},
		{"developing", "developed", true},
		{"stopped", "stop", true},
		{"keep", "keeping", true},
		{"acceptable", "accepted", false},
		{"nations", "national", false},
		{"civil", "civilization", false},
	} {
		if got := inflections(c.a, c.b); got != c.want {
			t.Errorf("inflections(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestUnfolded(t *testing.T) {
	for _, w := range []string{"revising", "advising", "exercised", "organising", "behaviour", "analyse", "colours"} {
		if got := unfolded(spelling(w)); got != w {
			t.Errorf("unfolded(spelling(%q)) = %q", w, got)
		}
	}
}

// A misspelt inflection matches through the stem.
func TestTypoOfInflection(t *testing.T) {
	r := newTestRetriever(t)
	for w, want := range map[string]string{"teritory": "territories", "efort": "efforts"} {
		ms := r.ix.typos(w)
		if len(ms) == 0 || ms[0].word != want {
			t.Errorf("typos(%q) = %v, want %q", w, ms, want)
		}
	}
}

// A lexicon answers as the map of its words would: its length and
// first-letter filter passes every word it holds.
func TestLexicon(t *testing.T) {
	set := wordSet(`a be cyber 2011 état internationalisation x-ray`)
	for _, w := range []string{"a", "be", "cyber", "2011", "état", "internationalisation", "x-ray"} {
		if !set.has(w) {
			t.Errorf("%q not found", w)
		}
	}
	for _, w := range []string{"", "b", "ab", "cybex", "2012", "éta", "internationalisations", "internationalization", "x", "A"} {
		if set.has(w) {
			t.Errorf("%q found", w)
		}
	}
	set.add("b")
	if !set.has("b") || set.has("c") {
		t.Error("an added word")
	}
}
