package digest

import (
	"math/rand/v2"
	"slices"

	"github.com/policybot/policybot/bot/store"
)

// order is the shuffled order of n paragraphs for one cycle of one
// subscription. It must never change between versions for the same seed
// and cycle, because the position into it is persisted: hence our own
// Fisher–Yates over PCG (whose output is specified) rather than
// rand.Perm, whose algorithm is not promised to stay the same.
func order(seed int64, cycle, n int) []int {
	src := rand.NewPCG(uint64(seed), uint64(cycle))
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := int(src.Uint64() % uint64(i+1))
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// pick takes the next k paragraphs (numbers from quotable) in sub's
// rotation and advances sub's position. Within a cycle no paragraph
// repeats; when a cycle ends the next begins in a new order. A digest
// that straddles two cycles never quotes the same paragraph twice.
func pick(sub *store.Subscription, quotable []int, k int) []int {
	n := len(quotable)
	if n == 0 {
		return nil
	}
	k = min(k, n)
	ord := order(sub.Seed, sub.Cycle, n)
	out := make([]int, 0, k)
	for len(out) < k {
		if sub.Position >= n {
			sub.Cycle++
			sub.Position = 0
			ord = order(sub.Seed, sub.Cycle, n)
		}
		p := quotable[ord[sub.Position]]
		sub.Position++
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}
