package store

import (
	"context"
	"testing"
)

func BenchmarkGetState(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, b.TempDir()+"/bench.db")
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := s.SetState(ctx, "matrix", "next_batch", "s123"); err != nil {
		b.Fatal(err)
	}
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, _, err := s.GetState(ctx, "matrix", "next_batch"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
