// Package editdist counts the typing mistakes between two words: the
// optimal string alignment distance, which is the Levenshtein distance
// with a swap of two adjacent letters counted as one edit, since swapped
// letters are among the commonest typos.
package editdist

// Distance is the distance between a and b, comparing runes. It is for
// suggestions among a few candidates (command names, configuration keys).
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	rows := make([]int, 3*(len(rb)+1))
	return osa(ra, rb, max(len(ra), len(rb)), rows)
}

// maxWithin is the longest word Within compares without allocating.
const maxWithin = 40

// Within is the distance between a and b comparing bytes, or bound+1 as
// soon as it is known to exceed bound. It allocates nothing for words of
// up to 40 bytes, since typo matching calls it for every word of a
// vocabulary; a non-ASCII typo simply costs more.
func Within(a, b string, bound int) int {
	if abs(len(a)-len(b)) > bound {
		return bound + 1
	}
	var buf [3 * (maxWithin + 1)]int
	rows := buf[:]
	if len(b) > maxWithin {
		rows = make([]int, 3*(len(b)+1))
	}
	return osa([]byte(a), []byte(b), bound, rows)
}

// osa fills three rows of the dynamic-programming table (the one before
// the previous is needed for transpositions), stopping once every entry of
// a row exceeds bound.
func osa[T byte | rune](a, b []T, bound int, rows []int) int {
	n := len(b) + 1
	prev2, prev, cur := rows[:n], rows[n:2*n], rows[2*n:3*n]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > bound {
			return bound + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// One reports whether a and b, compared as bytes, are exactly one edit
// apart: a byte changed, added or dropped, or two adjacent bytes swapped.
// It is Within(a, b, 1) == 1 in one pass over the words, for the many
// comparisons where nearly every pair is no match.
func One(a, b string) bool {
	if len(a) < len(b) {
		a, b = b, a
	}
	switch len(a) - len(b) {
	case 0:
		i := 0
		for i < len(a) && a[i] == b[i] {
			i++
		}
		if i == len(a) {
			return false // the same word
		}
		if a[i+1:] == b[i+1:] {
			return true // changed
		}
		return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:] // swapped
	case 1:
		i := 0
		for i < len(b) && a[i] == b[i] {
			i++
		}
		return a[i+1:] == b[i:] // added to the longer
	}
	return false
}
