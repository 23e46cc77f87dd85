package digest

import (
	"testing"
	"time"
)

func TestOccurrence(t *testing.T) {
	tests := []struct {
		name       string
		zone       string
		date       Date
		hour, min  int
		want       string // RFC 3339 with the local offset
		wantLocalD string // local date of the result, if it differs
	}{
		{"ordinary day", "Europe/Berlin", Date{2026, 11, 26}, 9, 0, "2026-11-26T09:00:00+01:00", ""},
		{"summer", "Europe/Berlin", Date{2026, 7, 1}, 9, 0, "2026-07-01T09:00:00+02:00", ""},
		{"Berlin gap: 02:30 does not exist", "Europe/Berlin", Date{2026, 3, 29}, 2, 30, "2026-03-29T03:00:00+02:00", ""},
		{"Berlin gap start", "Europe/Berlin", Date{2026, 3, 29}, 2, 0, "2026-03-29T03:00:00+02:00", ""},
		{"Berlin just before gap", "Europe/Berlin", Date{2026, 3, 29}, 1, 59, "2026-03-29T01:59:00+01:00", ""},
		{"Berlin just after gap", "Europe/Berlin", Date{2026, 3, 29}, 3, 0, "2026-03-29T03:00:00+02:00", ""},
		{"Berlin overlap: first of two", "Europe/Berlin", Date{2026, 10, 25}, 2, 30, "2026-10-25T02:30:00+02:00", ""},
		{"Berlin overlap 02:00", "Europe/Berlin", Date{2026, 10, 25}, 2, 0, "2026-10-25T02:00:00+02:00", ""},
		{"Berlin after overlap", "Europe/Berlin", Date{2026, 10, 25}, 3, 0, "2026-10-25T03:00:00+01:00", ""},
		{"New York gap", "America/New_York", Date{2026, 3, 8}, 2, 30, "2026-03-08T03:00:00-04:00", ""},
		{"New York overlap", "America/New_York", Date{2026, 11, 1}, 1, 30, "2026-11-01T01:30:00-04:00", ""},
		{"New York ordinary", "America/New_York", Date{2026, 11, 2}, 1, 30, "2026-11-02T01:30:00-05:00", ""},
		// Lord Howe Island moves its clocks by 30 minutes.
		{"Lord Howe gap", "Australia/Lord_Howe", Date{2026, 10, 4}, 2, 15, "2026-10-04T02:30:00+11:00", ""},
		{"Lord Howe overlap", "Australia/Lord_Howe", Date{2026, 4, 5}, 1, 45, "2026-04-05T01:45:00+11:00", ""},
		{"Lord Howe after overlap", "Australia/Lord_Howe", Date{2026, 4, 5}, 2, 0, "2026-04-05T02:00:00+10:30", ""},
		{"UTC", "UTC", Date{2026, 11, 26}, 23, 59, "2026-11-26T23:59:00Z", ""},
		{"far east", "Pacific/Kiritimati", Date{2026, 1, 1}, 0, 0, "2026-01-01T00:00:00+14:00", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := mustZone(t, tt.zone)
			got := Occurrence(tt.date, tt.hour, tt.min, loc)
			if got.Format(time.RFC3339) != tt.want {
				t.Fatalf("Occurrence(%s %02d:%02d %s) = %s; want %s", tt.date, tt.hour, tt.min, tt.zone, got.Format(time.RFC3339), tt.want)
			}
			if got.Location() != loc {
				t.Errorf("result in %v; want %v", got.Location(), loc)
			}
		})
	}
}

