package knowledge

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/english"

	"github.com/policybot/policybot/knowledge/vectors"
)

// token is one word of a text: its byte range and its normalised form.
// A hyphenated or apostrophised compound ("co-governance") yields one token
// per part plus one for the joined form, so that "co-governance",
// "co governance" and "cogovernance" meet.
type token struct {
	start, end int
	word       string // lower case, possessive removed
	joined     bool   // the joined form of a compound
	possessive bool   // written with "'s": a possessive ("China's"), or "is" contracted
}

// isWordRune reports letters and digits; everything else separates words.
func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// isJoiner reports runes that join the parts of a compound when they stand
// between two word runes: hyphens and dashes within a word.
func isJoiner(r rune) bool {
	switch r {
	case '-', '\u2010', '\u2011', '\u00ad':
		return true
	}
	return false
}

func isApostrophe(r rune) bool { return r == '\'' || r == '\u2019' || r == '\u02bc' }

// tokenize appends the tokens of s to dst. It never fails: invalid UTF-8
// and control characters are separators.
func tokenize(dst []token, s string) []token {
	if dst == nil {
		// Room for a word every five bytes or so, to grow once if at all.
		dst = make([]token, 0, len(s)/5+2)
	}
	i := 0
	for i < len(s) {
		if c := s[i]; c < utf8.RuneSelf {
			if !asciiWord[c] {
				i++
				continue
			}
		} else if r, n := utf8.DecodeRuneInString(s[i:]); !isWordRune(r) {
			i += n
			continue
		}
		// A compound: word runs joined by hyphens (and apostrophes,
		// which end a part: "China's" is "china" + possessive).
		compStart := i
		partsAt := len(dst)
		for {
			start := i
			for i < len(s) {
				if c := s[i]; c < utf8.RuneSelf {
					if !asciiWord[c] {
						break
					}
					i++
					continue
				}
				r, n := utf8.DecodeRuneInString(s[i:])
				if !isWordRune(r) {
					break
				}
				i += n
			}
			end := i
			// Possessive or contraction: drop "'s", keep the stem part.
			poss := false
			if i < len(s) {
				if r, n := utf8.DecodeRuneInString(s[i:]); isApostrophe(r) {
					rest := s[i+n:]
					if len(rest) > 0 && (rest[0] == 's' || rest[0] == 'S') && (len(rest) == 1 || !isWordRune(firstRune(rest[1:]))) {
						i += n + 1
						poss = true
					}
				}
			}
			dst = append(dst, token{start: start, end: end, word: spelling(lower(s[start:end])), possessive: poss})
			if i >= len(s) {
				break
			}
			r, n := utf8.DecodeRuneInString(s[i:])
			if !isJoiner(r) || i+n >= len(s) || !isWordRune(firstRune(s[i+n:])) {
				break
			}
			i += n
		}
		if parts := dst[partsAt:]; len(parts) > 1 {
			var b strings.Builder
			for _, p := range parts {
				b.WriteString(p.word)
			}
			dst = append(dst, token{start: compStart, end: parts[len(parts)-1].end, word: b.String(), joined: true})
		}
	}
	return dst
}

// asciiWord is isWordRune for ASCII, most of any text, which tokenize
// reads without decoding.
var asciiWord = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = isWordRune(rune(c))
	}
	return t
}()

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// lower returns s in lower case without allocating when it already is.
func lower(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || ('A' <= c && c <= 'Z') {
			return strings.ToLower(s)
		}
	}
	return s
}

// stem reduces a lower-case word to its English stem ("governed",
// "governance" → "govern"): Porter2, as the Snowball project generates it
// for Go, which works on the string's bytes and is three times as fast as
// the rune-based port this replaced, with the same stems.
func stem(word string) string {
	if len(word) < 3 || !isASCIILetters(word) {
		return word
	}
	env := snowballstem.NewEnv(word)
	english.Stem(env)
	return env.Current()
}

func isASCIILetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// stopWords are function words and question scaffolding that carry no
// topic: they neither match nor count towards a question's coverage. Chat
// shorthand for them ("wat", "abt", "dont") is listed with them.
var stopWords = newLexicon(stopList...)

