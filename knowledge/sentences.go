package knowledge

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sentences splits text into sentences and returns their byte ranges, in
// order, trimmed of surrounding space. A sentence ends at '.', '?' or '!'
// (and any closing quotes or brackets after it) followed by white space and
// then an upper-case letter, a digit or an opening quote, so that "i.e. on
// whose behalf" and "e.g. hotlines" stay whole. Every span is non-empty and
// text[s.Start:s.End] is verbatim.
func Sentences(text string) []Span {
	var out []Span
	start := 0
	add := func(a, b int) {
		for a < b && isSpaceByte(text[a]) {
			a++
		}
		for b > a && isSpaceByte(text[b-1]) {
			b--
		}
		if a < b {
			out = append(out, Span{a, b})
		}
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c != '.' && c != '?' && c != '!' {
			continue
		}
		end := i + 1
		for end < len(text) && strings.ContainsRune("\"')]”’", rune(text[end])) {
			end++
		}
		// Multi-byte closing quotes.
		for end < len(text) {
			r, n := utf8.DecodeRuneInString(text[end:])
			if r != '”' && r != '’' {
				break
			}
			end += n
		}
		if end < len(text) && !isSpaceByte(text[end]) {
			continue
		}
		next := end
		for next < len(text) && isSpaceByte(text[next]) {
			next++
		}
		if next < len(text) && c == '.' {
			r, _ := utf8.DecodeRuneInString(text[next:])
			if !unicode.IsUpper(r) && !unicode.IsDigit(r) && !strings.ContainsRune("\"'“‘(", r) && !chatQuestionAfter(text, i, next) {
				continue
			}
		}
		add(start, end)
		start = end
		i = end - 1
	}
	add(start, len(text))
	return out
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

// chatQuestionAfter reports a question that chat starts in lower case
// after a full stop ("… more to it. what are the other principles?"): the
// next word opens a question and the word before the stop is a word of
// two or more letters or digits (any non-ASCII byte counts as part of
// one), not the last letter of "i.e." or "e.g.".
func chatQuestionAfter(text string, stop, next int) bool {
	j := next
	for j < len(text) && text[j] >= 'a' && text[j] <= 'z' {
		j++
	}
	w := text[next:j]
	if !whWords.has(w) && w != "how" && !auxiliaries.has(w) {
		return false
	}
	k := stop
	for k > 0 && wordByte(text[k-1]) {
		k--
	}
	return stop-k >= 2
}
