package wordnet

// Hyponyms counts the synsets below each synset through hyponym and
// instance-hyponym pointers. It measures how general a concept is: "group"
// and "change" cover thousands of synsets, "surveillance" a handful. A synset
// reachable along several paths is counted once per path, which only
// exaggerates the generality of concepts that are already general.
func (db *DB) Hyponyms() map[SynsetID]int {
	counts := make(map[SynsetID]int, len(db.synsets))
	var count func(id SynsetID, depth int) int
	count = func(id SynsetID, depth int) int {
		if n, ok := counts[id]; ok {
			return n
		}
		s := db.synsets[id]
		n := 0
		if s != nil && depth < maxDepth {
			counts[id] = 0 // guards against cycles in a damaged database
			for _, p := range s.Pointers {
				if p.Symbol == "~" || p.Symbol == "~i" {
					n += 1 + count(p.Target, depth+1)
				}
			}
		}
		counts[id] = n
		return n
	}
	for id := range db.synsets {
		count(id, 0)
	}
	return counts
}

// maxDepth bounds the recursion; WordNet 3.0's deepest chain is under 20.
const maxDepth = 64
