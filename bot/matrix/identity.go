package matrix

import (
	"context"
	"errors"
	"fmt"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/crypto"
	"maunium.net/go/mautrix/crypto/signatures"
	"maunium.net/go/mautrix/crypto/ssss"
	"maunium.net/go/mautrix/id"
)

// The bot's cross-signing identity. Clients that follow MSC4153 (Element
// and the others on the Matrix Rust SDK) share room keys only with
// devices their owner has cross-signed, so the bot keeps a master,
// self-signing and user-signing key, signs its own device with the
// self-signing key, and keeps the private keys in secret storage (SSSS)
// on the homeserver, unlocked by a recovery key that the state file keeps
// (encrypted with the pickle key) and the operator may configure.

// errIdentityMismatch marks a published cross-signing identity that none
// of the recovery keys policybot has can unlock: someone reset it from
// another client, or the configured key belongs to another identity.
// Retrying cannot fix it, so the adapter stops.
var errIdentityMismatch = errors.New("matrix: the published cross-signing identity is not the one policybot holds the keys for")

// mismatch is errIdentityMismatch with the reason the last key failed.
type mismatch struct{ reason error }

func (m *mismatch) Error() string        { return errIdentityMismatch.Error() + ": " + m.reason.Error() }
func (m *mismatch) Is(target error) bool { return target == errIdentityMismatch }

// published is what the homeserver shows of the bot's identity.
type published struct {
	master, selfSigning id.Ed25519 // "" when none is published
	device              *mautrix.DeviceKeys
}

// queryOwnKeys asks the homeserver (not the local crypto store) for the
// bot's cross-signing keys and its own device's keys.
func (a *Adapter) queryOwnKeys(ctx context.Context) (published, error) {
	resp, err := a.cli.QueryKeys(ctx, &mautrix.ReqQueryKeys{
		DeviceKeys: mautrix.DeviceKeysRequest{a.self: mautrix.DeviceIDList{a.cli.DeviceID}},
	})
	if err != nil {
		return published{}, fmt.Errorf("matrix: ask %s for the bot's published keys: %w", a.opts.Homeserver, err)
	}
	var p published
	if mk, ok := resp.MasterKeys[a.self]; ok {
		p.master = mk.FirstKey()
	}
	if sk, ok := resp.SelfSigningKeys[a.self]; ok {
		p.selfSigning = sk.FirstKey()
	}
	if d, ok := resp.DeviceKeys[a.self][a.cli.DeviceID]; ok {
		p.device = &d
	}
	return p, nil
}

// signedBySelfSigningKey reports whether the published device keys carry
// a valid signature by the published self-signing key.
func (p published) signedBySelfSigningKey(user id.UserID) bool {
	if p.device == nil || p.selfSigning == "" {
		return false
	}
	ok, err := signatures.VerifySignatureJSON(p.device, user, p.selfSigning.String(), p.selfSigning)
	return err == nil && ok
}

