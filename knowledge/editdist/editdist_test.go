package editdist

import "testing"

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "", 3},
		{"sovereignty", "sovereignty", 0},
		{"soverignty", "sovereignty", 1},  // dropped letter
		{"soveriegnty", "sovereignty", 1}, // swapped letters
		{"log_levle", "log_level", 1},
		{"bot_tokn", "bot_token", 1},
		{"kitten", "sitting", 3},
		{"ca", "abc", 3}, // OSA, not full Damerau: no edit of a swapped pair
		{"ßtraße", "strasse", 3},
		{"héllo", "hello", 1}, // runes, not bytes
		{"abc", "acb", 1},
	} {
		if got := Distance(c.a, c.b); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := Distance(c.b, c.a); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d (symmetric)", c.b, c.a, got, c.want)
		}
	}
}

func TestWithin(t *testing.T) {
	for _, c := range []struct {
		a, b  string
		bound int
		want  int
	}{
		{"soveriegnty", "sovereignty", 2, 1},
		{"sovereignty", "peace", 2, 3},
		{"goverment", "government", 1, 1},
		{"abcdef", "uvwxyz", 2, 3},
		{"cyber", "cyber", 0, 0},
		{"benifit", "benefit", 2, 1},
		{"goverance", "governance", 2, 1},
		{"peace", "place", 1, 1},
		{"abc", "xyzabc", 2, 3}, // beyond the bound: bound+1
		{"kitten", "sitting", 3, 3},
		{"a-very-long-word-of-more-than-forty-bytes-here", "a-very-long-word-of-more-than-forty-bytes-hare", 1, 1},
	} {
		if got := Within(c.a, c.b, c.bound); got != c.want {
			t.Errorf("Within(%q, %q, %d) = %d, want %d", c.a, c.b, c.bound, got, c.want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { Within("soveriegnty", "sovereignty", 2) }); n != 0 {
		t.Errorf("Within allocates %v times per call", n)
	}
}

// One agrees with Within on every pair of short words over a small
// alphabet, where every kind of edit occurs.
func TestOneAgreesWithWithin(t *testing.T) {
	var words []string
	var gen func(prefix string, n int)
	gen = func(prefix string, n int) {
		words = append(words, prefix)
		if n == 0 {
			return
		}
		for _, c := range "abc" {
			gen(prefix+string(c), n-1)
		}
	}
	gen("", 4)
	for _, a := range words {
		for _, b := range words {
			if got, want := One(a, b), Within(a, b, 1) == 1; got != want {
				t.Fatalf("One(%q, %q) = %v, Within says %v", a, b, got, want)
			}
		}
	}
}

func BenchmarkOne(b *testing.B) {
	for b.Loop() {
		One("speach", "speech")
		One("sovereignty", "soverignty")
	}
}
