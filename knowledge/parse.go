package knowledge

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxStatementBytes bounds what Parse accepts; statements are speeches, not
// books, and the bound keeps a wrong file from exhausting memory.
const MaxStatementBytes = 4 << 20

// Parse derives a Document from a statement in policybot's plain-text
// conventions:
//
//   - an optional front-matter block between two "---" lines with
//     "key: value" lines (title, speaker, office, date, event), which
//     overrides what is derived from the text;
//   - a title line, optionally followed by a date line ("2014-06-05 17:00");
//   - body paragraphs separated by blank lines (lines holding only white
//     space, including no-break spaces, count as blank);
//   - salutation lines ("Distinguished Guests,") that open each part;
//   - ordinal paragraphs ("First, …", "Second, …") that form lists: an item
//     reading "the principle of X" is a principle named X, any other item is
//     an area of effort named after the object of its first sentence.
//
// Nothing here knows any particular statement: the structure comes from
// these conventions alone.
func Parse(src string) (*Document, error) {
	if len(src) > MaxStatementBytes {
		return nil, fmt.Errorf("statement is %d bytes; the limit is %d", len(src), MaxStatementBytes)
	}
	if !utf8.ValidString(src) {
		return nil, errors.New("statement is not valid UTF-8; save it as UTF-8 text")
	}
	doc := &Document{Source: src}
	blocks := splitBlocks(src)
	front, blocks, err := frontMatter(src, blocks)
	if err != nil {
		return nil, err
	}
	blocks = doc.header(blocks, front)
	doc.body(blocks)
	if len(doc.Paragraphs) == 0 {
		return nil, errors.New("statement has no body paragraphs after its title and date; separate paragraphs with blank lines")
	}
	doc.titleSections()
	return doc, nil
}

// block is a run of non-blank lines; text is the exact source bytes.
type block struct {
	text   string
	offset int
	lines  []string
}

func splitBlocks(src string) []block {
	var (
		out []block
		cur *block
	)
	off := 0
	for off <= len(src) {
		end := strings.IndexByte(src[off:], '\n')
		if end < 0 {
			end = len(src)
		} else {
			end += off
		}
		line := strings.TrimRight(src[off:end], "\r")
		if strings.TrimSpace(line) == "" {
			cur = nil
		} else {
			if cur == nil {
				out = append(out, block{offset: off})
				cur = &out[len(out)-1]
			}
			cur.lines = append(cur.lines, line)
			cur.text = src[cur.offset : off+len(line)]
		}
		off = end + 1
	}
	return out
}

var frontKeys = map[string]bool{"title": true, "speaker": true, "office": true, "date": true, "event": true}

func frontMatter(src string, blocks []block) (map[string]string, []block, error) {
	if len(blocks) == 0 || blocks[0].offset != 0 || strings.TrimSpace(blocks[0].lines[0]) != "---" {
		return nil, blocks, nil
	}
	front := map[string]string{}
	// The front matter may span blocks if it contains blank lines; walk
	// lines until the closing "---".
	var lines []string
	rest := blocks
	closed := false
	for len(rest) > 0 && !closed {
		b := rest[0]
		rest = rest[1:]
		for i, l := range b.lines {
			if b.offset == 0 && i == 0 {
				continue
			}
			if strings.TrimSpace(l) == "---" {
				closed = true
				// Anything after the closing line in the same block is body.
				if i+1 < len(b.lines) {
					tail := strings.Join(b.lines[i+1:], "\n")
					off := strings.Index(src[b.offset:], tail) + b.offset
					rest = append([]block{{text: src[off : off+len(tail)], offset: off, lines: b.lines[i+1:]}}, rest...)
				}
				break
			}
			lines = append(lines, l)
		}
	}
	if !closed {
		return nil, nil, errors.New(`front matter opened with "---" is never closed; add a line "---" after the metadata`)
	}
	for i, l := range lines {
		key, val, ok := strings.Cut(l, ":")
		key = strings.ToLower(strings.TrimSpace(key))
		if !ok || !frontKeys[key] {
			return nil, nil, fmt.Errorf("front matter line %d %q: want \"key: value\" with key one of title, speaker, office, date, event", i+2, l)
		}
		front[key] = strings.TrimSpace(val)
	}
	return front, rest, nil
}

