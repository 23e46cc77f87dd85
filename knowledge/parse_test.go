package knowledge

import (
	"os"
	"strings"
	"testing"
)

// The embedded statement must be the shared corpus file byte for byte.
func TestEmbeddedMatchesCorpus(t *testing.T) {
	want, err := os.ReadFile("../../shared/corpus/li-baodong-2014.txt")
	if err != nil {
		t.Skipf("shared corpus not beside the repository: %v", err)
	}
	if EmbeddedSource() != string(want) {
		t.Fatal("knowledge/statements/li-baodong-2014.txt differs from shared/corpus/li-baodong-2014.txt")
	}
}

func TestParagraphsAreVerbatim(t *testing.T) {
	doc := Embedded()
	src := EmbeddedSource()
	if len(doc.Paragraphs) == 0 {
		t.Fatal("no paragraphs")
	}
	for i, p := range doc.Paragraphs {
		if p.Number != i+1 {
			t.Errorf("paragraph %d numbered %d", i+1, p.Number)
		}
		if src[p.Offset:p.Offset+len(p.Text)] != p.Text {
			t.Errorf("¶%d is not the source text at offset %d", p.Number, p.Offset)
		}
		if strings.TrimSpace(p.Text) != p.Text || p.Text == "" {
			t.Errorf("¶%d has surrounding white space or is empty: %q", p.Number, p.Text)
		}
	}
	if got := doc.Meta.Source; !strings.HasPrefix(src, got) {
		t.Errorf("title and date lines %q are not the start of the source", got)
	}
}

func TestEmbeddedStructure(t *testing.T) {
	doc := Embedded()
	m := doc.Meta
	for name, c := range map[string][2]string{
		"speaker": {m.Speaker, "Li Baodong"},
		"office":  {m.Office, "Vice Foreign Minister"},
		"event":   {m.Event, "International Workshop on Information and Cyber Security"},
		"date":    {m.DateHuman, "5 June 2014"},
	} {
		if c[0] != c[1] {
			t.Errorf("%s = %q, want %q", name, c[0], c[1])
		}
	}
	// Salutations and the NBSP line are not paragraphs.
	for _, p := range doc.Paragraphs {
		if strings.HasSuffix(p.Text, "Guests,") || strings.TrimSpace(p.Text) == "\u00a0" {
			t.Errorf("¶%d should not be a paragraph: %q", p.Number, p.Text)
		}
	}
	if len(doc.Sections) != 4 {
		t.Fatalf("got %d sections, want 4 (one per salutation block)", len(doc.Sections))
	}
	wantItems := []struct {
		kind ItemKind
		ord  int
		name string
		para int
	}{
		{Principle, 1, "peace", 5}, {Principle, 2, "sovereignty", 6}, {Principle, 3, "co-governance", 7}, {Principle, 4, "universal benefit", 8},
		{Area, 1, "dialogue and cooperation", 10}, {Area, 2, "international norms", 11}, {Area, 3, "participation of all parties", 12},
	}
	if len(doc.Items) != len(wantItems) {
		t.Fatalf("got %d items, want %d: %+v", len(doc.Items), len(wantItems), doc.Items)
	}
	for i, w := range wantItems {
		it := doc.Items[i]
		if it.Kind != w.kind || it.Ordinal != w.ord || it.Name != w.name || it.Paragraph != w.para {
			t.Errorf("item %d = %+v, want %+v", i, it, w)
		}
		if p, _ := doc.Paragraph(w.para); p.Item == nil || p.Item.Name != w.name {
			t.Errorf("¶%d not linked to item %q", w.para, w.name)
		}
	}
	p6, _ := doc.Paragraph(6)
	if got, want := doc.Citation(p6), "Li Baodong, 5 June 2014 · Part II: Four principles › Principle 2: Sovereignty · ¶6"; got != want {
		t.Errorf("citation = %q, want %q", got, want)
	}
}

func TestParseConventions(t *testing.T) {
	src := "---\nspeaker: Jane Doe\ndate: 2020-01-02\n---\nRemarks on Things\n\nFriends,\n\nOpening words here.\n\nColleagues,\n\nFirst, the principle of candour. Be open.\n\nSecond, the principle of care. Be kind.\n\nThird, we should share resources fairly with everyone.\n\nThank you."
	doc, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Meta.Speaker != "Jane Doe" || doc.Meta.DateHuman != "2 January 2020" || doc.Meta.Title != "Remarks on Things" {
		t.Errorf("meta = %+v", doc.Meta)
	}
	if len(doc.Paragraphs) != 5 {
		t.Fatalf("got %d paragraphs: %+v", len(doc.Paragraphs), doc.Paragraphs)
	}
	names := []string{}
	for _, it := range doc.Items {
		names = append(names, string(it.Kind)+":"+it.Name)
	}
	if got, want := strings.Join(names, ","), "principle:candour,principle:care,area:resources"; got != want {
		t.Errorf("items = %s, want %s", got, want)
	}
	for _, p := range doc.Paragraphs {
		if src[p.Offset:p.Offset+len(p.Text)] != p.Text {
			t.Errorf("¶%d not verbatim", p.Number)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for name, src := range map[string]string{
		"empty":        "",
		"title only":   "A Title",
		"bad utf8":     "Title\n\n\xff\xfe body",
		"open front":   "---\ntitle: x\n\nBody.",
		"bad front":    "---\ncolour: red\n---\nTitle\n\nBody paragraph.",
		"only blanks":  " \n\u00a0\n\t",
		"huge":         strings.Repeat("a", MaxStatementBytes+1),
		"salutes only": "Title\n\nFriends,\n\nColleagues,",
	} {
		if _, err := Parse(src); err == nil {
			t.Errorf("%s: Parse accepted it", name)
		}
	}
}

func TestLoadFile(t *testing.T) {
	path := t.TempDir() + "/s.txt"
	if err := os.WriteFile(path, []byte("Speech by Minister A at B\n\nHello all.\n\nFirst, the principle of peace. More."), 0o600); err != nil {
		t.Fatal(err)
	}
	doc, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Items) != 1 || doc.Meta.Speaker != "A" || doc.Meta.Office != "Minister" {
		t.Errorf("doc = %+v", doc.Meta)
	}
	if _, err := Load(path + ".missing"); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing file error = %v; want it to name the file", err)
	}
}
