package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// lifecycle runs the services and the HTTP server until ctx ends or one
// of them fails, then shuts down gracefully: /readyz turns unready, the
// services stop taking new messages and finish the replies and digests
// they have in flight, the HTTP server finishes its requests, and last the
// state database is closed. The whole drain is bounded by timeout.
type lifecycle struct {
	log      *slog.Logger
	services []service
	server   *http.Server
	listener net.Listener
	health   *health
	flights  inFlight // replies in the core
	timeout  time.Duration
	// after is time.After; tests control when the shutdown timeout fires.
	after func(time.Duration) <-chan time.Time
	// close releases the state database once nothing uses it.
	close func() error
}

// inFlight is what shutdown needs to know of the replies in the core
// (bot.Guard).
type inFlight interface {
	InFlight() int
	Idle() <-chan struct{}
}

// run returns nil after a shutdown asked for through ctx (SIGTERM,
// SIGINT), and the first failure otherwise.
func (l *lifecycle) run(ctx context.Context) error {
	runCtx, stop := context.WithCancelCause(ctx)
	defer stop(nil)

	var wg sync.WaitGroup
	names := make([]string, 0, len(l.services))
	for _, s := range l.services {
		names = append(names, s.Name())
		wg.Go(func() {
			err := s.Run(runCtx)
			switch {
			case err == nil:
			case runCtx.Err() == nil:
				stop(fmt.Errorf("%s: %w", s.Name(), err))
			default:
				l.log.Warn("error while stopping", "service", s.Name(), "err", err)
			}
		})
	}
	served := make(chan error, 1)
	go func() { served <- l.server.Serve(l.listener) }()
	l.log.Info("policybot is running", "http_addr", l.listener.Addr().String(), "platforms", names)

	select {
	case <-runCtx.Done():
	case err := <-served:
		stop(fmt.Errorf("HTTP server on %s: %w", l.listener.Addr(), err))
	}
	var failure error
	if ctx.Err() == nil { // not asked to stop: something failed
		failure = context.Cause(runCtx)
		l.log.Error("shutting down after a failure", "err", failure)
	}
	l.health.stopping.Store(true)
	l.log.Info("shutting down: no new messages; finishing replies in flight",
		"replies_in_flight", l.flights.InFlight(), "timeout", l.timeout.String())

	httpCtx, cancelHTTP := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelHTTP()
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		var hw sync.WaitGroup
		hw.Go(func() {
			if err := l.server.Shutdown(httpCtx); err != nil && !errors.Is(err, context.Canceled) {
				l.log.Warn("HTTP server shutdown", "err", err)
			}
		})
		wg.Wait()
		<-l.flights.Idle()
		hw.Wait()
	}()
	select {
	case <-drained:
		l.log.Info("all work in flight finished")
	case <-l.after(l.timeout):
		l.log.Warn("shutdown timeout reached; abandoning work still in flight",
			"timeout", l.timeout.String(), "replies_in_flight", l.flights.InFlight())
		cancelHTTP()
		_ = l.server.Close() // closes whatever connections Shutdown left
	}
	if err := l.close(); err != nil {
		l.log.Error("closing the state database failed", "err", err)
		failure = errors.Join(failure, fmt.Errorf("close state database: %w", err))
	} else {
		l.log.Info("state database closed; goodbye")
	}
	return failure
}
