package thesaurus_test

import (
	"testing"

	"github.com/policybot/policybot/knowledge/thesaurus"
)

// benchWords mix what the retriever looks up: keys, regular inflections
// that Lookup undoes (some merging several base forms), irregular forms
// that are keys, and words that are no key under any form.
var benchWords = []string{
	// keys
	"nation", "weapon", "aid", "treaty", "cyberspace", "underdeveloped",
	"warfare", "world", "watch", "spying", "armament", "terrorist", "rich",
	"govern", "abandon", "zone", "military", "poverty", "security",
	// inflected forms of keys
	"nations", "countries", "weapons", "treaties", "watched", "governed",
	"governing", "richer", "richest", "abandoning", "armaments",
	"terrorists", "zones", "securities", "threatened", "fought",
	// no key under any form
	"the", "of", "and", "make", "thing", "xyzzy", "qwertyuiop", "policybot",
	"internationally", "us", "eu", "nato", "covid", "blockchain", "zzz",
}

func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := thesaurus.Load(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLookup is one Lookup, averaged over benchWords.
func BenchmarkLookup(b *testing.B) {
	tab, err := thesaurus.Load()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		tab.Lookup(benchWords[n%len(benchWords)])
		n++
	}
}

// BenchmarkLookupPhrase is one LookupPhrase, mostly of pairs that are no
// phrase, as in a question.
func BenchmarkLookupPhrase(b *testing.B) {
	tab, err := thesaurus.Load()
	if err != nil {
		b.Fatal(err)
	}
	pairs := [][2]string{
		{"take", "part"}, {"taking", "part"}, {"took", "part"}, {"carry", "out"},
		{"the", "nation"}, {"rich", "countries"}, {"set", "up"}, {"arms", "race"},
		{"cyber", "space"}, {"watch", "over"},
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		p := pairs[n%len(pairs)]
		tab.LookupPhrase(p[0], p[1])
		n++
	}
}

// BenchmarkFirstLookupPhrase is Load and a first LookupPhrase, which
// builds the set of the phrase keys' second words: the part of loading
// deferred to the first question.
func BenchmarkFirstLookupPhrase(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		tab, err := thesaurus.Load()
		if err != nil {
			b.Fatal(err)
		}
		tab.LookupPhrase("take", "part")
	}
}
