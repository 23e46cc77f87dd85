package delivery

import "sync"

// Pool runs functions on at most n goroutines at once, in the order they
// were given; the rest wait in memory. Answers queue here rather than
// each holding a goroutine while it waits for a posting slot: under a
// burst of thousands of questions the bot keeps a few dozen goroutines.
// What waits here is already in the inbox, so a crash loses none of it.
type Pool struct {
	mu      sync.Mutex
	n       int
	running int
	queue   []func()
}

// NewPool returns a pool of at most n goroutines (at least 1).
func NewPool(n int) *Pool { return &Pool{n: max(n, 1)} }

// Go runs f on one of the pool's goroutines, now or when one is free.
func (p *Pool) Go(f func()) {
	p.mu.Lock()
	if p.running < p.n {
		p.running++
		p.mu.Unlock()
		go p.run(f)
		return
	}
	p.queue = append(p.queue, f)
	p.mu.Unlock()
}

// run runs f, then whatever waits, until nothing does.
func (p *Pool) run(f func()) {
	for f != nil {
		f()
		p.mu.Lock()
		f = nil
		if len(p.queue) > 0 {
			f, p.queue[0] = p.queue[0], nil
			p.queue = p.queue[1:]
		} else {
			p.running--
		}
		p.mu.Unlock()
	}
}
