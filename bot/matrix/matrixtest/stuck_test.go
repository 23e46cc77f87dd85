package matrixtest

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// One client's disconnect interrupts its own requests and no more; the
// interruption reaching a second user's requests is a stuck connection.
func TestStuckWatch(t *testing.T) {
	const (
		bot   = `time="t" level=error msg="p.DB.GetStateDeltas failed" device_id=D error="interrupted (9)" req.id=a user_id="@policybot:localhost"` + "\n"
		bob   = `time="t" level=error msg="syncDB.GetFilter failed" error="interrupted (9)" req.id=b req.path=/_matrix/client/v3/sync user_id="@bob:localhost"` + "\n"
		other = `time="t" level=error msg="QueryContext returned an error" context=missing error="interrupted (9)"` + "\n"
		fine  = `time="t" level=warning msg="something else" user_id="@bob:localhost"` + "\n"
		// Requests interrupted before their user is known, and a push.
		authA = `time="t" level=error msg="userAPI.QueryAccessToken failed" error="interrupted (9)" req.id=thcW req.method=GET req.path=/_matrix/client/v3/sync` + "\n"
		authB = `time="t" level=error msg="userAPI.QueryAccessToken failed" error="interrupted (9)" req.id=kJUk req.method=POST req.path="/_matrix/client/v3/rooms/!r:localhost/join"` + "\n"
		push  = `time="t" level=error msg="Unable to push to local user" error="s.evaluatePushRules: interrupted (9)" localpart=alice` + "\n"
		alice = `time="t" level=error msg="syncDB.GetFilter failed" error="interrupted (9)" req.id=c user_id="@alice:localhost"` + "\n"
	)
	for _, c := range []struct {
		name  string
		lines []string
		gap   time.Duration // between lines
		stuck bool
	}{
		{"one client's burst", []string{bot, bot, bot, other, bot}, 0, false},
		{"two users interrupted", []string{bot, bob}, time.Second, true},
		{"two users far apart", []string{bot, bob}, 2 * stuckWindow, false},
		{"other users' lines that are not interrupted", []string{bot, fine, fine}, 0, false},
		{"a line split across writes", []string{bot, bob[:30], bob[30:]}, 0, true},
		{"a client's request cut off while its token was checked", []string{bot, authA, bot, authA}, 0, false},
		{"a pushed user and a request", []string{push, authA}, 0, false},
		{"a pushed user and two requests", []string{push, authA, authB}, time.Second, true},
		{"a pushed user and another user", []string{push, bob}, time.Second, true},
		{"a pushed user and that user's own request", []string{push, alice}, time.Second, false},
		{"three requests far apart", []string{authA, authB, bot}, stuckWindow, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			var fired atomic.Int32
			done := make(chan struct{}, 1)
			w := newStuckWatch(func() { fired.Add(1); done <- struct{}{} })
			now := time.Unix(1000, 0)
			w.now = func() time.Time { return now }
			for _, l := range c.lines {
				if _, err := w.Write([]byte(l)); err != nil {
					t.Fatal(err)
				}
				if strings.HasSuffix(l, "\n") {
					now = now.Add(c.gap)
				}
			}
			w.mu.Lock()
			seen := w.fired
			w.mu.Unlock()
			if seen != c.stuck {
				t.Fatalf("stuck = %v, want %v", seen, c.stuck)
			}
			if !c.stuck {
				return
			}
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("seen as stuck, but the restart was not called")
			}
			if n := fired.Load(); n != 1 {
				t.Errorf("restart called %d times, want once", n)
			}
		})
	}
}
