package digest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/policybot/policybot/bot"
)

func TestSubscribeValidation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, berlinTime(t, "2026-11-26 08:00"), nil)
		ctx := context.Background()
		for _, tt := range []struct {
			sub  bot.Subscription
			want string
		}{
			{bot.Subscription{Platform: "slack", Conversation: "C1", Hour: 9, Zone: "Mars/Base"}, "Europe/Berlin"},
			{bot.Subscription{Platform: "slack", Conversation: "C1", Hour: 24, Zone: "UTC"}, "HH:MM"},
			{bot.Subscription{Platform: "slack", Conversation: "C1", Hour: 9, Minute: 60, Zone: "UTC"}, "HH:MM"},
			{bot.Subscription{Platform: "console", Conversation: "tty", Hour: 9, Zone: "UTC"}, "not available on console"},
		} {
			if _, err := e.s.Subscribe(ctx, tt.sub); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Subscribe(%+v) = %v; want an error mentioning %q", tt.sub, err, tt.want)
			}
		}
		if _, ok, _ := e.s.Status(ctx, "slack", "C1"); ok {
			t.Fatal("a refused subscription was stored")
		}
		e.close()
	})
}

func TestSubscribeUnsubscribeStatus(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		e := newEnv(t, berlinTime(t, "2026-11-26 08:00"), nil)
		if ok, err := e.s.Unsubscribe(ctx, "slack", "C1"); ok || err != nil {
			t.Fatalf("Unsubscribe of nothing = %v, %v", ok, err)
		}
		st := subscribe(t, e, "slack", "C1", "09:00", "", 0)
		if st.Zone != "UTC" || st.Passages != 1 || !st.Next.Equal(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)) {
			t.Fatalf("defaults: %+v", st)
		}
		e.start()
		e.runUntil(berlinTime(t, "2026-11-26 11:00"), synctest.Wait)
		// Changing the time to later today after today's digest: no
		// second digest today.
		st = subscribe(t, e, "slack", "C1", "17:00", "Europe/Berlin", 1)
		if want := berlinTime(t, "2026-11-27 17:00"); !st.Next.Equal(want) {
			t.Fatalf("after changing the time, next %v; want %v", st.Next, want)
		}
		// Off and on again the same day: still none.
		if ok, err := e.s.Unsubscribe(ctx, "slack", "C1"); !ok || err != nil {
			t.Fatalf("Unsubscribe = %v, %v", ok, err)
		}
		if _, ok, _ := e.s.Status(ctx, "slack", "C1"); ok {
			t.Fatal("Status after Unsubscribe reports a subscription")
		}
		e.runUntil(berlinTime(t, "2026-11-28 08:00"), synctest.Wait)
		if posts, _ := e.plat.snapshot(); len(posts) != 1 {
			t.Fatalf("%d posts; want 1 (none after digest off)", len(posts))
		}
		st = subscribe(t, e, "slack", "C1", "08:30", "Europe/Berlin", 1)
		if want := berlinTime(t, "2026-11-28 08:30"); !st.Next.Equal(want) {
			t.Fatalf("next %v; want %v", st.Next, want)
		}
		e.runUntil(berlinTime(t, "2026-11-28 12:00"), synctest.Wait)
		posts, _ := e.plat.snapshot()
		if len(posts) != 2 || posts[1].key != "digest-1-2026-11-28" || posts[0].reply.Passages[0].Paragraph == posts[1].reply.Passages[0].Paragraph {
			t.Fatalf("after subscribing again: %d posts, keys %v", len(posts), keysOf(posts))
		}
		e.close()
	})
}

func keysOf(ps []post) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.key)
	}
	return out
}

