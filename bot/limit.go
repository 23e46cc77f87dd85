package bot

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// limit keeps a reply within the configured number of passages and quoted
// characters, and says in the reply what was cut.
func (b *Bot) limit(r Reply, m Message) Reply {
	if len(r.Passages) > b.opts.MaxPassages {
		r.Omitted += len(r.Passages) - b.opts.MaxPassages
		r.Passages = r.Passages[:b.opts.MaxPassages]
	}
	budget := b.opts.MaxChars
	kept := r.Passages[:0]
	for _, p := range r.Passages {
		if budget <= 0 {
			r.Omitted++
			continue
		}
		if n := utf8.RuneCountInString(p.Text); n > budget {
			p = shorten(p, budget)
		}
		budget -= utf8.RuneCountInString(p.Text)
		kept = append(kept, p)
	}
	r.Passages = kept
	cut := false
	for _, p := range r.Passages {
		cut = cut || p.Cut
	}
	switch {
	case r.Omitted > 0:
		r.Note = joinNonEmpty(" ", r.Note, fmt.Sprintf("%d more passage(s) not shown to keep this short; use %s for a whole paragraph.", r.Omitted, m.Command("cite <n>")))
	case cut:
		r.Note = joinNonEmpty(" ", r.Note, fmt.Sprintf("Shortened to keep this short; use %s for the whole paragraph.", m.Command("cite <n>")))
	}
	return r
}

// shorten cuts a passage to at most n runes at a word boundary, ending it
// with "…", and drops highlights beyond the cut.
func shorten(p Passage, n int) Passage {
	if n < 2 {
		n = 2
	}
	end := 0
	for i := range p.Text {
		if utf8.RuneCountInString(p.Text[:i]) >= n-1 {
			break
		}
		end = i
	}
	if sp := strings.LastIndexByte(p.Text[:end], ' '); sp > end/2 {
		end = sp
	}
	p.Text = strings.TrimRight(p.Text[:end], " ,;:") + "…"
	var hl []Span
	for _, h := range p.Highlights {
		if h.End <= end {
			hl = append(hl, h)
		}
	}
	p.Highlights = hl
	p.Cut = true
	return p
}
