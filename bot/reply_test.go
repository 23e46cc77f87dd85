package bot

import (
	"reflect"
	"testing"
)

func TestSegments(t *testing.T) {
	p := Passage{Text: "abc def ghi", Highlights: []Span{{0, 3}, {8, 11}, {5, 4}, {9, 20}}}
	got := p.Segments()
	want := []Segment{{"abc", true}, {" def ", false}, {"ghi", true}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Segments = %+v, want %+v", got, want)
	}
}

func TestPlainText(t *testing.T) {
	r := Reply{
		Title:    "T",
		Passages: []Passage{{Text: "one two", Citation: "C ¶1", Highlights: []Span{{4, 7}}}},
		List:     []Item{{Label: "a", Text: "b"}, {Label: "c"}},
		Note:     "N",
		Hint:     "H",
	}
	want := "T\n\n> one [two]\n— C ¶1\n• a — b\n• c\n\nN\n\nH"
	if got := r.PlainText("[", "]"); got != want {
		t.Errorf("PlainText =\n%s\nwant\n%s", got, want)
	}
}

func TestMissingSentence(t *testing.T) {
	for _, c := range []struct {
		missing []string
		want    string
	}{
		{[]string{"Tallinn Manual"}, "The statement does not mention “Tallinn Manual”."},
		{[]string{"a date or time"}, "The statement does not give a date or time for that."},
		{[]string{"sanctions", "a figure"}, "The statement does not mention “sanctions”, and gives no figure for that."},
		{[]string{"what happened after the speech"}, "The statement does not say what happened after the speech."},
		{nil, "The statement does not say that."},
	} {
		if got := missingSentence(c.missing); got != c.want {
			t.Errorf("missingSentence(%q) = %q, want %q", c.missing, got, c.want)
		}
	}
}
