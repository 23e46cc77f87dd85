package thesaurus

// EmbeddedText returns the embedded related.tsv, which Load does not
// validate, so that the tests can.
func EmbeddedText() string { return relatedTSV }

// Text returns the canonical text the table searches.
func (t *Table) Text() string { return t.text }

// ParseWeight is parseWeight, whose results must be strconv.ParseFloat's.
func ParseWeight(s string) float64 { return parseWeight(s) }

// MergeRelated is mergeRelated, which the map-based reference in the tests
// shares: what they compare is finding and parsing lines.
func MergeRelated(dst, rel []Related) []Related { return mergeRelated(dst, rel) }