// header takes the title and date blocks off the front of the body and fills
// Meta. Front-matter values win over derived ones.
func (d *Document) header(blocks []block, front map[string]string) []block {
	m := &d.Meta
	if len(blocks) > 0 && (front["title"] == "" || strings.TrimSpace(blocks[0].text) == front["title"]) && !isSalutationBlock(blocks[0]) {
		m.Title = blocks[0].text
		m.Source = blocks[0].text
		blocks = blocks[1:]
		if len(blocks) > 0 {
			if _, ok := parseDate(blocks[0].text); ok {
				m.Date = strings.TrimSpace(blocks[0].text)
				m.Source = d.Source[strings.Index(d.Source, m.Title) : blocks[0].offset+len(blocks[0].text)]
				blocks = blocks[1:]
			}
		}
	}
	if t := front["title"]; t != "" {
		m.Title = t
		if m.Source == "" {
			m.Source = t
		}
	}
	if v := front["date"]; v != "" {
		m.Date = v
	}
	m.Office, m.Speaker, m.Event = splitTitle(m.Title)
	for key, dst := range map[string]*string{"speaker": &m.Speaker, "office": &m.Office, "event": &m.Event} {
		if v := front[key]; v != "" {
			*dst = v
		}
	}
	if t, ok := parseDate(m.Date); ok {
		m.DateHuman = t.Format("2 January 2006")
	}
	return blocks
}

var dateLayouts = []string{"2006-01-02 15:04", "2006-01-02", "2 January 2006", "January 2, 2006", "2 Jan 2006", "Jan 2, 2006"}

func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

var (
	titleRe = regexp.MustCompile(`^(?:Opening |Closing |Keynote )?(?:Address|Speech|Remarks|Statement|Keynote)\s+(?:by|of)\s+(.+?)\s+(?:at|to|before)\s+(.+)$`)
	// Offices end with one of these words; the name follows.
	officeWord = regexp.MustCompile(`^(?:Minister|President|Premier|Secretary|Ambassador|Director|Director-General|Chair|Chairman|Chairwoman|Chairperson|Spokesperson|Representative|Envoy|Governor|Mayor|General|Commissioner|Chancellor|Chief|Head|Counsellor|Councillor|Senator|Delegate|Prime)$`)
	occasionRe = regexp.MustCompile(`^(?:the\s+)?(?:(?:Opening|Closing)\s+(?:Ceremony|Session)|Opening|Closing|Launch)\s+of\s+`)
)

// splitTitle reads "Address by <office> <name> at <occasion of> <event>".
func splitTitle(title string) (office, speaker, event string) {
	m := titleRe.FindStringSubmatch(strings.TrimSpace(title))
	if m == nil {
		return "", "", ""
	}
	words := strings.Fields(m[1])
	last := -1
	for i, w := range words {
		if officeWord.MatchString(w) {
			last = i
		}
	}
	office = strings.Join(words[:last+1], " ")
	speaker = strings.Join(words[last+1:], " ")
	event = strings.TrimPrefix(occasionRe.ReplaceAllString(m[2], ""), "the ")
	return office, speaker, event
}

func isSalutationBlock(b block) bool {
	for _, l := range b.lines {
		l = strings.TrimSpace(l)
		if !strings.HasSuffix(l, ",") || len(strings.Fields(l)) > 6 || strings.ContainsAny(l[:len(l)-1], ".,;:") {
			return false
		}
		if r, _ := utf8.DecodeRuneInString(l); !unicode.IsUpper(r) {
			return false
		}
	}
	return true
}

var ordinals = []string{"First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth", "Tenth"}

// ordinalOf returns 1 for "First, …", 2 for "Second, …", and 0 otherwise.
func ordinalOf(text string) int {
	for i, o := range ordinals {
		if strings.HasPrefix(text, o+",") {
			return i + 1
		}
	}
	return 0
}

