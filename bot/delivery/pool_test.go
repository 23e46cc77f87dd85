package delivery_test

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/policybot/policybot/bot/delivery"
)

// The pool never runs more than its size at once, and runs everything
// given, what queued while it was full too.
func TestPool(t *testing.T) {
	const size, jobs = 4, 200
	p := delivery.NewPool(size)
	var running, most atomic.Int64
	release := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	var order []int
	for i := range jobs {
		wg.Add(1)
		p.Go(func() {
			defer wg.Done()
			n := running.Add(1)
			for {
				m := most.Load()
				if n <= m || most.CompareAndSwap(m, n) {
					break
				}
			}
			if i < size {
				<-release // hold the pool full while the rest queue
			}
			mu.Lock()
			order = append(order, i)
			mu.Unlock()
			running.Add(-1)
		})
	}
	close(release)
	wg.Wait()
	if most.Load() > size {
		t.Errorf("%d ran at once, over the pool's %d", most.Load(), size)
	}
	if len(order) != jobs {
		t.Fatalf("%d of %d ran", len(order), jobs)
	}
}
