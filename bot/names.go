package bot

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/sahilm/fuzzy"

	"github.com/policybot/policybot/knowledge"
	"github.com/policybot/policybot/knowledge/editdist"
)

// itemResolution is the outcome of resolving a principle name.
type itemResolution struct {
	item      *knowledge.Item  // the one item meant
	ambiguous []knowledge.Item // several fit equally
	suggest   *knowledge.Item  // nothing fits; the nearest, if any is near
}

// itemKeys are the names an item answers to: its full name with and
// without spaces and hyphens ("co-governance", "cogovernance"), each of its
// significant words ("universal", "benefit"), and its ordinal within its
// kind ("principle 2", "area 3").
func itemKeys(it knowledge.Item) []string {
	full := squash(it.Name)
	keys := []string{full}
	for _, w := range strings.FieldsFunc(it.Name, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if len(w) >= 4 && !nameStop[w] {
			keys = append(keys, w)
		}
	}
	n := strconv.Itoa(it.Ordinal)
	keys = append(keys, string(it.Kind)+n)
	if it.Kind == knowledge.Principle {
		keys = append(keys, "p"+n)
	}
	return keys
}

// nameStop are words of a name that do not identify it.
var nameStop = map[string]bool{"with": true, "from": true, "into": true, "that": true, "this": true}

// squash lower-cases and drops everything but letters and digits.
func squash(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// resolveItem finds the item a user means. It tries, in order: an exact
// key, a unique prefix ("sov", "cogov"), a key within a typo's edit
// distance ("sovereignity"), and a fuzzy subsequence match ("cgov") with
// sahilm/fuzzy. Among the first step that matches, one item wins or the
// answer is ambiguous.
func resolveItem(items []knowledge.Item, name string) itemResolution {
	q := squash(trimLeadingWords(strings.ToLower(name), "the", "principle", "area", "of"))
	if q == "" {
		return itemResolution{}
	}
	if _, err := strconv.Atoi(q); err == nil {
		q = string(knowledge.Principle) + q // "2" is the second principle
	}
	// "principle 2" squashes to "principle2", a key; "the principle of
	// peace" to "peace".
	type keyed struct {
		key  string
		item int
	}
	var all []keyed
	for i, it := range items {
		for _, k := range itemKeys(it) {
			all = append(all, keyed{k, i})
		}
	}
	pick := func(match func(key string) bool) []int {
		var hits []int
		for _, k := range all {
			if match(k.key) && !containsInt(hits, k.item) {
				hits = append(hits, k.item)
			}
		}
		return hits
	}
	steps := []func(string) bool{
		func(k string) bool { return k == q },
		func(k string) bool { return len(q) >= 3 && strings.HasPrefix(k, q) },
		func(k string) bool { return len(q) >= 5 && editdist.Distance(q, k) <= typoAllowance(len(k)) },
	}
	for _, step := range steps {
		if hits := pick(step); len(hits) > 0 {
			return resolved(items, hits)
		}
	}
	keys := make([]string, len(all))
	for i, k := range all {
		keys[i] = k.key
	}
	if len(q) >= 3 {
		var hits []int
		for _, m := range fuzzy.Find(q, keys) {
			// A subsequence that skips most of the key is a guess, not a
			// match: "cgov" fits "cogovernance", "e" fits everything.
			if len(q)*2 >= len(keys[m.Index]) || len(q) >= 4 && strings.HasPrefix(keys[m.Index], q[:1]) {
				if !containsInt(hits, all[m.Index].item) {
					hits = append(hits, all[m.Index].item)
				}
			}
		}
		if len(hits) > 0 {
			return resolved(items, hits)
		}
	}
	// Nothing fits: suggest the nearest key if it is reasonably near.
	best, bestD := -1, len(q)/2+2
	for _, k := range all {
		if d := editdist.Distance(q, k.key); d < bestD {
			best, bestD = k.item, d
		}
	}
	if best >= 0 {
		return itemResolution{suggest: &items[best]}
	}
	return itemResolution{}
}

func typoAllowance(n int) int {
	if n >= 8 {
		return 2
	}
	return 1
}

func resolved(items []knowledge.Item, hits []int) itemResolution {
	if len(hits) == 1 {
		return itemResolution{item: &items[hits[0]]}
	}
	var amb []knowledge.Item
	for _, h := range hits {
		amb = append(amb, items[h])
	}
	return itemResolution{ambiguous: amb}
}

func containsInt(list []int, n int) bool {
	for _, x := range list {
		if x == n {
			return true
		}
	}
	return false
}

// trimLeadingWords drops filler words from the front of a name: "the
// principle of peace" → "peace", but "principle 2" stays whole.
func trimLeadingWords(s string, words ...string) string {
	fields := strings.Fields(s)
	for len(fields) > 1 && contains(words, fields[0]) {
		if _, err := strconv.Atoi(fields[1]); err == nil {
			break
		}
		fields = fields[1:]
	}
	return strings.Join(fields, " ")
}
