package matrix

import "testing"

func TestThumb(t *testing.T) {
	for _, tt := range []struct {
		key    string
		up, ok bool
	}{
		{"👍", true, true},
		{"👍️", true, true}, // emoji presentation selector
		{"👍🏽", true, true}, // skin tone
		{"👎", false, true},
		{"👎🏿", false, true},
		{" :+1: ", true, true},
		{"🎉", false, false},
		{"", false, false},
		{"👍👍", false, false},
	} {
		up, ok := thumb(tt.key)
		if up != tt.up || ok != tt.ok {
			t.Errorf("thumb(%q) = %v, %v; want %v, %v", tt.key, up, ok, tt.up, tt.ok)
		}
	}
}
