package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"sync"

	"github.com/policybot/policybot/bot/leader"
	"github.com/policybot/policybot/bot/store"
)

// Replicas: with the state in PostgreSQL, several policybot processes run
// against one database. Slack runs on every replica (each event is claimed
// by one in the inbox); Matrix sync and the digest scheduler are
// singletons, run by the elected leader only.

// replicaID names this process among the replicas: the host name (a pod's
// name under Kubernetes) and a random suffix, so that a restarted process
// is a new owner and the old one's messages pass to whoever is alive.
func replicaID() string {
	host, _ := os.Hostname()
	if host == "" {
		host = "policybot"
	}
	b := make([]byte, 4)
	rand.Read(b)
	return host + "-" + hex.EncodeToString(b)
}

// singletons runs services that only one replica may run, on the leader.
type singletons struct {
	el       *leader.Elector
	services []service
}

func (s *singletons) Name() string { return "leader" }

// Run campaigns until ctx ends; each term runs every singleton until the
// term ends. A singleton that fails for good (bad Matrix credentials)
// ends the process, as it would on one process.
func (s *singletons) Run(ctx context.Context) error {
	return s.el.Run(ctx, func(ctx context.Context) error {
		ctx, stop := context.WithCancel(ctx)
		defer stop()
		var (
			wg     sync.WaitGroup
			mu     sync.Mutex
			failed error
		)
		for _, svc := range s.services {
			wg.Go(func() {
				if err := svc.Run(ctx); err != nil && ctx.Err() == nil {
					mu.Lock()
					if failed == nil {
						failed = fmt.Errorf("%s: %w", svc.Name(), err)
					}
					mu.Unlock()
					stop()
				}
			})
		}
		wg.Wait()
		return failed
	})
}

// standby is a singleton platform seen from a replica that is not the
// leader: ready (it is not its job to be connected), and marked so in
// /readyz.
type standby struct {
	platform
	el *leader.Elector
}

func (s standby) Ready() error {
	if ok, _ := s.el.Leader(); !ok {
		return nil
	}
	return s.platform.Ready()
}

func (s standby) Standby() bool {
	ok, _ := s.el.Leader()
	return !ok
}

// newElector builds the leader election for a PostgreSQL store, with its
// metrics.
func newElector(st *store.Store, log *slog.Logger, m *metrics) (*leader.Elector, error) {
	return leader.New(leader.Options{
		URL:      st.PostgresURL(),
		Logger:   log,
		OnChange: m.leaderChanged,
	})
}
