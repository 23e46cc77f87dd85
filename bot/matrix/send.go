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
)

// send posts content to a room, encrypting it when the room is encrypted,
// and retries transient failures with the same transaction ID, so the
// homeserver keeps at most one copy however often it is sent.
func (a *Adapter) send(ctx context.Context, room id.RoomID, content *event.MessageEventContent, txn string) (id.EventID, error) {
	var resp *mautrix.RespSendEvent
	err := a.retry(ctx, "send to "+string(room), a.opts.MaxSendAttempts, func(ctx context.Context) error {
		var err error
		resp, err = a.cli.SendMessageEvent(ctx, room, event.EventMessage, content, mautrix.ReqSendEvent{TransactionID: txn})
		return err
	})
	if err != nil {
		return "", fmt.Errorf("matrix: send to room %s: %w", room, err)
	}
	return resp.EventID, nil
}

// Deliver posts a digest to a room (digest.Sender). The transaction ID is
// derived from key, so a retried delivery with the same key is
// deduplicated by the homeserver and never appears twice. The homeserver
// remembers transaction IDs per device for a while (Synapse and Dendrite:
// at least tens of minutes), which covers the scheduler's retries.
func (a *Adapter) Deliver(ctx context.Context, conversation string, r bot.Reply, key string, retry bool) error {
	// Ready also orders this read of a.cli after Run has set it up.
	if err := a.Ready(); err != nil {
		return fmt.Errorf("matrix: cannot deliver to %s now (the scheduler will retry): %w", conversation, err)
	}
	if retry {
		a.log.Info("matrix: retrying digest delivery with the same transaction ID", "room", conversation, "key", key)
	}
	_, err := a.send(ctx, id.RoomID(conversation), Render(r), txnID("digest", key))
	return err
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