func TestMergeStatic(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		e := newEnv(t, berlinTime(t, "2026-11-26 08:00"), nil)
		err := e.s.MergeStatic(ctx, []Static{
			{Platform: "slack", Conversation: "C1", Time: "8:30", Zone: "Europe/Berlin", Passages: 2},
			{Platform: "matrix", Conversation: "!a:x"},
		})
		if err != nil {
			t.Fatal(err)
		}
		st, ok, _ := e.s.Status(ctx, "matrix", "!a:x")
		if !ok || st.Hour != 9 || st.Zone != "UTC" || st.Passages != 1 {
			t.Fatalf("defaults: %+v %v", st, ok)
		}
		// The forms chat accepts ("digest on 6:30pm europe/berlin") mean
		// the same in the configuration file.
		if err := e.s.MergeStatic(ctx, []Static{
			{Platform: "slack", Conversation: "C1", Time: "8:30", Zone: "Europe/Berlin", Passages: 2},
			{Platform: "matrix", Conversation: "!a:x"},
			{Platform: "matrix", Conversation: "!b:x", Time: "6:30pm", Zone: "europe/berlin"},
		}); err != nil {
			t.Fatal(err)
		}
		if st, ok, _ := e.s.Status(ctx, "matrix", "!b:x"); !ok || st.Hour != 18 || st.Minute != 30 || st.Zone != "Europe/Berlin" {
			t.Fatalf("chat forms in the config: %+v %v", st, ok)
		}
		// Down over 08:30; at 10:00 a restart merges the same config: the
		// missed digest of today is still owed and goes out.
		e.close()
		e.clk.set(berlinTime(t, "2026-11-26 10:00"))
		e.open()
		if err := e.s.MergeStatic(ctx, []Static{
			{Platform: "slack", Conversation: "C1", Time: "08:30", Zone: "Europe/Berlin", Passages: 2},
		}); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := e.s.Status(ctx, "matrix", "!a:x"); ok {
			t.Fatal("a subscription removed from the config is still on")
		}
		e.start()
		e.runUntil(berlinTime(t, "2026-11-26 10:01"), synctest.Wait)
		if posts, _ := e.plat.snapshot(); len(posts) != 1 || posts[0].conv != "C1" || len(posts[0].reply.Passages) != 2 {
			t.Fatalf("posts %v", keysOf(posts))
		}

		err = e.s.MergeStatic(ctx, []Static{
			{Platform: "irc", Conversation: "#x"},
			{Platform: "slack", Conversation: ""},
			{Platform: "slack", Conversation: "C2", Time: "25:00"},
			{Platform: "slack", Conversation: "C3", Zone: "Nowhere/Land"},
			{Platform: "slack", Conversation: "C4"},
			{Platform: "slack", Conversation: "C4"},
		})
		if err == nil {
			t.Fatal("invalid config subscriptions accepted")
		}
		for i, want := range []string{"[0]: platform \"irc\"", "[1]: conversation", "[2]: time", "[3]: zone", "[5]: slack C4 is listed twice"} {
			if !strings.Contains(err.Error(), "digest.subscriptions"+want) {
				t.Errorf("problem %d: error lacks %q:\n%v", i, want, err)
			}
		}
		if _, ok, _ := e.s.Status(ctx, "slack", "C4"); ok {
			t.Error("a config with errors was partly applied")
		}
		e.close()
	})
}

// Ten thousand subscriptions due at the same minute are each delivered
// once, never faster than the platform's pace, while chat commands are
// answered without waiting for the backlog.
func TestManyDueAtOnce(t *testing.T) {
	n := 10000
	if testing.Short() {
		n = 1000
	}
	const pace = 100 * time.Millisecond
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		e := newEnv(t, time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC), func(o *Options) {
			o.Pace = map[string]time.Duration{"slack": pace, "matrix": -1}
		})
		for i := range n {
			subscribe(t, e, "slack", fmt.Sprintf("C%05d", i), "09:00", "UTC", 1)
		}
		subscribe(t, e, "matrix", "!fast:x", "09:00", "UTC", 1)
		e.start()
		due := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
		e.runUntil(due.Add(pace*time.Duration(n/2)), synctest.Wait)

		// Halfway through the backlog: commands from chat return at once
		// (the fake clock does not move while they run).
		before := e.clk.Now()
		if _, ok, err := e.s.Status(ctx, "slack", "C00000"); !ok || err != nil {
			t.Fatalf("Status during the backlog: %v %v", ok, err)
		}
		subscribe(t, e, "slack", "Cnew", "10:00", "UTC", 1)
		if !e.clk.Now().Equal(before) {
			t.Fatal("a command waited for the digest backlog")
		}
		// The other platform was not held up by Slack's backlog.
		posts, _ := e.plat.snapshot()
		if i := findConv(posts, "!fast:x"); i < 0 || !posts[i].at.Equal(due) {
			t.Fatalf("matrix digest delayed behind slack's backlog")
		}

		e.runUntil(due.Add(pace*time.Duration(n)+time.Hour+time.Minute), synctest.Wait)
		posts, calls := e.plat.snapshot()
		seen := map[string]int{}
		var times []time.Time
		for _, p := range posts {
			seen[p.conv]++
			if p.conv != "!fast:x" {
				times = append(times, p.at)
			}
		}
		if len(seen) != n+2 || len(calls) != n+2 {
			t.Fatalf("%d conversations got digests in %d calls; want %d", len(seen), len(calls), n+2)
		}
		for c, k := range seen {
			if k != 1 {
				t.Fatalf("%s got %d digests", c, k)
			}
		}
		for i := 1; i < len(times); i++ {
			if gap := times[i].Sub(times[i-1]); gap < pace {
				t.Fatalf("slack digests %d and %d only %v apart; pace is %v", i-1, i, gap, pace)
			}
		}
		if last := times[len(times)-1]; last.After(due.Add(pace*time.Duration(n) + time.Hour)) {
			t.Errorf("backlog took until %v", last)
		}
		e.close()
	})
}

func findConv(ps []post, conv string) int {
	for i, p := range ps {
		if p.conv == conv {
			return i
		}
	}
	return -1
}
