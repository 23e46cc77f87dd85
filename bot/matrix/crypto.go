package matrix

import (
	"context"
	"fmt"

	"go.mau.fi/util/dbutil"
	"maunium.net/go/mautrix/crypto/cryptohelper"
	"maunium.net/go/mautrix/event"
)

// setupCrypto starts end-to-end encryption with mautrix's crypto helper.
// Its keys live in the same SQLite state file, encrypted with the pickle
// key; with the goolm build tag everything is pure Go.
func (a *Adapter) setupCrypto(ctx context.Context, db *dbutil.Database) error {
	h, err := cryptohelper.NewCryptoHelper(a.cli, []byte(a.opts.PickleKey), db)
	if err != nil {
		return fmt.Errorf("matrix: set up encryption: %w", err)
	}
	// One state file may have served another account before.
	h.DBAccountID = string(a.self)
	h.DecryptErrorCallback = func(evt *event.Event, err error) {
		a.log.Warn("matrix: cannot decrypt message; the sender's client may not have shared its keys with the bot's device",
			"room", evt.RoomID, "event", evt.ID, "sender", evt.Sender, "err", err)
	}
	if err := h.Init(ctx); err != nil {
		return fmt.Errorf("matrix: start encryption for device %s (if the device changed, the crypto keys in the state file belong to the old one: use a fresh POLICYBOT_DB or the old device's token): %w", a.cli.DeviceID, err)
	}
	a.mu.Lock()
	a.crypto = h
	a.mu.Unlock()
	a.cli.Crypto = h
	return nil
}

// setupIdentity makes sure the device is cross-signed (identity.go),
// unless a test turned that off.
func (a *Adapter) setupIdentity(ctx context.Context) error {
	if a.opts.NoCrossSigning {
		a.log.Warn("matrix: cross-signing is off (test switch): the device stays unsigned")
		return nil
	}
	return a.ensureIdentity(ctx, a.crypto.Machine())
}

func (a *Adapter) closeCrypto() {
	// The helper's database is the shared state file, which the store
	// owns and closes: nothing to release here.
	a.mu.Lock()
	a.crypto = nil
	a.mu.Unlock()
}

// cryptoHelper is the crypto helper, or nil while encryption is off or
// after Run has ended; safe to call from any goroutine.
func (a *Adapter) cryptoHelper() *cryptohelper.CryptoHelper {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.crypto
}

// handleUndecryptable runs when encryption is off: it logs, once per room,
// that the room's messages cannot be read.
func (a *Adapter) handleUndecryptable(_ context.Context, evt *event.Event) {
	a.mu.Lock()
	seen := a.warned[evt.RoomID]
	a.warned[evt.RoomID] = true
	a.mu.Unlock()
	if !seen {
		a.log.Warn("matrix: room is encrypted but encryption is off; set POLICYBOT_MATRIX_PICKLE_KEY to answer there", "room", evt.RoomID)
	}
}
