package matrix

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"go.mau.fi/util/dbutil"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
	"maunium.net/go/mautrix/sqlstatestore"
)

// connect builds the client, logs in (or reuses the stored session), opens
// mautrix's tables in the state file and registers the event handlers.
// Transient failures (homeserver down, rate limits) are retried.
func (a *Adapter) connect(ctx context.Context) error {
	cli, err := mautrix.NewClient(a.opts.Homeserver, "", "")
	if err != nil {
		return fmt.Errorf("matrix: homeserver URL %q: %w; set POLICYBOT_MATRIX_HOMESERVER to e.g. https://matrix.example.org", a.opts.Homeserver, err)
	}
	if a.opts.HTTPClient != nil {
		cli.Client = a.opts.HTTPClient
	} else {
		cli.Client = &http.Client{}
	}
	cli.Log = zerologTo(a.log)
	// The adapter does its own retrying, with an injectable clock and the
	// rate-limit hook; mautrix's would sleep on the wall clock.
	cli.DefaultHTTPRetries = 0
	cli.IgnoreRateLimit = true
	a.cli = cli

	if err := a.retry(ctx, "log in", 0, a.login); err != nil {
		return err
	}

	db, err := dbutil.NewWithDB(a.store.DB(), a.store.Dialect())
	if err != nil {
		return fmt.Errorf("matrix: open the state database for mautrix: %w", err)
	}
	db.Log = dbutil.ZeroLogger(cli.Log.With().Str("db", "mautrix").Logger())
	ss := sqlstatestore.NewSQLStateStore(db, dbutil.ZeroLogger(cli.Log), false)
	if err := ss.Upgrade(ctx); err != nil {
		return fmt.Errorf("matrix: prepare room-state tables in the state file: %w", err)
	}
	cli.StateStore = ss

	sy := &syncer{DefaultSyncer: mautrix.NewDefaultSyncer(), a: a}
	sy.tokens = syncStore{st: a.store, filter: sy.GetFilterJSON, held: &heldToken{}}
	cli.Syncer = sy
	cli.Store = sy.tokens
	a.syncer = sy
	// Room state first, so handlers below see the membership and power
	// levels that came in the same sync.
	sy.OnEvent(cli.StateStoreSyncHandler)
	sy.OnSync(a.synced)

	if a.opts.PickleKey != "" {
		if err := a.retry(ctx, "set up encryption", 0, func(ctx context.Context) error { return a.setupCrypto(ctx, db) }); err != nil {
			return err
		}
		if err := a.retry(ctx, "check the cross-signing identity", 0, a.setupIdentity); err != nil {
			return err
		}
	} else {
		a.log.Warn("matrix: POLICYBOT_MATRIX_PICKLE_KEY is not set, so encrypted rooms cannot be read; set it to a long random secret to enable end-to-end encryption")
		sy.OnEventType(event.EventEncrypted, a.handleUndecryptable)
	}
	sy.OnEventType(event.StateMember, a.handleMember)
	sy.OnEventType(event.EventMessage, a.handleMessage)
	sy.OnEventType(event.EventReaction, a.handleReaction)
	sy.OnEventType(event.AccountDataDirectChats, a.handleDirect)

	if err := a.loadCutoff(ctx); err != nil {
		return err
	}
	if resp, err := cli.GetOwnDisplayName(ctx); err == nil && resp.DisplayName != "" {
		a.name.displayName = resp.DisplayName
	}
	return nil
}

