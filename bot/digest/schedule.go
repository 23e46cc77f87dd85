package digest

import (
	"fmt"
	"time"
)

// Date is a calendar date in a subscription's own zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf is the local date of t in loc.
func DateOf(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return Date{y, m, d}
}

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	return Date{t.Year(), t.Month(), t.Day()}, nil
}

// String is YYYY-MM-DD, the form used in ledger keys.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// AddDays moves by n calendar days.
func (d Date) AddDays(n int) Date {
	t := time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC)
	return Date{t.Year(), t.Month(), t.Day()}
}

// Before reports whether d is an earlier date than e.
func (d Date) Before(e Date) bool {
	if d.Year != e.Year {
		return d.Year < e.Year
	}
	if d.Month != e.Month {
		return d.Month < e.Month
	}
	return d.Day < e.Day
}

// Long reads like "Thursday 26 November 2026".
func (d Date) Long() string {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Format("Monday 2 January 2006")
}

// Occurrence is the instant a digest scheduled at hour:minute is due on
// local date d in loc. When that wall-clock time happens twice (the clocks
// go back) it is the first of the two, so the digest goes out once; when it
// does not happen at all (the clocks go forward over it) it is the first
// valid minute after the gap, e.g. 03:00 for 02:30 in Berlin on the last
// Sunday of March.
func Occurrence(d Date, hour, minute int, loc *time.Location) time.Time {
	// The wall clock reading as if it were UTC; subtracting an offset gives
	// the instant at which a zone with that offset shows it.
	wall := time.Date(d.Year, d.Month, d.Day, hour, minute, 0, 0, time.UTC)
	before := offsetAt(wall.Add(-26*time.Hour), loc)
	after := offsetAt(wall.Add(26*time.Hour), loc)
	var best time.Time
	for _, off := range []int{before, offsetAt(wall, loc), after} {
		u := wall.Add(-time.Duration(off) * time.Second)
		if !shows(u, loc, wall) {
			continue
		}
		if best.IsZero() || u.Before(best) {
			best = u
		}
	}
	if !best.IsZero() {
		return best.In(loc)
	}
	if after <= before {
		// No forward transition around here, yet the time does not
		// exist: not a case the zone database has. Let Go normalise.
		return time.Date(d.Year, d.Month, d.Day, hour, minute, 0, 0, loc)
	}
	// A gap: the clocks jumped from before to after. The transition lies
	// between the instants at which the wall time would have been shown
	// under each offset; the first instant under the new offset is the
	// first valid local time after the gap.
	lo := wall.Add(-time.Duration(after) * time.Second)  // still the old offset
	hi := wall.Add(-time.Duration(before) * time.Second) // already the new offset
	for hi.Sub(lo) > time.Second {
		mid := lo.Add(hi.Sub(lo) / 2).Truncate(time.Second)
		if offsetAt(mid, loc) == after {
			hi = mid
		} else {
			lo = mid
		}
	}
	// Transitions fall on whole minutes; round up to be sure.
	if t := hi.Truncate(time.Minute); t.Before(hi) {
		hi = t.Add(time.Minute)
	}
	return hi.In(loc)
}

func offsetAt(t time.Time, loc *time.Location) int {
	_, off := t.In(loc).Zone()
	return off
}

// shows reports whether instant u reads as wall (a UTC-shaped wall clock) in loc.
func shows(u time.Time, loc *time.Location, wall time.Time) bool {
	l := u.In(loc)
	y, m, d := l.Date()
	return y == wall.Year() && m == wall.Month() && d == wall.Day() && l.Hour() == wall.Hour() && l.Minute() == wall.Minute()
}

// firstDateFrom is the first local date whose occurrence is not before now:
// the next digest of a subscription made at now.
func firstDateFrom(now time.Time, hour, minute int, loc *time.Location) Date {
	d := DateOf(now, loc).AddDays(-1)
	for Occurrence(d, hour, minute, loc).Before(now) {
		d = d.AddDays(1)
	}
	return d
}

// latestDue is the latest local date, not before from, whose occurrence is
// not after now; ok is false when from itself is not due yet.
func latestDue(from Date, now time.Time, hour, minute int, loc *time.Location) (Date, bool) {
	if Occurrence(from, hour, minute, loc).After(now) {
		return from, false
	}
	d := DateOf(now, loc).AddDays(1)
	for !d.Before(from) && Occurrence(d, hour, minute, loc).After(now) {
		d = d.AddDays(-1)
	}
	if d.Before(from) {
		return from, true
	}
	return d, true
}
