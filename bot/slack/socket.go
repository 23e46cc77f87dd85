package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/slack-go/slack/socketmode"
)

// runSocketMode holds a Socket Mode connection until ctx ends. slack-go
// reconnects by itself; it only returns early when Slack refuses the app
// token, which no retry will fix.
func (a *Adapter) runSocketMode(ctx context.Context) error {
	client := socketmode.New(a.api,
		socketmode.OptionPingInterval(a.o.PingInterval),
		socketmode.OptionLog(slog.NewLogLogger(a.log.Handler(), slog.LevelDebug)),
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	runErr := make(chan error, 1)
	go func() { runErr <- client.RunContext(ctx) }()
	for {
		select {
		case err := <-runErr:
			if ctx.Err() != nil {
				return nil
			}
			err = fmt.Errorf("slack: Socket Mode stopped: %w; check POLICYBOT_SLACK_APP_TOKEN (an app-level token with connections:write) and that Socket Mode is enabled for the app", err)
			a.setReady(err)
			return err
		case evt := <-client.Events:
			a.socketEvent(ctx, client, evt)
		}
	}
}

// acker is the part of the Socket Mode client socketEvent needs.
type acker interface {
	AckCtx(ctx context.Context, envelopeID string, payload any) error
}

// socketEvent handles one event from the Socket Mode client. Envelopes are
// acknowledged before any work is done, as Slack redelivers after a few
// seconds without an ack.
func (a *Adapter) socketEvent(ctx context.Context, c acker, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		a.setReady(errors.New("slack: Socket Mode connecting"))
	case socketmode.EventTypeConnectionError:
		a.setReady(fmt.Errorf("slack: Socket Mode connection failed: %v", evt.Data))
		a.log.Warn("slack: Socket Mode connection failed; retrying", "reason", evt.Data)
	case socketmode.EventTypeInvalidAuth:
		a.setReady(errors.New("slack: Socket Mode refused the app token"))
	case socketmode.EventTypeConnected:
		a.setReady(nil)
		if ce, ok := evt.Data.(*socketmode.ConnectedEvent); ok && ce.ConnectionCount > 0 {
			a.log.Info("slack: Socket Mode reconnected", "connections", ce.ConnectionCount+1)
			if a.o.OnReconnect != nil {
				a.o.OnReconnect()
			}
		} else {
			a.log.Info("slack: Socket Mode connected")
		}
	case socketmode.EventTypeEventsAPI, socketmode.EventTypeInteractive:
		if evt.Request == nil {
			return
		}
		payload := evt.Request.Payload
		if evt.Type == socketmode.EventTypeEventsAPI {
			ev, err := parseEventCallback(payload)
			if err != nil {
				a.ack(ctx, c, evt.Request.EnvelopeID, nil)
				a.log.Warn("slack: ignored malformed Socket Mode event", "reason", err)
				return
			}
			// Record, then acknowledge; unacknowledged, Slack sends the
			// event again (see serveEvent).
			q, err := a.receive(ctx, ev)
			if err != nil {
				a.log.Error("slack: could not record a question; leaving it unacknowledged so that Slack sends it again", "event_id", ev.EventID, "reason", err)
				return
			}
			a.ack(ctx, c, evt.Request.EnvelopeID, nil)
			if q != nil {
				a.answerLater(q, time.Time{})
			}
			return
		}
		a.ack(ctx, c, evt.Request.EnvelopeID, nil)
		in, err := parseInteractionJSON(payload)
		if err != nil {
			a.log.Warn("slack: ignored malformed Socket Mode interaction", "reason", err)
			return
		}
		a.async(func(ctx context.Context) { a.handleInteraction(ctx, in) })
	case socketmode.EventTypeSlashCommand:
		if evt.Request == nil {
			return
		}
		cmd, err := parseCommandJSON(evt.Request.Payload)
		if err != nil {
			a.ack(ctx, c, evt.Request.EnvelopeID, nil)
			a.log.Warn("slack: ignored malformed Socket Mode slash command", "reason", err)
			return
		}
		// The answer rides in the ack, like an HTTP response body; it is
		// ready well within the budget (the core takes microseconds).
		var payload any
		if res := a.answerCommand(cmd); res != nil {
			payload = res
		}
		if err := c.AckCtx(ctx, evt.Request.EnvelopeID, payload); err != nil {
			// Too large for an ack (20 KB): acknowledge empty, answer later.
			a.ack(ctx, c, evt.Request.EnvelopeID, nil)
			if res, ok := payload.(*responseMessage); ok {
				a.async(func(ctx context.Context) {
					if err := a.respond(ctx, cmd.ResponseURL, res); err != nil {
						a.log.Error("slack: could not send slash command answer", "channel", cmd.ChannelID, "reason", err)
					}
				})
			}
		}
	case socketmode.EventTypeErrorBadMessage:
		// slack-go could not parse the envelope (e.g. an event type it does
		// not know). Ack it anyway, or Slack will redeliver it forever.
		if bm, ok := evt.Data.(*socketmode.ErrorBadMessage); ok {
			var env struct {
				EnvelopeID string `json:"envelope_id"`
			}
			if json.Unmarshal(bm.Message, &env) == nil && env.EnvelopeID != "" {
				a.ack(ctx, c, env.EnvelopeID, nil)
			}
			a.log.Warn("slack: unreadable Socket Mode message", "reason", bm.Cause)
		}
	case socketmode.EventTypeDisconnect:
		a.setReady(errors.New("slack: Socket Mode reconnecting at Slack's request"))
	}
}

func (a *Adapter) ack(ctx context.Context, c acker, envelopeID string, payload any) {
	if err := c.AckCtx(ctx, envelopeID, payload); err != nil {
		a.log.Warn("slack: could not acknowledge Socket Mode envelope", "envelope", envelopeID, "reason", err)
	}
}