// ensureIdentity runs on every start with encryption on: it creates the
// identity when none is published, checks that a published one is the
// one the recovery key unlocks, and signs this device if it is not signed
// by the current self-signing key.
func (a *Adapter) ensureIdentity(ctx context.Context, mach *crypto.OlmMachine) error {
	pub, err := a.queryOwnKeys(ctx)
	if err != nil {
		return err
	}
	if pub.master == "" {
		return a.createIdentity(ctx, mach, "no cross-signing identity is published for this account yet")
	}
	keys, from, err := a.unlockIdentity(ctx, mach, pub)
	var mm *mismatch
	switch {
	case errors.Is(err, errNoRecoveryKey):
		if a.opts.ResetIdentity {
			return a.createIdentity(ctx, mach, "--reset-matrix-identity was given and policybot has no recovery key for the published identity")
		}
		if pub.signedBySelfSigningKey(a.self) {
			a.log.Info("matrix: device is cross-signed", "device", a.cli.DeviceID, "master_key", pub.master)
			return nil
		}
		// Run unsigned rather than exit: a supervisor would restart an
		// exiting bot in a loop, and unencrypted rooms still work.
		a.log.Error("matrix: this device is NOT cross-signed, so clients that exclude unverified devices (Element and others) will not share room keys with it and it cannot read their encrypted rooms. "+
			"The account already has a cross-signing identity, but policybot has no recovery key for it in its state file. "+
			"Fix: set matrix.recovery_key (POLICYBOT_MATRIX_RECOVERY_KEY) to the recovery key printed when the identity was created and restart; "+
			"or, if that key is lost, start once with 'policybot serve --reset-matrix-identity' (needs matrix.password) to replace the identity with a new one",
			"device", a.cli.DeviceID, "master_key", pub.master)
		return nil
	case errors.As(err, &mm):
		if a.opts.ResetIdentity {
			return a.createIdentity(ctx, mach, "--reset-matrix-identity was given and the published identity does not match policybot's recovery key")
		}
		return fmt.Errorf("%w (published master key %s; %v). "+
			"If the identity was reset on purpose from another client, set matrix.recovery_key (POLICYBOT_MATRIX_RECOVERY_KEY) to its recovery key; "+
			"to replace it with a new identity of policybot's, start once with 'policybot serve --reset-matrix-identity' (needs matrix.password)",
			errIdentityMismatch, pub.master, mm.reason)
	case err != nil:
		return err
	}
	if from != "" {
		if err := a.saveRecoveryKey(ctx, from); err != nil {
			return err
		}
	}
	if a.opts.ResetIdentity {
		a.log.Warn("matrix: --reset-matrix-identity given, but the published identity is policybot's own and unlocks: nothing reset; remove the flag", "master_key", keys.master)
	}
	if pub.signedBySelfSigningKey(a.self) {
		a.log.Info("matrix: device is cross-signed", "device", a.cli.DeviceID, "master_key", pub.master)
		return nil
	}
	if err := a.signDevice(ctx, mach); err != nil {
		return err
	}
	a.log.Info("matrix: signed this device with the existing cross-signing identity", "device", a.cli.DeviceID, "master_key", keys.master)
	return nil
}

var errNoRecoveryKey = errors.New("no recovery key")

type unlocked struct{ master id.Ed25519 }

// unlockIdentity tries the configured recovery key, then the stored one,
// and loads the private cross-signing keys from secret storage with the
// first that unlocks the published identity. from is the key to save to
// the state file when it is not stored there yet ("" when it is).
func (a *Adapter) unlockIdentity(ctx context.Context, mach *crypto.OlmMachine, pub published) (keys unlocked, from string, err error) {
	stored, err := a.loadRecoveryKey(ctx)
	if err != nil {
		return unlocked{}, "", err
	}
	var candidates []string
	for _, k := range []string{a.opts.RecoveryKey, stored} {
		if k != "" && (len(candidates) == 0 || candidates[0] != k) {
			candidates = append(candidates, k)
		}
	}
	if len(candidates) == 0 {
		return unlocked{}, "", errNoRecoveryKey
	}
	keyID, meta, err := mach.SSSS.GetDefaultKeyData(ctx)
	if err != nil {
		if errors.Is(err, ssss.ErrNoDefaultKeyID) {
			return unlocked{}, "", &mismatch{errors.New("the account has no secret storage to unlock")}
		}
		return unlocked{}, "", fmt.Errorf("matrix: read the secret storage key description from %s: %w", a.opts.Homeserver, err)
	}
	var last error
	for _, rk := range candidates {
		key, err := meta.VerifyRecoveryKey(keyID, rk)
		if err != nil && !errors.Is(err, ssss.ErrUnverifiableKey) {
			last = fmt.Errorf("the recovery key does not open the account's secret storage (%w)", err)
			continue
		}
		if err := mach.FetchCrossSigningKeysFromSSSS(ctx, key); err != nil {
			if transient(err) {
				return unlocked{}, "", fmt.Errorf("matrix: fetch the cross-signing keys from secret storage: %w", err)
			}
			last = fmt.Errorf("the cross-signing keys in secret storage cannot be read with the recovery key (%w)", err)
			continue
		}
		have := mach.CrossSigningKeys.PublicKeys()
		if have.MasterKey != pub.master || have.SelfSigningKey != pub.selfSigning {
			last = fmt.Errorf("secret storage holds master key %s, but %s is published", have.MasterKey, pub.master)
			continue
		}
		if rk != stored {
			from = rk
		}
		return unlocked{master: have.MasterKey}, from, nil
	}
	// Keys that unlocked nothing must not be used to sign anything.
	mach.CrossSigningKeys = nil
	return unlocked{}, "", &mismatch{last}
}

