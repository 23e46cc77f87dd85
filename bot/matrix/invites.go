package matrix

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// inviterPolicy decides whose invitations the bot accepts: listed user IDs
// and users on listed servers.
type inviterPolicy struct {
	users   map[id.UserID]bool
	servers map[string]bool
}

// parseInviters reads POLICYBOT_MATRIX_ALLOWED_INVITERS entries: full user
// IDs ("@alice:example.org") and server patterns (":example.org"). With no
// entries, users on the bot's own server are allowed.
func parseInviters(entries []string, self id.UserID) (inviterPolicy, error) {
	p := inviterPolicy{users: map[id.UserID]bool{}, servers: map[string]bool{}}
	for _, e := range entries {
		e = strings.TrimSpace(e)
		switch {
		case e == "":
		case strings.HasPrefix(e, ":") && len(e) > 1:
			p.servers[strings.ToLower(e[1:])] = true
		case strings.HasPrefix(e, "@"):
			if _, _, err := id.UserID(e).Parse(); err != nil {
				return p, fmt.Errorf("matrix: allowed inviter %q is not a user ID (%v); use @user:server.name or :server.name", e, err)
			}
			p.users[id.UserID(e)] = true
		default:
			return p, fmt.Errorf("matrix: allowed inviter %q: use a user ID like @alice:example.org or a server like :example.org", e)
		}
	}
	if len(p.users) == 0 && len(p.servers) == 0 {
		_, server, err := self.Parse()
		if err != nil {
			return p, fmt.Errorf("matrix: bot user %q is not a user ID: %w", self, err)
		}
		p.servers[strings.ToLower(server)] = true
	}
	return p, nil
}

func (p inviterPolicy) allows(u id.UserID) bool {
	if p.users[u] {
		return true
	}
	_, server, err := u.Parse()
	return err == nil && p.servers[strings.ToLower(server)]
}

// handleMember accepts or declines invitations addressed to the bot.
// Invitations that arrived while the bot was offline are handled too: an
// invite waits until someone acts on it.
func (a *Adapter) handleMember(ctx context.Context, evt *event.Event) {
	// Only the invite section of a sync holds invitations still open; an
	// invite event in a joined room's timeline is history.
	if evt.GetStateKey() != string(a.self) || evt.Mautrix.EventSource&event.SourceInvite == 0 {
		return
	}
	m := evt.Content.AsMember()
	if m.Membership != event.MembershipInvite {
		return
	}
	log := a.log.With("room", evt.RoomID, "inviter", evt.Sender)
	if !a.inviters.allows(evt.Sender) {
		log.Warn("matrix: declining invite from a user not in POLICYBOT_MATRIX_ALLOWED_INVITERS")
		if _, err := a.cli.LeaveRoom(ctx, evt.RoomID, &mautrix.ReqLeave{Reason: "policybot accepts invitations only from allowed users"}); err != nil {
			log.Error("matrix: could not decline invite", "err", err)
		}
		return
	}
	if m.IsDirect {
		a.setDirect(evt.RoomID)
	}
	a.markJoined(ctx, evt.RoomID)
	if _, err := a.cli.JoinRoomByID(ctx, evt.RoomID); err != nil {
		log.Error("matrix: could not join room after invite", "err", err)
		return
	}
	log.Info("matrix: joined room", "direct", m.IsDirect)
}

// markJoined records when the bot joined a room, so the history it can
// see there is not taken for new questions.
func (a *Adapter) markJoined(ctx context.Context, room id.RoomID) {
	ms := a.now().UnixMilli()
	a.mu.Lock()
	a.joinedAt[room] = ms
	a.mu.Unlock()
	if err := a.store.SetState(ctx, stateNamespace, keyJoinedAt+string(room), fmt.Sprint(ms)); err != nil {
		a.log.Warn("matrix: could not record join time", "room", room, "err", err)
	}
}

// cutoff is the time before which a room's events are history: when the
// bot started or joined the room, whichever is later. The join time comes
// from the state file after a restart, for a join whose room history a
// resumed sync may still deliver.
func (a *Adapter) cutoff(ctx context.Context, room id.RoomID) int64 {
	a.mu.Lock()
	joined, known := a.joinedAt[room]
	start := a.cutoffMS
	a.mu.Unlock()
	if !known {
		v, ok, err := a.store.GetState(ctx, stateNamespace, keyJoinedAt+string(room))
		switch {
		case err != nil:
			a.log.Warn("matrix: could not read join time", "room", room, "err", err)
		default:
			if ok {
				joined, _ = strconv.ParseInt(v, 10, 64)
			}
			a.mu.Lock()
			a.joinedAt[room] = joined
			a.mu.Unlock()
		}
	}
	return max(start, joined)
}

func (a *Adapter) setDirect(room id.RoomID) {
	a.mu.Lock()
	a.direct[room] = true
	a.mu.Unlock()
}

// handleDirect keeps the bot's m.direct account data: rooms listed there
// are direct-message rooms whatever their size.
func (a *Adapter) handleDirect(_ context.Context, evt *event.Event) {
	dc := evt.Content.AsDirectChats()
	if dc == nil {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, rooms := range *dc {
		for _, r := range rooms {
			a.direct[r] = true
		}
	}
}
