package leader

import (
	"context"
	"database/sql"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/policybot/policybot/bot/store/pgtest"
)

var pg pgtest.Lazy

func TestMain(m *testing.M) { os.Exit(pg.Main(m)) }

// replicas runs n electors on one database; each lead records that it
// runs and stops when told.
type replicas struct {
	t       *testing.T
	el      []*Elector
	cancel  []context.CancelFunc
	leading atomic.Int32 // replicas inside lead now
	most    atomic.Int32 // the most ever at once
	terms   atomic.Int32
	wg      sync.WaitGroup
}

func startReplicas(t *testing.T, url string, n int, retry time.Duration) *replicas {
	r := &replicas{t: t}
	for range n {
		e, err := New(Options{URL: url, Retry: retry, Check: 200 * time.Millisecond, CheckTimeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		r.el, r.cancel = append(r.el, e), append(r.cancel, cancel)
		r.wg.Go(func() {
			err := e.Run(ctx, func(ctx context.Context) error {
				now := r.leading.Add(1)
				r.terms.Add(1)
				for {
					m := r.most.Load()
					if now <= m || r.most.CompareAndSwap(m, now) {
						break
					}
				}
				<-ctx.Done()
				r.leading.Add(-1)
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	t.Cleanup(func() {
		for _, c := range r.cancel {
			c()
		}
		r.wg.Wait()
	})
	return r
}

// leader waits for exactly one replica to lead and returns its index.
func (r *replicas) leader(except int) int {
	r.t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		found := -1
		for i, e := range r.el {
			if ok, _ := e.Leader(); ok && i != except {
				found = i
			}
		}
		if found >= 0 && r.leading.Load() == 1 {
			return found
		}
	}
	r.t.Fatal("no single leader within 30 s")
	return -1
}

// A leader that shuts down hands over at once: the others hear of it
// rather than waiting for their next try, which here is a minute away.
func TestStepDownHandsOver(t *testing.T) {
	r := startReplicas(t, pg.Database(t), 3, time.Minute)
	first := r.leader(-1)
	// The others started their wait a minute long; only the
	// notification can wake them in time.
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	r.cancel[first]()
	next := r.leader(first)
	// r.leader gives up after 30 s, half the followers' retry.
	t.Logf("replica %d led, then replica %d, %v after the first stepped down", first, next, time.Since(start).Round(time.Millisecond))
	if m := r.most.Load(); m != 1 {
		t.Fatalf("%d replicas led at once", m)
	}
}

// A leader whose session the server ends (a network cut, a database
// failover) stops leading, and another replica takes over.
func TestLostConnectionStopsLeader(t *testing.T) {
	url := pg.Database(t)
	r := startReplicas(t, url, 3, 200*time.Millisecond)
	first := r.leader(-1)
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var killed int
	if err := db.QueryRow(`SELECT COUNT(pg_terminate_backend(pid)) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND objid = $1`, int64(Key&0xffffffff)).Scan(&killed); err != nil || killed != 1 {
		t.Fatalf("terminated %d sessions holding the lock (%v); want 1", killed, err)
	}
	// The cut-off leader's term ends, and a new term begins (on any
	// replica, the old leader's included once it has reconnected).
	for deadline := time.Now().Add(30 * time.Second); r.terms.Load() < 2 || r.leading.Load() != 1; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no new term within 30 s of the cut (%d terms, %d leading)", r.terms.Load(), r.leading.Load())
		}
	}
	t.Logf("replica %d led until its session was ended; replica %d leads now", first, r.leader(-1))
	if m := r.most.Load(); m != 1 {
		t.Fatalf("%d replicas led at once", m)
	}
}
