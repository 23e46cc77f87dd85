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
