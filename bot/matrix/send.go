package matrix

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/policybot/policybot/bot"
	"github.com/policybot/policybot/bot/delivery"
)

// send posts content (an *event.MessageEventContent, or an *event.Content
// for content with custom fields) to a room, encrypting it when the room
// is encrypted, under the posting policy: transient failures are retried
// with the same transaction ID, so the homeserver keeps at most one copy
// however often it is sent.
func (a *Adapter) send(ctx context.Context, room id.RoomID, content any, txn string) (id.EventID, error) {
	var resp *mautrix.RespSendEvent
	err := a.post.Do(ctx, string(room), func(ctx context.Context, _ delivery.Attempt) error {
		var err error
		resp, err = a.cli.SendMessageEvent(ctx, room, event.EventMessage, content, mautrix.ReqSendEvent{TransactionID: txn})
		return err
	})
	if err != nil {
		return "", fmt.Errorf("matrix: send to room %s: %w", room, err)
	}
	return resp.EventID, nil
}

// sendOnce is send for a message that must appear once: after a failure
// that may have posted it (Attempt.Uncertain), and before the first
// attempt when lookFirst is set (a reply resumed after a restart), the
// room's recent history is searched for the bot's message that match
// recognises, and nothing is sent if it is there. When the history cannot
// be read the message is sent all the same, with a warning: it may then
// show twice, which is better than not at all.
func (a *Adapter) sendOnce(ctx context.Context, room id.RoomID, content any, txn string, lookFirst bool, match func(raw map[string]any) bool) (id.EventID, error) {
	var posted id.EventID
	err := a.post.Do(ctx, string(room), func(ctx context.Context, at delivery.Attempt) error {
		if at.Uncertain || lookFirst && at.N == 1 {
			found, how, err := a.findOwn(ctx, room, match, txn)
			switch {
			case err != nil:
				a.log.Warn("matrix: a reply may have been posted already, but the room's history cannot be read to check; sending it, which may show it twice", "room", room, "err", err)
			case found != "":
				a.log.Info("matrix: the reply had been posted already; not sending it again", "room", room, "event", found, "recognised_by", how)
				posted = found
				return nil
			}
		}
		resp, err := a.cli.SendMessageEvent(ctx, room, event.EventMessage, content, mautrix.ReqSendEvent{TransactionID: txn})
		if err != nil {
			return err
		}
		posted = resp.EventID
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("matrix: send to room %s: %w", room, err)
	}
	return posted, nil
}

// digestField is the custom field in the content of every digest that
// marks it as one, with its key: {"org.policybot.digest": {"key": key}}.
// Custom namespaced fields are allowed in m.room.message content; clients
// ignore them.
const digestField = "org.policybot.digest"

// How far back a retried delivery looks for an earlier copy: at most
// historyPages pages of historyPageSize events, newest first.
const (
	historyPageSize = 100
	historyPages    = 2
)

// Deliver posts a digest to a room (digest.Sender), at most once per key.
//
// Every digest carries its key in digestField and is sent with a
// transaction ID derived from the key. A first attempt just sends. A retry
// (the process may have died after the send but before the scheduler
// recorded it) first looks for the earlier copy in the room's recent
// history and posts only if there is none. The transaction ID stays as a
// second line of defence, but only that: homeservers remember transaction
// IDs for a limited time (Synapse: about 30 minutes) and per device, while
// a retry may come hours later or after a new login. If the history cannot
// be read, the retry fails and the scheduler tries again later: it never
// posts blind.
func (a *Adapter) Deliver(ctx context.Context, conversation string, r bot.Reply, key string, retry bool) error {
	// Ready also orders this read of a.cli after Run has set it up.
	if err := a.Ready(); err != nil {
		return fmt.Errorf("matrix: cannot deliver to %s now (the scheduler will retry): %w", conversation, err)
	}
	room, txn := id.RoomID(conversation), txnID("digest", key)
	if retry {
		a.log.Info("matrix: retrying digest delivery; looking for an earlier copy in the room first", "room", room, "key", key)
		evt, how, err := a.findOwn(ctx, room, func(raw map[string]any) bool { return digestKey(raw) == key }, txn)
		if err != nil {
			return fmt.Errorf("matrix: retried digest %s for room %s: cannot check whether it was posted already, so not posting it now (the scheduler will retry): %w", key, room, err)
		}
		if evt != "" {
			a.log.Info("matrix: digest already posted; not posting again", "room", room, "key", key, "event", evt, "recognised_by", how)
			return nil
		}
		a.log.Info("matrix: no earlier copy of the digest in the room's recent history; sending it with the same transaction ID", "room", room, "key", key)
	}
	content := &event.Content{
		Parsed: Render(r, a.renderOptions()...),
		Raw:    map[string]any{digestField: map[string]any{"key": key}},
	}
	_, err := a.send(ctx, room, content, txn)
	return err
}

// findOwn looks through the room's latest events, newest first, for a
// message the bot posted that match recognises by its (decrypted)
// content, and returns its event ID (empty if none) and how it was
// recognised. Events that cannot be decrypted are skipped. It fails only
// if the history cannot be read.
func (a *Adapter) findOwn(ctx context.Context, room id.RoomID, match func(raw map[string]any) bool, txn string) (id.EventID, string, error) {
	// Servers that honour the filter return only the bot's messages, so
	// the pages reach further back; the checks below do not rely on it.
	filter := &mautrix.FilterPart{Senders: []id.UserID{a.self}, Types: []event.Type{event.EventMessage, event.EventEncrypted}}
	from := ""
	for page := 0; page < historyPages; page++ {
		var resp *mautrix.RespMessages
		err := a.post.Do(ctx, string(room), func(ctx context.Context, _ delivery.Attempt) error {
			var err error
			resp, err = a.cli.Messages(ctx, room, from, "", mautrix.DirectionBackward, filter, historyPageSize)
			return err
		})
		if err != nil {
			return "", "", fmt.Errorf("read the recent messages of room %s: %w", room, err)
		}
		for _, evt := range resp.Chunk {
			if how := a.isOwn(ctx, room, evt, match, txn); how != "" {
				return evt.ID, how, nil
			}
		}
		if resp.End == "" || resp.End == from {
			break // the start of the room, or all the bot may see
		}
		from = resp.End
	}
	return "", "", nil
}

// isOwn says how evt is recognised as the bot's message that match
// recognises, or that has transaction ID txn, or "" if it is not one.
func (a *Adapter) isOwn(ctx context.Context, room id.RoomID, evt *event.Event, match func(raw map[string]any) bool, txn string) string {
	if evt == nil || evt.Sender != a.self {
		return ""
	}
	// Only for events sent by this device, and only while the server
	// keeps the transaction; cheap, so first.
	if evt.Unsigned.TransactionID == txn {
		return "transaction ID"
	}
	switch evt.Type {
	case event.EventMessage:
		if match(evt.Content.Raw) {
			return "content"
		}
	case event.EventEncrypted:
		h := a.cryptoHelper()
		if h == nil {
			a.log.Debug("matrix: skipping an encrypted message of the bot while looking for its earlier message: encryption is off", "room", room, "event", evt.ID)
			return ""
		}
		if evt.RoomID == "" {
			evt.RoomID = room
		}
		if evt.Content.Parsed == nil {
			if err := evt.Content.ParseRaw(evt.Type); err != nil {
				a.log.Debug("matrix: skipping a malformed encrypted message of the bot while looking for its earlier message", "room", room, "event", evt.ID, "err", err)
				return ""
			}
		}
		dec, err := h.Decrypt(ctx, evt)
		if err != nil {
			a.log.Debug("matrix: skipping an encrypted message of the bot that cannot be decrypted while looking for its earlier message", "room", room, "event", evt.ID, "err", err)
			return ""
		}
		if dec.Type == event.EventMessage && match(dec.Content.Raw) {
			return "content (decrypted)"
		}
	}
	return ""
}

// digestKey is the key in the digest field of raw content, or "".
func digestKey(raw map[string]any) string {
	m, _ := raw[digestField].(map[string]any)
	k, _ := m["key"].(string)
	return k
}

// txnID makes a transaction ID from a kind and a key: readable, safe in a
// URL path, and unique per key even after sanitising.
func txnID(kind, key string) string {
	sum := sha256.Sum256([]byte(kind + "\x00" + key))
	clean := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, key)
	if len(clean) > 64 {
		clean = clean[:64]
	}
	return "policybot." + kind + "." + clean + "." + hex.EncodeToString(sum[:8])
}