// login reuses the configured access token, or the session stored in the
// state file, and logs in with the password only when there is none or
// the homeserver has forgotten it (keeping the same device ID).
func (a *Adapter) login(ctx context.Context) error {
	cli, user := a.cli, a.self
	cli.UserID = user
	if a.opts.AccessToken != "" {
		cli.AccessToken = a.opts.AccessToken
		who, err := cli.Whoami(ctx)
		if err != nil {
			return fmt.Errorf("matrix: check POLICYBOT_MATRIX_ACCESS_TOKEN with %s: %w", a.opts.Homeserver, err)
		}
		if who.UserID != user {
			return fmt.Errorf("matrix: POLICYBOT_MATRIX_ACCESS_TOKEN belongs to %s, not POLICYBOT_MATRIX_USER %s", who.UserID, user)
		}
		cli.DeviceID = who.DeviceID
		return nil
	}
	device, _, err := a.store.GetState(ctx, stateNamespace, keyDeviceID+string(user))
	if err != nil {
		return fmt.Errorf("matrix: read the stored device ID: %w", err)
	}
	token, _, err := a.store.GetState(ctx, stateNamespace, keyAccessToken+string(user))
	if err != nil {
		return fmt.Errorf("matrix: read the stored access token: %w", err)
	}
	if token != "" {
		cli.AccessToken, cli.DeviceID = token, id.DeviceID(device)
		who, err := cli.Whoami(ctx)
		switch {
		case err == nil && who.UserID == user:
			cli.DeviceID = who.DeviceID
			return nil
		case err != nil && !errors.Is(err, mautrix.MUnknownToken):
			return fmt.Errorf("matrix: check the stored session with %s: %w", a.opts.Homeserver, err)
		}
		a.log.Info("matrix: stored access token no longer valid, logging in again", "device", device)
		cli.AccessToken = ""
	}
	_, err = cli.Login(ctx, &mautrix.ReqLogin{
		Type:                     mautrix.AuthTypePassword,
		Identifier:               mautrix.UserIdentifier{Type: mautrix.IdentifierTypeUser, User: string(user)},
		Password:                 a.opts.Password,
		DeviceID:                 id.DeviceID(device),
		InitialDeviceDisplayName: a.opts.DeviceName,
		StoreCredentials:         true,
	})
	if err != nil {
		return fmt.Errorf("matrix: log in to %s as %s: %w (check POLICYBOT_MATRIX_USER and POLICYBOT_MATRIX_PASSWORD)", a.opts.Homeserver, user, err)
	}
	if err := a.store.SetState(ctx, stateNamespace, keyDeviceID+string(user), string(cli.DeviceID)); err != nil {
		return fmt.Errorf("matrix: save the device ID to the state file: %w", err)
	}
	if err := a.store.SetState(ctx, stateNamespace, keyAccessToken+string(user), cli.AccessToken); err != nil {
		return fmt.Errorf("matrix: save the access token to the state file: %w", err)
	}
	a.log.Info("matrix: logged in", "user", user, "device", cli.DeviceID)
	return nil
}

// loadCutoff fixes the time before which events are history, never
// questions: on the very first run (no sync token yet) it is now; later
// runs keep it, so messages sent while the bot was down are still
// answered once.
func (a *Adapter) loadCutoff(ctx context.Context) error {
	key := keyCutoff + string(a.self)
	next, err := syncStore{st: a.store}.LoadNextBatch(ctx, a.self)
	if err != nil {
		return err
	}
	v, ok, err := a.store.GetState(ctx, stateNamespace, key)
	if err != nil {
		return fmt.Errorf("matrix: read %s from the state file: %w", key, err)
	}
	ms, perr := strconv.ParseInt(v, 10, 64)
	if next == "" || !ok || perr != nil {
		ms = a.now().UnixMilli()
		if err := a.store.SetState(ctx, stateNamespace, key, strconv.FormatInt(ms, 10)); err != nil {
			return fmt.Errorf("matrix: save %s to the state file: %w", key, err)
		}
	}
	a.mu.Lock()
	a.cutoffMS = ms
	a.mu.Unlock()
	return nil
}

// retry runs fn until it succeeds, fails for good, has been tried
// attempts times (0: no limit) or ctx ends, waiting
// with backoff (or as long as the homeserver asks) between attempts.
func (a *Adapter) retry(ctx context.Context, what string, attempts int, fn func(context.Context) error) error {
	for n := 1; ; n++ {
		err := fn(ctx)
		if err == nil {
			return nil
		}
		wait, ok := a.retryDelay(err, n)
		if !ok || ctx.Err() != nil {
			return err
		}
		if attempts > 0 && n >= attempts {
			return fmt.Errorf("gave up after %d attempts: %w", n, err)
		}
		a.setNotReady(err)
		a.log.Warn("matrix: will retry", "what", what, "attempt", n, "in", wait, "err", err)
		if err := a.sleep(ctx, wait); err != nil {
			return err
		}
	}
}
