package localtime

import (
	"strings"
	"testing"
	"time"
)

func TestParseClock(t *testing.T) {
	for _, tt := range []struct {
		in        string
		hour, min int
		ok        bool
	}{
		{"09:00", 9, 0, true},
		{"9:05", 9, 5, true},
		{"23:59", 23, 59, true},
		{"00:00", 0, 0, true},
		{" 17:30 ", 17, 30, true},
		{"9am", 9, 0, true},
		{"9 AM", 9, 0, true},
		{"12am", 0, 0, true},
		{"12pm", 12, 0, true},
		{"6:30pm", 18, 30, true},
		{"24:00", 0, 0, false},
		{"12:60", 0, 0, false},
		{"9", 0, 0, false},
		{"13pm", 0, 0, false},
		{"0am", 0, 0, false},
		{"09:0", 0, 0, false},
		{"-1:00", 0, 0, false},
		{"+9:00", 0, 0, false},
		{"09:+5", 0, 0, false},
		{"009:00", 0, 0, false},
		{"", 0, 0, false},
		{"ab:cd", 0, 0, false},
	} {
		h, m, err := ParseClock(tt.in)
		if (err == nil) != tt.ok || h != tt.hour || m != tt.min {
			t.Errorf("ParseClock(%q) = %d, %d, %v; want %d, %d, ok=%v", tt.in, h, m, err, tt.hour, tt.min, tt.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "HH:MM") {
			t.Errorf("ParseClock(%q) error %q does not say what to type", tt.in, err)
		}
	}
}

func FuzzParseClock(f *testing.F) {
	for _, s := range []string{"09:00", "9:5", "23:59", "24:00", "", ":", "1:2:3", "9am", "12:30pm"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, m, err := ParseClock(s)
		if err != nil {
			return
		}
		if h < 0 || h > 23 || m < 0 || m > 59 {
			t.Fatalf("ParseClock(%q) = %d:%d", s, h, m)
		}
		// Whatever is accepted reads back the same, in its HH:MM form too.
		h2, m2, err := ParseClock(time.Date(2000, 1, 1, h, m, 0, 0, time.UTC).Format("15:04"))
		if err != nil || h2 != h || m2 != m {
			t.Fatalf("ParseClock(%q) = %d:%d does not read back", s, h, m)
		}
	})
}

func TestLoadZone(t *testing.T) {
	for in, want := range map[string]string{"Europe/Berlin": "Europe/Berlin", "europe/berlin": "Europe/Berlin", "america/new_york": "America/New_York", "utc": "UTC", "GMT": "UTC", " UTC ": "UTC", "": "UTC"} {
		loc, err := LoadZone(in)
		if err != nil || loc.String() != want {
			t.Errorf("LoadZone(%q) = %v, %v; want %s", in, loc, err, want)
		}
	}
	for _, in := range []string{"Mars/Olympus", "../../etc/passwd", "/etc/localtime", "Local", "berlin", strings.Repeat("x", 100)} {
		if _, err := LoadZone(in); err == nil || !strings.Contains(err.Error(), "Europe/Berlin") {
			t.Errorf("LoadZone(%q) error = %v; want one with an example", in, err)
		}
	}
}
