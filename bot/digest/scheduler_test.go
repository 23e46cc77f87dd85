package digest

import (
	"context"
	"fmt"
	"github.com/policybot/policybot/bot/localtime"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/policybot/policybot/bot"
	"github.com/policybot/policybot/bot/bottest"
)

func berlinTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.ParseInLocation("2006-01-02 15:04", s, mustZone(t, "Europe/Berlin"))
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func subscribe(t *testing.T, e *env, platform, conv, hhmm, zone string, passages int) bot.SubscriptionStatus {
	t.Helper()
	h, m, err := localtime.ParseClock(hhmm)
	if err != nil {
		t.Fatal(err)
	}
	st, err := e.s.Subscribe(context.Background(), bot.Subscription{Platform: platform, Conversation: conv, Hour: h, Minute: m, Zone: zone, Passages: passages})
	if err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	return st
}

func TestDailyDigest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, berlinTime(t, "2026-11-26 08:00"), nil)
		st := subscribe(t, e, "slack", "C1", "09:00", "Europe/Berlin", 2)
		if want := berlinTime(t, "2026-11-26 09:00"); !st.Next.Equal(want) || st.Next.Location().String() != "Europe/Berlin" {
			t.Fatalf("Next = %v; want %v in Europe/Berlin", st.Next, want)
		}
		e.start()
		e.runUntil(berlinTime(t, "2026-11-30 12:00"), synctest.Wait)
		posts, calls := e.plat.snapshot()
		if len(posts) != 5 || len(calls) != 5 {
			t.Fatalf("%d posts, %d calls in five days; want 5", len(posts), len(calls))
		}
		for i, p := range posts {
			day := berlinTime(t, "2026-11-26 09:00").AddDate(0, 0, i)
			if !p.at.Equal(day) {
				t.Errorf("post %d at %v; want %v", i, p.at, day)
			}
			if want := fmt.Sprintf("digest-1-%s", day.Format(time.DateOnly)); p.key != want {
				t.Errorf("key %q; want %q", p.key, want)
			}
			if len(p.reply.Passages) != 2 || p.reply.Passages[0].Citation == "" || !strings.Contains(p.reply.Passages[0].Citation, "¶") {
				t.Errorf("post %d passages %+v", i, p.reply.Passages)
			}
		}
		if got := posts[0].reply.Title; got != "Daily quotes — Thursday 26 November 2026" {
			t.Errorf("title %q", got)
		}
		if got := posts[0].reply.Hint; !strings.Contains(got, "/policy ask") {
			t.Errorf("hint %q does not show the Slack command", got)
		}
		st, ok, err := e.s.Status(context.Background(), "slack", "C1")
		if err != nil || !ok {
			t.Fatalf("Status: %v %v", ok, err)
		}
		if !st.Next.Equal(berlinTime(t, "2026-12-01 09:00")) || !st.LastSent.Equal(berlinTime(t, "2026-11-30 09:00")) || st.Passages != 2 {
			t.Fatalf("Status = %+v", st)
		}
		e.close()
	})
}

// A subscription walks every quotable paragraph once before any repeats,
// and the position survives restarts of the process.
func TestRotationAcrossRestarts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := berlinTime(t, "2026-01-01 08:00")
		e := newEnv(t, start, nil)
		n := len(e.s.quotable)
		subscribe(t, e, "matrix", "!r:x", "09:00", "Europe/Berlin", 1)
		e.start()
		for day := 7; day < n+7; day += 7 {
			e.runUntil(start.AddDate(0, 0, day), synctest.Wait)
			e.restart()
		}
		e.runUntil(start.AddDate(0, 0, n+3), synctest.Wait)
		posts, _ := e.plat.snapshot()
		if len(posts) < n+2 {
			t.Fatalf("%d posts over %d days", len(posts), n+3)
		}
		var cycle []int
		for _, p := range posts[:n] {
			cycle = append(cycle, p.reply.Passages[0].Paragraph)
		}
		sorted := slices.Sorted(slices.Values(cycle))
		if !slices.Equal(sorted, e.s.quotable) {
			t.Fatalf("first %d digests quoted %v; want each quotable paragraph once", n, cycle)
		}
		if posts[n].reply.Passages[0].Paragraph == posts[n-1].reply.Passages[0].Paragraph {
			t.Error("the new cycle starts with the paragraph that ended the old one")
		}
		if got := posts[0].reply.Hint; !strings.Contains(got, "!policy ask") {
			t.Errorf("matrix hint %q", got)
		}
		e.close()
	})
}