// stopList is stopWords in order, for misspelt stop words.
var stopList = strings.Fields(`a about above after again against all am an and any are aren as at be
because been before being below between both but by can cannot could did didn do does doesn doing don down during
each few for from further had has have having he her here hers herself him himself his how i if in into is isn it
its itself just let me more most my myself no nor not of off on once only or other ought our ours ourselves out over
own same she should so some such than that the their theirs them themselves then there these they this those through
to too under until up very was we were what when where which while who whom why will with would you your yours
yourself yourselves also may might must shall s t ll ve re d m us per via upon whether whose
tell say says said saying think thinks thought know explain describe mention mentions mentioned mean means meant
talk talks talked speak speaks spoke speech statement address remarks text document
please hi hello hey ok okay anything something everything thing things much many way ways
get gets got make makes made give gives gave given go goes going want wants
does doing done need needs needed
wat wht whats hows whos thats dont doesnt didnt isnt arent wont cant im ive id abt u ur r n w b4 pls plz thx tho q qq
anyone someone quick exactly actually really basically kind sort bit now just still yet ever already like
even though although apart besides except anything nothing else whatever whichever however therefore thus hence
others another unless each every either neither
argue argues argued arguing claim claims claimed suggest suggests suggested insist insists stress stresses
emphasise emphasize emphasises emphasizes reckon feel feels felt according
define defines defined defining definition
ask asks asked asking urge urges urged urging
list lists listed listing anywhere somewhere everywhere nowhere
summarize summarizes summarized summarizing summary summaries recap find cover covers covered
getting towards toward regarding concerning beyond across around within without among amongst
happen happens happened happening
try tries tried trying`)

// isStop reports whether a lower-case word is a stop word. Numbers are kept:
// "618 million" is a fair question.
func isStop(w string) bool { return stopWords.has(w) }

// lookupVec finds a word's vector by its folded spelling, or else by the
// British spelling it may have been folded from: "revising" is folded to
// "revizing" like "organising" to "organizing", but only "revising" is an
// English word the table knows.
func lookupVec(t *vectors.Table, w string) (vectors.Vec, int, bool) {
	v, rank, ok := t.Lookup(w)
	if !ok {
		if u := unfolded(w); u != w {
			v, rank, ok = t.Lookup(u)
		}
	}
	return v, rank, ok
}

// unfolded undoes spelling's fold of a word's ending, if it has one.
func unfolded(w string) string {
	if len(w) < 6 {
		return w
	}
	for _, suf := range []string{"ize", "ized", "izes", "izing", "ization", "izations", "izer", "izers", "yze", "yzed", "yzes", "yzing"} {
		if strings.HasSuffix(w, suf) && len(w) > len(suf)+2 {
			i := len(w) - len(suf) + 1 // the 'z'
			return w[:i] + "s" + w[i+1:]
		}
	}
	for _, suf := range []string{"or", "ors"} {
		if strings.HasSuffix(w, suf) {
			i := len(w) - len(suf)
			return w[:i] + "ou" + w[i+1:]
		}
	}
	return w
}

// spelling folds British spellings into American ones, on both sides of
// the index, so that "behaviour" meets "behaviors" and "weaponisation"
// meets "militarized"'s kin: -our → -or, and -is- → -iz- in the suffixes
// -ise, -ised, -ises, -ising, -isation(s), -yse(d).
func spelling(w string) string {
	if len(w) < 6 {
		return w
	}
	// Every fold changes a letter among the last eight, after an "s" or
	// a "u" there: most words have neither and are left at once.
	if tail := w[len(w)-min(len(w), 8):]; strings.IndexByte(tail, 's') < 0 && strings.IndexByte(tail, 'u') < 0 {
		return w
	}
	if strings.HasSuffix(w, "our") || strings.HasSuffix(w, "ours") {
		i := strings.LastIndex(w, "our")
		if c := w[i-1]; c != 'o' && c != 'y' && c != 'f' && c != 'h' {
			return w[:i] + "or" + w[i+3:]
		}
		return w
	}
	for _, suf := range []string{"ise", "ised", "ises", "ising", "isation", "isations", "iser", "isers", "yse", "ysed", "yses", "ysing"} {
		if strings.HasSuffix(w, suf) && len(w) > len(suf)+2 {
			i := len(w) - len(suf) + 1 // the 's'
			return w[:i] + "z" + w[i+1:]
		}
	}
	return w
}
