package slack

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"
)

// Register adds the HTTP endpoints to mux. They answer 404 unless a signing
// secret is configured, so that an unsigned deployment exposes nothing.
//
//	POST /slack/commands      slash commands
//	POST /slack/events        Events API, including url_verification
//	POST /slack/interactivity button clicks
func (a *Adapter) Register(mux *http.ServeMux) {
	if a.o.SigningSecret == "" {
		return
	}
	mux.HandleFunc("POST /slack/commands", a.serveCommand)
	mux.HandleFunc("POST /slack/events", a.serveEvent)
	mux.HandleFunc("POST /slack/interactivity", a.serveInteraction)
}

// body reads and verifies a request, answering it when that fails. Nothing
// of the request is parsed before the signature has been checked.
func (a *Adapter) body(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	b, err := a.verify.readVerified(w, r)
	switch {
	case err == nil:
		return b, true
	case errors.Is(err, ErrBodyTooLarge):
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
	default:
		// One line per refusal, without the body: it is unauthenticated.
		a.log.Warn("slack: refused unverified request", "path", r.URL.Path, "remote", r.RemoteAddr, "reason", err)
		http.Error(w, "invalid Slack signature", http.StatusUnauthorized)
	}
	return nil, false
}

func (a *Adapter) serveEvent(w http.ResponseWriter, r *http.Request) {
	body, ok := a.body(w, r)
	if !ok {
		return
	}
	ev, err := parseEventCallback(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if ev.Type == "url_verification" {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"challenge": ev.Challenge})
		return
	}
	// Record the question, acknowledge (Slack retries after 3 s), then
	// answer. A question that cannot be recorded is not acknowledged:
	// Slack sends it again, up to three times over about five minutes.
	q, err := a.receive(r.Context(), ev)
	if err != nil {
		a.log.Error("slack: could not record a question; asking Slack to send it again", "event_id", ev.EventID, "reason", err)
		w.Header().Set("Retry-After", "10")
		http.Error(w, "cannot record the event now; send it again", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
	if q != nil {
		a.answerLater(q, time.Time{})
	}
}

func (a *Adapter) serveCommand(w http.ResponseWriter, r *http.Request) {
	body, ok := a.body(w, r)
	if !ok {
		return
	}
	c, err := parseCommandForm(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	res := a.answerCommand(c)
	if res == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(res); err != nil {
		a.log.Error("slack: could not write slash command answer", "channel", c.ChannelID, "reason", err)
	}
}

func (a *Adapter) serveInteraction(w http.ResponseWriter, r *http.Request) {
	body, ok := a.body(w, r)
	if !ok {
		return
	}
	in, err := parseInteractionForm(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusOK)
	a.async(func(ctx context.Context) { a.handleInteraction(ctx, in) })
}