// Across the daylight-saving changes each local date gets exactly one
// digest: a time skipped by the clocks posts at the first minute after the
// gap, a time that happens twice posts at its first occurrence.
func TestDaylightSaving(t *testing.T) {
	tests := []struct {
		zone, at, from string
		days           int
		want           []string // local times of the posts, RFC 3339
	}{
		{"Europe/Berlin", "02:30", "2026-03-28", 3, []string{"2026-03-28T02:30:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00"}},
		{"Europe/Berlin", "02:30", "2026-10-24", 3, []string{"2026-10-24T02:30:00+02:00", "2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"}},
		{"America/New_York", "02:30", "2026-03-07", 3, []string{"2026-03-07T02:30:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-09T02:30:00-04:00"}},
		{"America/New_York", "01:30", "2026-10-31", 3, []string{"2026-10-31T01:30:00-04:00", "2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"}},
		{"Australia/Lord_Howe", "02:15", "2026-10-03", 3, []string{"2026-10-03T02:15:00+10:30", "2026-10-04T02:30:00+11:00", "2026-10-05T02:15:00+11:00"}},
		{"Australia/Lord_Howe", "01:45", "2026-04-04", 3, []string{"2026-04-04T01:45:00+11:00", "2026-04-05T01:45:00+11:00", "2026-04-06T01:45:00+10:30"}},
	}
	for _, tt := range tests {
		t.Run(tt.zone+" "+tt.from, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				loc := mustZone(t, tt.zone)
				from, _ := time.ParseInLocation(time.DateOnly, tt.from, loc)
				e := newEnv(t, from, nil)
				subscribe(t, e, "slack", "C1", tt.at, tt.zone, 1)
				e.start()
				e.runUntil(from.AddDate(0, 0, tt.days), synctest.Wait)
				posts, _ := e.plat.snapshot()
				var got []string
				for _, p := range posts {
					got = append(got, p.at.In(loc).Format(time.RFC3339))
				}
				if !slices.Equal(got, tt.want) {
					t.Fatalf("posts at\n %v\nwant\n %v", got, tt.want)
				}
				e.close()
			})
		})
	}
}

// After downtime the latest missed digest goes out at startup if it is
// at most the grace period late; older ones are skipped with a log line.
func TestGraceWindow(t *testing.T) {
	tests := []struct {
		name     string
		restart  string
		want     []string // local dates posted right after restart
		wantLog  string
		wantNext string
	}{
		{"an hour late", "2026-11-26 10:00", []string{"2026-11-26"}, "", "2026-11-27 09:00"},
		{"just inside", "2026-11-26 14:59", []string{"2026-11-26"}, "", "2026-11-27 09:00"},
		{"just outside", "2026-11-26 15:01", nil, "older than the grace period", "2026-11-27 09:00"},
		{"days down, latest inside", "2026-11-29 10:00", []string{"2026-11-29"}, "skipping digests missed", "2026-11-30 09:00"},
		{"days down, latest outside", "2026-11-29 16:00", nil, "older than the grace period", "2026-11-30 09:00"},
		{"days down, before today's", "2026-11-29 08:00", nil, "older than the grace period", "2026-11-29 09:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e := newEnv(t, berlinTime(t, "2026-11-25 12:00"), nil)
				subscribe(t, e, "slack", "C1", "09:00", "Europe/Berlin", 1)
				e.close() // down from before the first digest
				restart := berlinTime(t, tt.restart)
				e.clk.set(restart)
				e.open()
				e.start()
				e.runUntil(restart.Add(time.Minute), synctest.Wait)
				posts, _ := e.plat.snapshot()
				var got []string
				for _, p := range posts {
					got = append(got, strings.TrimPrefix(p.key, "digest-1-"))
					if !p.at.Equal(restart) {
						t.Errorf("missed digest posted at %v; want at startup %v", p.at, restart)
					}
				}
				if !slices.Equal(got, tt.want) {
					t.Fatalf("posted %v; want %v", got, tt.want)
				}
				if tt.wantLog != "" && !strings.Contains(e.logs.String(), tt.wantLog) {
					t.Errorf("log lacks %q:\n%s", tt.wantLog, e.logs)
				}
				st, _, _ := e.s.Status(context.Background(), "slack", "C1")
				if !st.Next.Equal(berlinTime(t, tt.wantNext)) {
					t.Errorf("next %v; want %s", st.Next, tt.wantNext)
				}
				e.close()
			})
		})
	}
}

