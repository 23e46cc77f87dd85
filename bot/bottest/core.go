package bottest

import (
	"bytes"
	"sync"
	"testing"

	"github.com/policybot/policybot/bot"
	"github.com/policybot/policybot/knowledge"
)

// Core is the real core over the embedded statement, with its retriever,
// for tests and benchmarks that measure what a user would get.
func Core(t testing.TB, opts bot.Options) (*bot.Bot, *knowledge.Retriever) {
	t.Helper()
	ret, err := knowledge.Open("")
	if err != nil {
		t.Fatal(err)
	}
	core, err := bot.New(ret.Document(), ret, opts)
	if err != nil {
		t.Fatal(err)
	}
	return core, ret
}

// Buffer is a bytes.Buffer safe for a logger's goroutines: tests write
// logs into it and read them while the code under test still runs.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
