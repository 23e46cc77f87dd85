// Package localtime reads a time of day and a time zone as people type
// them, in chat ("digest on 9am europe/berlin") and in the configuration
// file alike: one parser, so that what works in one works in the other.
package localtime

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DefaultClock is when a daily digest is posted if no time is named.
const DefaultClock = "09:00"

// DefaultZone is the zone of a digest if none is named.
const DefaultZone = "UTC"

// ParseClock reads a time of day: "09:00", "9:00", "18:30" on a 24-hour
// clock, or "9am", "6:30pm", "12 pm" on a 12-hour one.
func ParseClock(s string) (hour, minute int, err error) {
	bad := fmt.Errorf("%q is not a time of day; write it as HH:MM on a 24-hour clock, e.g. 09:00 or 18:30 (9am and 6:30pm work too)", clip(s, 20))
	t := strings.ToLower(strings.TrimSpace(s))
	pm, am := strings.HasSuffix(t, "pm"), strings.HasSuffix(t, "am")
	if pm || am {
		t = strings.TrimSpace(t[:len(t)-2])
	}
	hs, ms, hasMin := strings.Cut(t, ":")
	if !hasMin {
		if !pm && !am {
			return 0, 0, bad
		}
		ms = "00"
	}
	if len(hs) == 0 || len(hs) > 2 || len(ms) != 2 || !digits(hs) || !digits(ms) {
		return 0, 0, bad
	}
	h, _ := strconv.Atoi(hs)
	mi, _ := strconv.Atoi(ms)
	if mi > 59 {
		return 0, 0, bad
	}
	if pm || am {
		if h < 1 || h > 12 {
			return 0, 0, bad
		}
		h %= 12
		if pm {
			h += 12
		}
	}
	if h > 23 {
		return 0, 0, bad
	}
	return h, mi, nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// LoadZone loads an IANA time zone, forgiving case ("europe/berlin"); no
// name means DefaultZone. The zone database is compiled into the binary
// (time/tzdata), so this does not depend on the host. "Local" is refused:
// the host's zone means nothing to the people in a chat.
func LoadZone(name string) (*time.Location, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		name = DefaultZone
	}
	bad := fmt.Errorf("%q is not a time zone I know; use an IANA name such as Europe/Berlin, America/New_York or UTC", clip(name, 40))
	if strings.Contains(name, "..") || strings.HasPrefix(name, "/") || len(name) > 64 {
		return nil, bad
	}
	if strings.EqualFold(name, "utc") || strings.EqualFold(name, "z") || strings.EqualFold(name, "gmt") {
		return time.UTC, nil
	}
	if strings.EqualFold(name, "local") {
		return nil, bad
	}
	for _, cand := range []string{name, titleZone(name), strings.ToUpper(name)} {
		if loc, err := time.LoadLocation(cand); err == nil {
			return loc, nil
		}
	}
	return nil, bad
}

// titleZone capitalises each part: "america/new_york" → "America/New_York".
func titleZone(s string) string {
	b := []byte(strings.ToLower(s))
	up := true
	for i, c := range b {
		if up && c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
		up = c == '/' || c == '_' || c == '-'
	}
	return string(b)
}

// clip shortens s for an error message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}
