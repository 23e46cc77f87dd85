package digest

import (
	"slices"
	"testing"

	"github.com/policybot/policybot/bot/store"
)

// The order for a seed and cycle is persisted implicitly (only the
// position is stored), so it must never change: pin one.
func TestOrderIsStable(t *testing.T) {
	got := order(42, 0, 10)
	want := []int{8, 6, 1, 0, 5, 9, 2, 7, 4, 3}
	if !slices.Equal(got, want) {
		t.Fatalf("order(42, 0, 10) = %v; want %v (changing it would reshuffle every subscription mid-cycle)", got, want)
	}
	if slices.Equal(order(42, 1, 10), got) {
		t.Error("the next cycle has the same order")
	}
	if slices.Equal(order(43, 0, 10), got) {
		t.Error("another seed has the same order")
	}
}

func TestPickCyclesWithoutRepeats(t *testing.T) {
	quotable := []int{2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31}
	for _, k := range []int{1, 2, 3, 4, 11, 20} {
		sub := store.Subscription{Seed: 99}
		var shown []int
		for range 5 * len(quotable) {
			got := pick(&sub, quotable, k)
			if len(got) != min(k, len(quotable)) {
				t.Fatalf("k=%d: picked %d", k, len(got))
			}
			seen := map[int]bool{}
			for _, p := range got {
				if seen[p] {
					t.Fatalf("k=%d: %d twice in one digest: %v", k, p, got)
				}
				seen[p] = true
			}
			shown = append(shown, got...)
		}
		if k > len(quotable) {
			continue
		}
		// Within each cycle every paragraph appears once. Cycles end at
		// multiples of len(quotable) only when no duplicate was dropped,
		// which holds when k divides evenly or never straddles; check the
		// first full cycle, which always holds.
		first := slices.Clone(shown[:len(quotable)])
		slices.Sort(first)
		if !slices.Equal(first, quotable) {
			t.Fatalf("k=%d: first cycle %v is not a permutation of %v", k, shown[:len(quotable)], quotable)
		}
		if k != 1 {
			continue
		}
		for c := 0; c < 5; c++ {
			cycle := slices.Clone(shown[c*len(quotable) : (c+1)*len(quotable)])
			slices.Sort(cycle)
			if !slices.Equal(cycle, quotable) {
				t.Fatalf("cycle %d is not a permutation: %v", c, shown[c*len(quotable):(c+1)*len(quotable)])
			}
		}
	}
}