// Every minute of every day of a year in zones with gaps and overlaps:
// the occurrence shows the wall time asked for on the date asked for,
// except in a gap, where it is the first minute after it.
func TestOccurrenceYear(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	for _, zone := range []string{"Europe/Berlin", "America/New_York", "Australia/Lord_Howe"} {
		loc := mustZone(t, zone)
		for d := (Date{2026, 1, 1}); d.Year == 2026; d = d.AddDays(1) {
			for m := 0; m < 24*60; m += 15 {
				got := Occurrence(d, m/60, m%60, loc)
				if got.Hour() == m/60 && got.Minute() == m%60 && DateOf(got, loc) == d {
					// It exists; it must be the first instant showing it.
					if earlier := got.Add(-time.Hour); earlier.In(loc).Hour() == m/60 && earlier.In(loc).Minute() == m%60 && DateOf(earlier, loc) == d {
						t.Fatalf("%s %s %02d:%02d: %s is not the first occurrence", zone, d, m/60, m%60, got)
					}
					if earlier := got.Add(-30 * time.Minute); earlier.In(loc).Hour() == m/60 && earlier.In(loc).Minute() == m%60 && DateOf(earlier, loc) == d {
						t.Fatalf("%s %s %02d:%02d: %s is not the first occurrence", zone, d, m/60, m%60, got)
					}
					continue
				}
				// A gap: the minute before the result is before the
				// wall time asked for.
				prev := got.Add(-time.Minute).In(loc)
				if prev.Hour()*60+prev.Minute() >= m || got.Minute()%30 != 0 {
					t.Fatalf("%s %s %02d:%02d gave %s, neither the time nor the end of a gap", zone, d, m/60, m%60, got)
				}
			}
		}
	}
}

func TestFirstDateAndLatestDue(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	for _, tt := range []struct {
		now       string
		hour, min int
		want      Date
	}{
		{"2026-11-26T08:59:00+01:00", 9, 0, Date{2026, 11, 26}},
		{"2026-11-26T09:00:00+01:00", 9, 0, Date{2026, 11, 26}},
		{"2026-11-26T09:00:01+01:00", 9, 0, Date{2026, 11, 27}},
		{"2026-11-26T23:30:00Z", 9, 0, Date{2026, 11, 27}}, // already the 27th in Berlin
		{"2026-03-29T02:59:00+02:00", 2, 30, Date{2026, 3, 29}},
	} {
		if got := firstDateFrom(at(tt.now), tt.hour, tt.min, berlin); got != tt.want {
			t.Errorf("firstDateFrom(%s, %02d:%02d) = %s; want %s", tt.now, tt.hour, tt.min, got, tt.want)
		}
	}
	for _, tt := range []struct {
		from    Date
		now     string
		want    Date
		wantDue bool
	}{
		{Date{2026, 11, 26}, "2026-11-26T08:00:00+01:00", Date{2026, 11, 26}, false},
		{Date{2026, 11, 26}, "2026-11-26T09:00:00+01:00", Date{2026, 11, 26}, true},
		{Date{2026, 11, 26}, "2026-11-26T10:00:00+01:00", Date{2026, 11, 26}, true},
		{Date{2026, 11, 26}, "2026-11-27T08:00:00+01:00", Date{2026, 11, 26}, true},
		{Date{2026, 11, 26}, "2026-11-29T10:00:00+01:00", Date{2026, 11, 29}, true},
		{Date{2026, 11, 26}, "2026-11-29T08:00:00+01:00", Date{2026, 11, 28}, true},
	} {
		got, due := latestDue(tt.from, at(tt.now), 9, 0, berlin)
		if got != tt.want || due != tt.wantDue {
			t.Errorf("latestDue(%s, %s) = %s, %v; want %s, %v", tt.from, tt.now, got, due, tt.want, tt.wantDue)
		}
	}
}

func TestDate(t *testing.T) {
	d := Date{2026, 12, 31}
	if got := d.AddDays(1); got != (Date{2027, 1, 1}) {
		t.Errorf("AddDays: %v", got)
	}
	if got := d.Long(); got != "Thursday 31 December 2026" {
		t.Errorf("Long: %q", got)
	}
	if p, err := ParseDate(d.String()); err != nil || p != d {
		t.Errorf("ParseDate(String()) = %v, %v", p, err)
	}
	if !d.Before(Date{2027, 1, 1}) || (Date{2027, 1, 1}).Before(d) || d.Before(d) {
		t.Error("Before")
	}
}
