package matrixtest

import (
	"bytes"
	"regexp"
	"sync"
	"time"
)

// Dendrite v0.13 on SQLite can get its database connection stuck: a
// client that disconnects mid-query makes the driver interrupt the
// connection, and while any statement on it is still active SQLite
// interrupts every later statement too ("interrupted (9)"). From then on
// every request of every user fails until Dendrite restarts; a test run
// saw 633,000 such errors and digests that could not be delivered. The
// tests are about the bot, not about that, so the harness restarts
// Dendrite when it sees the interruption reach requests of two different
// users within stuckWindow: one client's disconnect interrupts only its
// own requests. A request interrupted while its access token was being
// checked names no user, only itself (req.id); three interrupted
// requests or users at once, however named, are a stuck connection too,
// since one disconnect interrupts at most a request or two besides its
// user's.

// stuckWindow is how close together two users' interrupted requests must
// be to show a stuck connection.
const stuckWindow = 15 * time.Second

var (
	interrupted = []byte("interrupted (9)")
	// userField and localField name a user by localpart: a request's
	// user ("@alice:localhost") and the user of a push ("Unable to push
	// to local user", localpart=alice) are one user. requestField names
	// a request whose user is not known yet.
	userField    = regexp.MustCompile(`user_id="?@([^:" ]+)`)
	localField   = regexp.MustCompile(`localpart="?([^" ]+)`)
	requestField = regexp.MustCompile(`req\.id="?([^" ]+)`)
)

// stuckClients is how many users and requests, together, interrupted
// within stuckWindow show a stuck connection when fewer than two of them
// are users.
const stuckClients = 3

// stuckWatch is an io.Writer that reads Dendrite's output and calls
// stuck, once, when the output shows a stuck connection.
type stuckWatch struct {
	mu      sync.Mutex
	partial []byte
	seen    map[string]time.Time // "@" user or "request " id → last interrupted request
	fired   bool
	now     func() time.Time
	stuck   func()
}

func newStuckWatch(stuck func()) *stuckWatch {
	return &stuckWatch{seen: map[string]time.Time{}, now: time.Now, stuck: stuck}
}

func (w *stuckWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.fired {
		return len(p), nil
	}
	data := append(w.partial, p...)
	for {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			break
		}
		w.line(data[:i])
		data = data[i+1:]
		if w.fired {
			data = nil
			break
		}
	}
	// Keep an unfinished line for the next write, bounded: Dendrite's
	// lines are short, and a runaway one matters not.
	if len(data) > 64<<10 {
		data = nil
	}
	w.partial = append(w.partial[:0], data...)
	return len(p), nil
}

func (w *stuckWatch) line(l []byte) {
	if !bytes.Contains(l, interrupted) {
		return
	}
	var key string
	if m := userField.FindSubmatch(l); m != nil {
		key = "@" + string(m[1])
	} else if m := localField.FindSubmatch(l); m != nil {
		key = "@" + string(m[1])
	} else if m := requestField.FindSubmatch(l); m != nil {
		key = "request " + string(m[1])
	} else {
		return
	}
	now := w.now()
	w.seen[key] = now
	users, clients := 0, 0
	for k, at := range w.seen {
		if now.Sub(at) > stuckWindow {
			delete(w.seen, k)
			continue
		}
		clients++
		if k[0] == '@' {
			users++
		}
	}
	if users >= 2 || clients >= stuckClients {
		w.fired = true
		go w.stuck()
	}
}