// The process dies at each point of a delivery; after a restart the
// conversation shows exactly one digest, because the ledger's intent
// makes the new process pass retry=true and the sender deduplicates.
func TestExactlyOnceThroughCrash(t *testing.T) {
	for _, fp := range []string{FailpointBeforeSend, FailpointAfterSend} {
		t.Run(fp, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var armed atomic.Bool
				armed.Store(true)
				var e *env
				e = newEnv(t, berlinTime(t, "2026-11-26 08:00"), func(o *Options) {
					o.Failpoint = func(name string) {
						if name == fp && armed.Load() {
							// Die: nothing after this point runs.
							e.cancel()
							runtime.Goexit()
						}
					}
				})
				subscribe(t, e, "slack", "C1", "09:00", "Europe/Berlin", 1)
				e.start()
				e.runUntil(berlinTime(t, "2026-11-26 09:00"), synctest.Wait)
				<-e.done
				posts, _ := e.plat.snapshot()
				wantPosts := map[string]int{FailpointBeforeSend: 0, FailpointAfterSend: 1}[fp]
				if len(posts) != wantPosts {
					t.Fatalf("before the restart %d posts; want %d", len(posts), wantPosts)
				}
				led, ok, err := e.st.Delivery(context.Background(), 1, "2026-11-26")
				if err != nil || !ok || !led.Sent.IsZero() {
					t.Fatalf("ledger after the crash: %+v %v %v; want an intent without success", led, ok, err)
				}

				armed.Store(false)
				e.clk.set(berlinTime(t, "2026-11-26 09:05"))
				e.restart()
				e.runUntil(berlinTime(t, "2026-11-27 12:00"), synctest.Wait)
				posts, calls := e.plat.snapshot()
				var today []post
				for _, p := range posts {
					if p.key == "digest-1-2026-11-26" {
						today = append(today, p)
					}
				}
				if len(today) != 1 {
					t.Fatalf("%d digests for 26 November visible; want exactly 1", len(today))
				}
				i := slices.IndexFunc(calls, func(c call) bool {
					return c.key == "digest-1-2026-11-26" && c.at.Equal(berlinTime(t, "2026-11-26 09:05"))
				})
				if i < 0 || !calls[i].retry {
					t.Fatalf("after the restart the send was not marked retry: %+v", calls)
				}
				// The rotation did not advance twice for one date.
				if len(posts) != 2 || posts[0].reply.Passages[0].Paragraph == posts[1].reply.Passages[0].Paragraph {
					t.Fatalf("posts %d", len(posts))
				}
				led, _, _ = e.st.Delivery(context.Background(), 1, "2026-11-26")
				if led.Sent.IsZero() || led.Attempts != 2 {
					t.Fatalf("ledger %+v; want sent after 2 attempts", led)
				}
				e.close()
			})
		})
	}
}