// createIdentity generates and publishes a new identity (answering the
// homeserver's user-interactive auth with the password), stores its
// private keys in secret storage, signs this device, saves the recovery
// key in the state file and prints it once.
func (a *Adapter) createIdentity(ctx context.Context, mach *crypto.OlmMachine, why string) error {
	if a.opts.Password == "" {
		// Publishing needs the password (user-interactive auth); run
		// unsigned, as when the recovery key is missing, rather than exit.
		a.log.Error("matrix: this device is NOT cross-signed, so clients that exclude unverified devices (Element and others) will not share room keys with it. "+
			"policybot cannot create a cross-signing identity without the account password: set matrix.password (POLICYBOT_MATRIX_PASSWORD) for one start",
			"device", a.cli.DeviceID, "why", why)
		return nil
	}
	a.log.Info("matrix: creating the bot's cross-signing identity", "why", why)
	rk, keys, err := mach.GenerateAndUploadCrossSigningKeysWithPassword(ctx, a.opts.Password, "")
	if rk != "" {
		// Saved even when publishing failed: the next start then either
		// finds nothing published and starts over, or unlocks it.
		if serr := a.saveRecoveryKey(ctx, rk); serr != nil {
			return serr
		}
	}
	if err != nil {
		var he mautrix.HTTPError
		if errors.As(err, &he) && he.IsStatus(401) {
			return fmt.Errorf("matrix: publish the bot's cross-signing keys: the homeserver refused matrix.password (POLICYBOT_MATRIX_PASSWORD) for it: %w", err)
		}
		return fmt.Errorf("matrix: create the bot's cross-signing identity: %w", err)
	}
	if err := a.signDevice(ctx, mach); err != nil {
		return err
	}
	a.printRecoveryKey(rk)
	a.log.Info("matrix: published a cross-signing identity and signed this device", "device", a.cli.DeviceID, "master_key", keys.MasterKey.PublicKey())
	return nil
}

// signDevice signs this device with the self-signing key and the master
// key with this device, as other clients do after verifying.
func (a *Adapter) signDevice(ctx context.Context, mach *crypto.OlmMachine) error {
	if err := mach.SignOwnDevice(ctx, mach.OwnIdentity()); err != nil {
		return fmt.Errorf("matrix: sign device %s with the self-signing key: %w", a.cli.DeviceID, err)
	}
	if err := mach.SignOwnMasterKey(ctx); err != nil {
		return fmt.Errorf("matrix: sign the master key with device %s: %w", a.cli.DeviceID, err)
	}
	return nil
}

// printRecoveryKey is the one place the recovery key is ever shown.
func (a *Adapter) printRecoveryKey(rk string) {
	fmt.Fprintf(a.console, "policybot: Matrix recovery key for %s (shown only now; keep it secret, and set it as matrix.recovery_key / POLICYBOT_MATRIX_RECOVERY_KEY so a new state file or device keeps the bot's verified identity): %s\n", a.self, rk)
}
