package knowledge

import (
	"unicode"
)

// quote picks the sentences of passage d to quote: its best sentence,
// with the next one when that scores nearly as well or when the best is
// only a heading ("First, the principle of peace.").
func (r *Retriever) quote(d int, rk ranking) Span {
	doc := r.ix.docs[d]
	s := rk.bestSent[d]
	if s < 0 || len(doc.sents) == 0 {
		return Span{0, len(doc.para.Text)}
	}
	sent := r.ix.sents[s]
	q := Span{int(sent.start), int(sent.end)}
	for i, id := range doc.sents {
		if int(id) != s || i+1 >= len(doc.sents) {
			continue
		}
		next := doc.sents[i+1]
		if sent.heading || rk.sent[next] >= quoteNextRatio*rk.sent[s] {
			q.End = int(r.ix.sents[next].end)
		}
	}
	return q
}

// quoteNextRatio: the sentence after the best is quoted too when it
// scores at least this share of the best's score.
const quoteNextRatio = 0.8

// isHeading reports a sentence that only names what follows: a few words,
// such as "First, the principle of peace."
func isHeading(s string) bool {
	n, in := 0, false
	for _, r := range s {
		if unicode.IsSpace(r) {
			in = false
		} else if !in {
			in = true
			n++
		}
	}
	return n <= 6
}