// A send that fails after the platform accepted it is retried with
// retry=true and shows once; one that keeps failing is given up after
// the grace period and the next day is unaffected.
func TestFailedSends(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// OnFailed is called from the scheduler's workers, two of which
		// deliver at once here.
		var failed atomic.Int64
		e := newEnv(t, berlinTime(t, "2026-11-26 08:00"), func(o *Options) {
			o.OnFailed = func(platform string, err error) { failed.Add(1) }
		})
		attempts := 0
		e.plat.failAfterPost = func(c call) bool { attempts++; return attempts == 1 }
		e.plat.failBeforePost = func(c call) bool {
			return strings.HasPrefix(c.conv, "down") && c.at.Before(berlinTime(t, "2026-11-27 00:00"))
		}
		subscribe(t, e, "slack", "C1", "09:00", "Europe/Berlin", 1)
		subscribe(t, e, "slack", "down", "09:00", "Europe/Berlin", 1)
		e.start()
		e.runUntil(berlinTime(t, "2026-11-27 12:00"), synctest.Wait)
		posts, calls := e.plat.snapshot()
		count := map[string]int{}
		for _, p := range posts {
			count[p.key]++
		}
		want := map[string]int{"digest-1-2026-11-26": 1, "digest-1-2026-11-27": 1, "digest-2-2026-11-27": 1}
		if fmt.Sprint(count) != fmt.Sprint(want) {
			t.Fatalf("posts per key %v; want %v", count, want)
		}
		var retries, downCalls int
		for _, c := range calls {
			if c.key == "digest-1-2026-11-26" && c.retry {
				retries++
			}
			if c.key == "digest-2-2026-11-26" {
				downCalls++
			}
		}
		if retries != 1 {
			t.Errorf("%d retries of the post that failed after posting; want 1", retries)
		}
		// 1, 2, 4, 8, 16, 30, 30, ... minutes until six hours: a bounded number of tries.
		if downCalls < 5 || downCalls > 20 {
			t.Errorf("%d attempts for the failing conversation within the grace period", downCalls)
		}
		if !strings.Contains(e.logs.String(), "giving up") {
			t.Error("no log line when giving up")
		}
		if n := int(failed.Load()); n != 1+downCalls {
			t.Errorf("OnFailed called %d times; want %d", n, 1+downCalls)
		}
		e.close()
	})
}

// readyPlatform is a fakePlatform that says when it is connected.
type readyPlatform struct {
	*fakePlatform
	ready atomic.Bool
}

func (p *readyPlatform) Ready() error {
	if !p.ready.Load() {
		return fmt.Errorf("not yet synced")
	}
	return nil
}

// A digest due while its platform is still connecting (as at start-up) is
// held, not attempted and failed: it goes out, once and as a first
// attempt, as soon as the platform is ready.
func TestWaitsForSender(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var rp *readyPlatform
		e := newEnvPosting(t, berlinTime(t, "2026-11-26 08:00"), nil, func(p *fakePlatform) map[string]bot.DigestPoster {
			rp = &readyPlatform{fakePlatform: p}
			return map[string]bot.DigestPoster{"matrix": rp}
		})
		subscribe(t, e, "matrix", "!r:example.org", "09:00", "Europe/Berlin", 1)
		e.start()
		e.runUntil(berlinTime(t, "2026-11-26 09:10"), synctest.Wait)
		if _, calls := e.plat.snapshot(); len(calls) != 0 {
			t.Fatalf("%d deliveries attempted while the platform was not ready", len(calls))
		}
		rp.ready.Store(true)
		e.runUntil(berlinTime(t, "2026-11-26 09:11"), synctest.Wait)
		posts, calls := e.plat.snapshot()
		if len(posts) != 1 || len(calls) != 1 || calls[0].retry {
			t.Fatalf("%d posts, calls %+v; want one first attempt", len(posts), calls)
		}
		if want := berlinTime(t, "2026-11-26 09:10"); calls[0].at.Sub(want) > time.Second {
			t.Errorf("delivered at %v, more than a second after the platform became ready at %v", calls[0].at, want)
		}
		e.close()
	})
}

// Platforms register once each, before the scheduler runs.
func TestRegister(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnvPosting(t, berlinTime(t, "2026-11-26 08:00"), nil, func(*fakePlatform) map[string]bot.DigestPoster { return nil })
		core, _ := bottest.Core(t, bot.Options{})
		snd := core.DigestSender(bot.Platform{Name: "slack", Prefix: "/"}, e.plat)
		if e.s.Delivers("slack") {
			t.Fatal("slack delivers before it registered")
		}
		if err := e.s.Register("slack", snd); err != nil {
			t.Fatal(err)
		}
		if !e.s.Delivers("slack") || e.s.Delivers("console") {
			t.Error("Delivers does not follow what registered")
		}
		for _, c := range []struct {
			name     string
			platform string
			sender   Sender
		}{
			{"twice", "slack", snd},
			{"without a sender", "matrix", nil},
			{"without a name", "", snd},
		} {
			if err := e.s.Register(c.platform, c.sender); err == nil {
				t.Errorf("registering %s succeeded", c.name)
			}
		}
		e.start()
		synctest.Wait() // Run has started and is waiting
		if err := e.s.Register("matrix", snd); err == nil {
			t.Error("registering after Run succeeded")
		}
		e.close()
	})
}
