package inbox

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/policybot/policybot/bot/store"
)

// Memory returns an inbox that keeps its record in memory: it
// deduplicates, but forgets everything on restart. It is for adapters run
// without a state file (tests, tools); serve always uses the state file.
func Memory(opts Options) *Inbox { return New(&memStore{}, opts) }

// memStore is Store in memory.
type memStore struct {
	mu sync.Mutex
	m  map[[2]string]*memEntry
}

type memEntry struct {
	store.InboxEntry
	settled bool
}

func (s *memStore) AcceptInbox(_ context.Context, entries []store.InboxEntry) ([]bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[[2]string]*memEntry{}
	}
	fresh := make([]bool, len(entries))
	for i, e := range entries {
		k := [2]string{e.Platform, e.Key}
		if _, ok := s.m[k]; !ok {
			s.m[k] = &memEntry{InboxEntry: e}
			fresh[i] = true
		}
	}
	return fresh, nil
}

func (s *memStore) SettleInbox(_ context.Context, platform, key, _ string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.m[[2]string{platform, key}]; ok {
		// A long-running process without a state file would grow
		// without bound; an answered message is forgotten, at the
		// price of not deduplicating its late redeliveries.
		e.settled, e.Message = true, ""
		if len(s.m) > memLimit {
			delete(s.m, [2]string{platform, key})
		}
	}
	return nil
}

// memLimit is how many messages the memory inbox remembers before it
// forgets answered ones as they are answered.
const memLimit = 100000

// ClaimInbox is every unsettled entry: one process, no replicas, no
// leases (so none lapses).
func (s *memStore) ClaimInbox(_ context.Context, platform, _ string, _, _ time.Time, claim store.InboxClaim) ([]store.InboxEntry, error) {
	if claim == store.ClaimLapsed {
		return nil, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []store.InboxEntry
	for k, e := range s.m {
		if k[0] == platform && !e.settled {
			out = append(out, e.InboxEntry)
			e.Attempts++
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Received.Before(out[j].Received) })
	return out, nil
}

func (s *memStore) RenewInbox(context.Context, string, time.Time) error { return nil }
