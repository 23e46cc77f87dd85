package matrix

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// The recovery key is kept in the state file encrypted with a key derived
// from the pickle key, like mautrix's crypto keys beside it: a copy of the
// state file alone does not give it away.

const recoveryKeyFormat = "v1:" // AES-256-GCM, key from HKDF-SHA256(pickle key)

func (a *Adapter) recoveryAEAD() (cipher.AEAD, error) {
	k, err := hkdf.Key(sha256.New, []byte(a.opts.PickleKey), nil, "policybot matrix recovery key", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// saveRecoveryKey stores rk in the state file, encrypted.
func (a *Adapter) saveRecoveryKey(ctx context.Context, rk string) error {
	aead, err := a.recoveryAEAD()
	if err != nil {
		return fmt.Errorf("matrix: encrypt the recovery key: %w", err)
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return fmt.Errorf("matrix: encrypt the recovery key: %w", err)
	}
	sealed := aead.Seal(nonce, nonce, []byte(rk), []byte(a.self))
	v := recoveryKeyFormat + base64.RawStdEncoding.EncodeToString(sealed)
	if err := a.store.SetState(ctx, stateNamespace, keyRecoveryKey+string(a.self), v); err != nil {
		return fmt.Errorf("matrix: save the recovery key to the state file: %w", err)
	}
	return nil
}

// loadRecoveryKey returns the stored recovery key, or "" if there is none.
func (a *Adapter) loadRecoveryKey(ctx context.Context) (string, error) {
	v, ok, err := a.store.GetState(ctx, stateNamespace, keyRecoveryKey+string(a.self))
	if err != nil {
		return "", fmt.Errorf("matrix: read the recovery key from the state file: %w", err)
	}
	if !ok || v == "" {
		return "", nil
	}
	rk, err := a.openRecoveryKey(v)
	if err != nil {
		return "", fmt.Errorf("matrix: the recovery key in the state file cannot be decrypted (%w); was POLICYBOT_MATRIX_PICKLE_KEY changed? Restore the old pickle key, or set matrix.recovery_key to the recovery key", err)
	}
	return rk, nil
}

func (a *Adapter) openRecoveryKey(v string) (string, error) {
	b64, ok := strings.CutPrefix(v, recoveryKeyFormat)
	if !ok {
		return "", errors.New("unknown format")
	}
	sealed, err := base64.RawStdEncoding.DecodeString(b64)
	if err != nil {
		return "", err
	}
	aead, err := a.recoveryAEAD()
	if err != nil {
		return "", err
	}
	if len(sealed) < aead.NonceSize() {
		return "", errors.New("too short")
	}
	plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], []byte(a.self))
	if err != nil {
		return "", err
	}
	return string(plain), nil
}
