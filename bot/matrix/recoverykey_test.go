package matrix

import (
	"context"
	"strings"
	"testing"
)

// TestRecoveryKeyAtRest checks that the recovery key is stored encrypted
// with the pickle key, comes back with it, and does not come back with
// another pickle key or for another account.
func TestRecoveryKeyAtRest(t *testing.T) {
	ctx := context.Background()
	st := newMemStore()
	const rk = "EsTS EEph BY2H WQA2 F99a QXRY 8tXC 4UkP oB99 7wZJ vQi2 SqF8"
	adapter := func(user, pickle string) *Adapter {
		a, err := New(Options{Homeserver: "http://127.0.0.1:1", UserID: user, Password: "pw", PickleKey: pickle, Store: st, Responder: &fakeCore{}})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a := adapter("@bot:example.org", "pickle one")
	if got, err := a.loadRecoveryKey(ctx); err != nil || got != "" {
		t.Fatalf("nothing stored yet: got %q, %v", got, err)
	}
	if err := a.saveRecoveryKey(ctx, rk); err != nil {
		t.Fatal(err)
	}
	for k, v := range st.state {
		if strings.Contains(v, "EsTS") || strings.Contains(v, "SqF8") {
			t.Errorf("state %q holds the recovery key in the clear: %q", k, v)
		}
	}
	if got, err := a.loadRecoveryKey(ctx); err != nil || got != rk {
		t.Fatalf("load = %q, %v; want the saved key", got, err)
	}
	if _, err := adapter("@bot:example.org", "pickle two").loadRecoveryKey(ctx); err == nil || !strings.Contains(err.Error(), "PICKLE_KEY") {
		t.Errorf("another pickle key: err %v, want a failure that names the pickle key", err)
	}
	// The ciphertext is bound to the account it was stored for.
	st.state[stateNamespace+"\x00"+keyRecoveryKey+"@other:example.org"] = st.state[stateNamespace+"\x00"+keyRecoveryKey+"@bot:example.org"]
	if _, err := adapter("@other:example.org", "pickle one").loadRecoveryKey(ctx); err == nil {
		t.Error("another account's stored key decrypted")
	}
}
