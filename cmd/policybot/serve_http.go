package main

import (
	"context"
	"encoding/json"
	"net/http"
	"sync/atomic"
	"time"
)

// stateWriter is the part of the state store that /readyz exercises.
type stateWriter interface {
	SetState(ctx context.Context, namespace, key, value string) error
}

// health serves /healthz and /readyz.
type health struct {
	platforms []platform
	db        stateWriter
	now       func() time.Time
	version   string
	// leader is the election among replicas; nil on one process.
	leader interface{ Leader() (bool, time.Time) }
	// stopping turns /readyz to 503 once shutdown begins, for probes that
	// still reach the server (on connections kept alive) while replies in
	// flight finish; the listener itself closes at once.
	stopping atomic.Bool
}

// dbCheckTimeout bounds the database write of one /readyz; a database
// that slow is not ready.
const dbCheckTimeout = 2 * time.Second

// check is one component's readiness in /readyz.
type check struct {
	Ready bool   `json:"ready"`
	Error string `json:"error,omitempty"`
	// Standby: another replica runs this platform (Matrix sync runs on
	// the leader only); this one is ready to take over.
	Standby bool `json:"standby,omitempty"`
}

// readiness is the /readyz body.
type readiness struct {
	Ready        bool             `json:"ready"`
	ShuttingDown bool             `json:"shutting_down,omitempty"`
	Platforms    map[string]check `json:"platforms"`
	Database     check            `json:"database"`
	// Leader says whether this replica leads (runs Matrix sync and the
	// digests), when replicas share a PostgreSQL database; absent on one
	// process. A replica is ready whether or not it leads.
	Leader *bool `json:"leader,omitempty"`
	// LeaderSince is when this replica became the leader.
	LeaderSince *time.Time `json:"leader_since,omitempty"`
}

// register adds the health, readiness and metrics endpoints to mux.
func (h *health) register(mux *http.ServeMux, metrics http.Handler) {
	mux.HandleFunc("GET /healthz", h.serveHealthz)
	mux.HandleFunc("GET /readyz", h.serveReadyz)
	mux.Handle("GET /metrics", metrics)
}

// serveHealthz says the process is alive and serving HTTP; it checks
// nothing else, so that a slow platform never gets the process restarted.
func (h *health) serveHealthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": h.version})
}

func (h *health) serveReadyz(w http.ResponseWriter, r *http.Request) {
	rd := h.readiness(r.Context())
	status := http.StatusOK
	if !rd.Ready {
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, status, rd)
}

func (h *health) readiness(ctx context.Context) readiness {
	rd := readiness{Ready: true, Platforms: map[string]check{}}
	for _, p := range h.platforms {
		c := check{Ready: true}
		if err := p.Ready(); err != nil {
			c = check{Error: err.Error()}
			rd.Ready = false
		}
		if s, ok := p.(interface{ Standby() bool }); ok && s.Standby() {
			c.Standby = true
		}
		rd.Platforms[p.Name()] = c
	}
	if h.leader != nil {
		leads, since := h.leader.Leader()
		rd.Leader = &leads
		if leads {
			rd.LeaderSince = &since
		}
	}
	rd.Database = check{Ready: true}
	if err := h.dbWritable(ctx); err != nil {
		rd.Database = check{Error: err.Error()}
		rd.Ready = false
	}
	if h.stopping.Load() {
		rd.Ready, rd.ShuttingDown = false, true
	}
	return rd
}

// dbWritable writes a timestamp to the state file: a database that can
// be read but not written (full disk, read-only volume) is not ready.
func (h *health) dbWritable(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, dbCheckTimeout)
	defer cancel()
	return h.db.SetState(ctx, "health", "readyz", h.now().UTC().Format(time.RFC3339))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v) // an error means the prober went away; nothing to do

}
