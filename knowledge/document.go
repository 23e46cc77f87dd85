// Package knowledge holds the statements policybot answers from: the
// document model (metadata, parts, named items, numbered paragraphs), the
// parser that derives that structure from plain text, and the retriever
// that finds the paragraphs answering a question. It knows nothing about
// chat platforms.
package knowledge

import (
	"fmt"
	"strings"
)

// Meta is what the statement says about itself. It is answered from, and
// cited as, the title and date lines rather than a body paragraph.
type Meta struct {
	Title   string // the title line, verbatim
	Speaker string // e.g. "Li Baodong"
	Office  string // e.g. "Vice Foreign Minister"
	Event   string // e.g. "the International Workshop on Information and Cyber Security"
	Date    string // as written in the source, e.g. "2014-06-05 17:00"
	// DateHuman is Date rendered for citations, e.g. "5 June 2014".
	DateHuman string
	// Source is the verbatim title and date lines, quoted when a
	// question is about the statement itself.
	Source string
}

// ItemKind tells a principle from an area of effort.
type ItemKind string

const (
	// Principle is an item of a list introduced as principles
	// ("First, the principle of peace.").
	Principle ItemKind = "principle"
	// Area is an item of any other ordinal list, such as the areas of
	// international effort ("First, we need to be committed to dialogue…").
	Area ItemKind = "area"
)

// Label is the kind as it reads in a citation.
func (k ItemKind) Label() string {
	if k == Principle {
		return "Principle"
	}
	return "Area"
}

// Item is a named entry of an ordinal list: one of the principles or one of
// the areas of effort. Each is exactly one paragraph.
type Item struct {
	Kind    ItemKind
	Ordinal int    // 1 for "First", 2 for "Second", ...
	Name    string // lower case as written, e.g. "co-governance", "international norms"
	// Paragraph is the number of the paragraph that states the item.
	Paragraph int
}

// Title is the item's name capitalised for headings: "Co-governance".
func (it Item) Title() string {
	if it.Name == "" {
		return ""
	}
	return strings.ToUpper(it.Name[:1]) + it.Name[1:]
}

// Label reads like "Principle 2: Sovereignty".
func (it Item) Label() string {
	return fmt.Sprintf("%s %d: %s", it.Kind.Label(), it.Ordinal, it.Title())
}

// Section is one part of the statement, delimited by the salutations
// ("Distinguished Guests,") that open it.
type Section struct {
	Number int    // 1-based
	Title  string // a short human title derived from the part's content
	First  int    // first paragraph number in the part
	Last   int    // last paragraph number in the part
}

// Label reads like "Part II: Principles".
func (s Section) Label() string {
	return fmt.Sprintf("Part %s: %s", roman(s.Number), s.Title)
}

// Paragraph is one body paragraph. Text is byte-for-byte the source
// wording; Offset locates it in the source so that this can be checked.
type Paragraph struct {
	Number  int // ¶1 is the first body paragraph
	Text    string
	Offset  int // byte offset of Text in the source
	Section int // Section.Number
	Item    *Item
}

// Document is one parsed statement.
type Document struct {
	Meta       Meta
	Sections   []Section
	Paragraphs []Paragraph // Paragraphs[i].Number == i+1
	Items      []Item
	Source     string // the full source text the offsets refer to
}

// Paragraph returns paragraph n (1-based) and whether it exists.
func (d *Document) Paragraph(n int) (Paragraph, bool) {
	if n < 1 || n > len(d.Paragraphs) {
		return Paragraph{}, false
	}
	return d.Paragraphs[n-1], true
}

// Section returns the section with the given number.
func (d *Document) Section(n int) Section {
	if n < 1 || n > len(d.Sections) {
		return Section{}
	}
	return d.Sections[n-1]
}

// ItemsOf returns the items of one kind in order.
func (d *Document) ItemsOf(kind ItemKind) []Item {
	var out []Item
	for _, it := range d.Items {
		if it.Kind == kind {
			out = append(out, it)
		}
	}
	return out
}

// ShortRef names the statement in a citation: "Li Baodong, 5 June 2014".
func (d *Document) ShortRef() string {
	who := d.Meta.Speaker
	if who == "" {
		who = d.Meta.Title
	}
	if d.Meta.DateHuman == "" {
		return who
	}
	return who + ", " + d.Meta.DateHuman
}

// Citation is the reference a person can check:
// "Li Baodong, 5 June 2014 · Part II: Principles › Principle 2: Sovereignty · ¶6".
func (d *Document) Citation(p Paragraph) string {
	var b strings.Builder
	b.WriteString(d.ShortRef())
	if s := d.Section(p.Section); s.Number > 0 {
		b.WriteString(" · ")
		b.WriteString(s.Label())
		if p.Item != nil {
			b.WriteString(" › ")
			b.WriteString(p.Item.Label())
		}
	}
	fmt.Fprintf(&b, " · ¶%d", p.Number)
	return b.String()
}

// MetaCitation cites the title and date lines.
func (d *Document) MetaCitation() string {
	return d.ShortRef() + " · Title and date"
}

// Quotable reports whether a paragraph stands on its own as a quote: long
// enough to say something (not "Thank you.").
func (p Paragraph) Quotable() bool {
	return len(strings.Fields(p.Text)) >= 12
}

func roman(n int) string {
	if n <= 0 || n >= 40 {
		return fmt.Sprint(n)
	}
	var b strings.Builder
	for _, r := range []struct {
		v int
		s string
	}{{10, "X"}, {9, "IX"}, {5, "V"}, {4, "IV"}, {1, "I"}} {
		for n >= r.v {
			b.WriteString(r.s)
			n -= r.v
		}
	}
	return b.String()
}
