package digest

import (
	"container/heap"
	"time"
)

// queue orders subscriptions by when they are next due. Every operation
// is O(log n), so idle subscriptions cost nothing per tick.
type queue struct {
	items []*entry
	index map[int64]*entry
}

type entry struct {
	id  int64
	due time.Time
	at  int // position in items
}

func newQueue() *queue { return &queue{index: map[int64]*entry{}} }

// set schedules id at due, moving it if it is queued already.
func (q *queue) set(id int64, due time.Time) {
	if e, ok := q.index[id]; ok {
		e.due = due
		heap.Fix((*entries)(q), e.at)
		return
	}
	e := &entry{id: id, due: due}
	q.index[id] = e
	heap.Push((*entries)(q), e)
}

// remove unschedules id if it is queued.
func (q *queue) remove(id int64) {
	if e, ok := q.index[id]; ok {
		heap.Remove((*entries)(q), e.at)
	}
}

// peek returns the earliest entry; ok is false when the queue is empty.
func (q *queue) peek() (id int64, due time.Time, ok bool) {
	if len(q.items) == 0 {
		return 0, time.Time{}, false
	}
	return q.items[0].id, q.items[0].due, true
}

// pop removes the earliest entry.
func (q *queue) pop() int64 {
	return heap.Pop((*entries)(q)).(*entry).id
}

func (q *queue) len() int { return len(q.items) }

// entries implements heap.Interface over a queue.
type entries queue

func (h *entries) Len() int { return len(h.items) }
func (h *entries) Less(i, j int) bool {
	if h.items[i].due.Equal(h.items[j].due) {
		return h.items[i].id < h.items[j].id
	}
	return h.items[i].due.Before(h.items[j].due)
}
func (h *entries) Swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.items[i].at, h.items[j].at = i, j
}
func (h *entries) Push(x any) {
	e := x.(*entry)
	e.at = len(h.items)
	h.items = append(h.items, e)
}
func (h *entries) Pop() any {
	last := len(h.items) - 1
	e := h.items[last]
	h.items[last] = nil
	h.items = h.items[:last]
	delete(h.index, e.id)
	return e
}
