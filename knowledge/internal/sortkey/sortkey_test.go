package sortkey

import (
	"slices"
	"testing"
)

func TestPrefix8OrdersAsStrings(t *testing.T) {
	words := []string{"", "a", "ab", "ab_c", "abc", "abcdefgh", "abcdefghij", "abcdefgi", "b", "take_part", "zz"}
	if !slices.IsSorted(words) {
		t.Fatal("test words not sorted")
	}
	for i := 1; i < len(words); i++ {
		if Prefix8(words[i-1]) > Prefix8(words[i]) {
			t.Errorf("Prefix8(%q) > Prefix8(%q)", words[i-1], words[i])
		}
	}
	if Prefix8("abcdefghij") != Prefix8("abcdefgh") {
		t.Error("bytes past the eighth count")
	}
	if got := Prefix8("ab"); got != 0x6162<<48 {
		t.Errorf("Prefix8(ab) = %#x", got)
	}
}