func (d *Document) body(blocks []block) {
	section := 1
	inSection := 0 // paragraphs in the current section
	expect := 0    // next ordinal expected in the current list, 0 if none
	for _, b := range blocks {
		if isSalutationBlock(b) {
			if inSection > 0 {
				d.closeSection(section)
				section++
				inSection = 0
			}
			expect = 0
			continue
		}
		p := Paragraph{Number: len(d.Paragraphs) + 1, Text: b.text, Offset: b.offset, Section: section}
		switch ord := ordinalOf(b.text); {
		case ord == 1 || (ord > 1 && ord == expect):
			it := itemFrom(b.text, ord, p.Number)
			d.Items = append(d.Items, it)
			expect = ord + 1
		default:
			expect = 0
		}
		d.Paragraphs = append(d.Paragraphs, p)
		inSection++
	}
	d.closeSection(section)
	// Link paragraphs to items only now: d.Items may have grown and moved.
	for i := range d.Items {
		d.Paragraphs[d.Items[i].Paragraph-1].Item = &d.Items[i]
	}
}

func (d *Document) closeSection(n int) {
	first := 1
	if len(d.Sections) > 0 {
		first = d.Sections[len(d.Sections)-1].Last + 1
	}
	d.Sections = append(d.Sections, Section{Number: n, First: first, Last: len(d.Paragraphs)})
}

var (
	principleRe = regexp.MustCompile(`^the principle of ([^.;:]+)`)
	// A list item's first sentence usually opens with who must act; the
	// area is the object that follows.
	agentRe = regexp.MustCompile(`^(?:we|you|they|i|all|countries|states|parties|governments)\s+(?:need|needs|should|must|have|has|ought|are|will|shall)\s+(?:to\s+)?`)
	beRe    = regexp.MustCompile(`^be\s+\w+\s+(?:to|in|on|with|for)\s+`)
	// The name stops where a qualifying clause starts.
	clauseEnd = regexp.MustCompile(`\s+(?:\w+ed|\w+ly|that|which|who|for|to|in|by|with|through|so)\b`)
)

func itemFrom(text string, ord, n int) Item {
	first := text[strings.IndexByte(text, ',')+1:]
	if i := strings.IndexAny(first, ".;:"); i >= 0 {
		first = first[:i]
	}
	first = strings.ToLower(strings.TrimSpace(first))
	if m := principleRe.FindStringSubmatch(first); m != nil {
		return Item{Kind: Principle, Ordinal: ord, Name: strings.TrimSpace(m[1]), Paragraph: n}
	}
	name := agentRe.ReplaceAllString(first, "")
	if beRe.MatchString(name) {
		name = beRe.ReplaceAllString(name, "")
	} else if _, rest, ok := strings.Cut(name, " "); ok && name != first {
		name = rest // drop the verb: "formulate international norms"
	}
	if loc := clauseEnd.FindStringIndex(name); loc != nil && loc[0] > 0 {
		name = name[:loc[0]]
	}
	return Item{Kind: Area, Ordinal: ord, Name: strings.TrimSpace(name), Paragraph: n}
}

var countWords = []string{"", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten"}

// titleSections gives each part a short title from what it holds: its list
// of principles or areas, or its place as opening or closing.
func (d *Document) titleSections() {
	for i := range d.Sections {
		s := &d.Sections[i]
		counts := map[ItemKind]int{}
		for _, it := range d.Items {
			if it.Paragraph >= s.First && it.Paragraph <= s.Last {
				counts[it.Kind]++
			}
		}
		switch {
		case counts[Principle] > 0:
			s.Title = countWord(counts[Principle]) + " principles"
		case counts[Area] > 0:
			s.Title = countWord(counts[Area]) + " areas of effort"
		case i == 0:
			s.Title = "Opening"
		case i == len(d.Sections)-1:
			s.Title = "Closing"
		default:
			s.Title = "Remarks"
		}
	}
}

func countWord(n int) string {
	if n < len(countWords) {
		return countWords[n]
	}
	return fmt.Sprint(n)
}
