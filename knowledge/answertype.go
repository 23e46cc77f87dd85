package knowledge

import (
	"strconv"
	"strings"

	"unicode"
	"unicode/utf8"

	"github.com/policybot/policybot/knowledge/vectors"
)

// Some questions ask for a kind of fact: "when" for a time, "how many"
// for a number, "which country" for a name. A passage can share every
// topic word with such a question and still not answer it ("When does the
// law take effect?" against a sentence about laws with no date in it), so
// the sentence quoted must hold a fact of the kind asked; when none of the
// strong passages does, the statement does not address the question.

// factKind is the kind of fact a question asks for.
type factKind int

const (
	anyFact factKind = iota
	timeFact
	numberFact
	nameFact
	// placeFact is a name asked for by "which country": a name that
	// is no country's ("Millennium") does not answer it.
	placeFact
	// amountFact is what "how much" asks for: a sum or a share, a
	// number with its currency or "percent". A count ("618 million
	// users") answers "how many", not "how much … spend".
	amountFact
	// durationFact is what "how long" asks for: a number of minutes,
	// hours, days, months or years.
	durationFact
	// shareFact is what "what share" or "what percentage" asks for: a
	// percentage or a fraction, not a count.
	shareFact
	// futureFact is what "when will" asks for: a time after the
	// statement was given. "In 2011" answers "when was it submitted",
	// not "when will it be adopted".
	futureFact
	// bodyFact is a name asked for by "which body" or "which
	// organisation": a name, or a body the statement writes in lower
	// case ("the central leading group").
	bodyFact
)

var (
	// nameHeads are the nouns of "which X" questions asking for a name.
	placeHeads = wordSet(`country countries state states nation nations`)
	nameHeads  = wordSet(`country countries state states nation nations government governments company companies firm firms organisation organisations organization organizations body bodies department departments agency agencies person people official officials ngo ngos institution institutions group groups`)
	// numberHeads follow "what" or "which" in questions asking for a figure.
	// bodyHeads ask for a body; bodyNouns name one in a sentence.
	bodyHeads = wordSet(`organisation organisations organization organizations body bodies agency agencies institution institutions`)
	bodyNouns = wordSet(`group groups center centre centres centers department departments ministry ministries committee committees agency agencies
council councils commission commissions office offices organisation organisations organization organizations body bodies institution institutions forum assembly`)
	numberHeads = wordSet(`number figure figures amount total`)
	// shareHeads follow "what" or "which" in questions asking for a share.
	shareHeads = wordSet(`share percentage percent proportion fraction`)
	// shareWords state a share ("third" opens the third principle).
	shareWords  = wordSet(`percent half majority minority`)
	timeWords   = wordSet(`january february march april may june july august september october november december monday tuesday wednesday thursday friday saturday sunday century decade year years month months week today yesterday tomorrow ago`)
	numberWords = wordSet(`one two three four five six seven eight nine ten eleven twelve twenty hundred thousand million millions billion billions percent dozen half`)
	// durationUnits make a number a length of time.
	durationUnits = wordSet(`second seconds minute minutes hour hours day days week weeks month months year years decade decades`)
	// amountUnits make a number a sum or a share.
	amountUnits = wordSet(`dollar dollars usd yuan rmb renminbi euro euros eur pound pounds gbp yen percent pct`)
)

// askedFact reads the kind of fact a question asks for from its opening
// words. A figure of money ("a figure for China's spending", "what total
// budget") is an amount; "how many" still counts.
func askedFact(toks []weightedToken) factKind {
	k := askedKind(toks)
	if k != numberFact {
		return k
	}
	for i, t := range toks {
		if t.word == "how" && i+1 < len(toks) && toks[i+1].word == "many" {
			return k
		}
	}
	for _, t := range toks {
		if t.weight == 1 && moneyNouns.has(t.word) {
			return amountFact
		}
	}
	return k
}

// moneyNouns make a figure asked for a sum of money.
var moneyNouns = wordSet(`spending spend budget budgets cost costs funding funds investment investments money price prices expenditure revenue`)

func askedKind(toks []weightedToken) factKind {
	words := make([]string, 0, len(toks))
	for _, t := range toks {
		// "Does the speech give a date": the speech is the subject, as
		// "he" is, and no topic.
		if t.weight == 1 && !t.joined && !speechNouns.has(t.word) {
			words = append(words, t.word)
		}
	}
	for i, w := range words {
		next := ""
		if i+1 < len(words) {
			next = words[i+1]
		}
		// "Does he say how many …", "can you tell me when …": the
		// question is embedded after a verb of saying or knowing.
		embedded := i > 0 && embedVerbs.has(words[i-1])
		switch {
		case w == "when" && (i <= 1 || embedded):
			if futureAux.has(next) {
				return futureFact
			}
			return timeFact
		case w == "how" && next == "many":
			return numberFact
		case w == "how" && next == "much":
			return amountFact
		case w == "how" && next == "long":
			return durationFact
		case (w == "what" || w == "which") && shareHeads.has(next):
			return shareFact
		case (w == "what" || w == "which") && numberHeads.has(next):
			return numberFact
		case (w == "what" || w == "which") && (timeHeads.has(next) || calendarHeads.has(next)):
			// "What year was it founded?" asks when.
			return timeFact
		case (namingVerbs.has(w) || citingVerbs.has(w)) && i <= 2:
			// "Does he name the country …", "does he identify the
			// individual country …": as "which country". "Does he
			// mention a date" asks for one; "does he mention
			// developing countries" asks whether they come up.
			if k, ok := namedHead(words[i+1:]); ok && (namingVerbs.has(w) || k == timeFact || k == numberFact) {
				return k
			}
		case w == "which" && (nameHeads.has(next) || i+2 < len(words) && nameHeads.has(words[i+2]) && !isStop(next)):
			// "which countries", and with one modifier, "which
			// developing countries".
			head := next
			if !nameHeads.has(head) {
				head = words[i+2]
			}
			switch {
			case placeHeads.has(head):
				return placeFact
			case bodyHeads.has(head):
				return bodyFact
			}
			return nameFact
		}
		if i >= 2 && !isStop(w) && !embedVerbs.has(w) && !checkVerbs.has(w) {
			// Past the opening words and what only frames the question.
			break
		}
	}
	return anyFact
}

// futureAux after "when" ask about the future.
var futureAux = wordSet(`will shall`)

// futureWords date something after the statement.
var futureWords = wordSet(`next future coming upcoming soon later`)

// speechNouns name the statement as a question's subject.
var speechNouns = wordSet(`speech statement address remarks text`)

// namingVerbs ask for a fact when the fact's head follows them: "does he
// name the country", "does he specify a date"; citingVerbs only for a date
// or a figure ("does he give a date", "does he cite any figures").
var (
	namingVerbs = wordSet(`name names named identify identifies identified specify specifies specified`)
	citingVerbs = wordSet(`mention mentions mentioned give gives cite cites set sets propose proposes offer offers provide provides put puts`)
)

// timeHeads and countHeads name a date and a figure.
var (
	timeHeads = wordSet(`date dates day deadline timeline timetable`)
	// calendarHeads after "what" or "which" ask for a time as well.
	calendarHeads = wordSet(`year month week time`)
	countHeads    = wordSet(`number numbers figure figures statistic statistics`)
)

// namedHead reads "the country", "any figures" or "the individual
// country" at the start of words: the kind of fact asked for.
func namedHead(words []string) (factKind, bool) {
	for i, w := range words {
		switch {
		case i > 3:
			return anyFact, false
		case timeHeads.has(w):
			return timeFact, true
		case countHeads.has(w):
			return numberFact, true
		case placeHeads.has(w):
			return placeFact, true
		case bodyHeads.has(w):
			return bodyFact, true
		case nameHeads.has(w):
			return nameFact, true
		case w == "the" || w == "a" || w == "an" || w == "any" || w == "which" || !isStop(w) && i < 3:
			// A determiner, or up to two modifiers ("the WSIS
			// summit's dates").
		default:
			return anyFact, false
		}
	}
	return anyFact, false
}

// checkVerbs frame an embedded question without being its topic: "could
// you check if the speech says how much …".
var checkVerbs = wordSet(`check confirm verify see wonder wondering`)

// embedVerbs introduce an embedded question: "does he say how many",
// "can you tell me when", "does it mention which countries".
var embedVerbs = wordSet(`say says said mention mentions mentioned tell me explain explains specify specifies state states indicate indicates know`)

// holdsFact reports whether text, read as toks, holds a fact of the kind
// asked that the question does not already give.
func (ix *index) holdsFact(kind factKind, text string, toks []token, question map[string]bool) bool {
	if kind == anyFact {
		return true
	}
	for i, t := range toks {
		if t.joined {
			continue
		}
		w := text[t.start:t.end]
		r, _ := utf8.DecodeRuneInString(w)
		switch kind {
		case timeFact:
			if timeWords.has(t.word) || (unicode.IsDigit(r) && len(w) == 4) {
				return true
			}
		case numberFact:
			// A year dates something; it counts nothing ("in 2011"
			// answers no "how many"), and nor do the parts of a date
			// or a time ("2014-06-05 17:00").
			if unicode.IsDigit(r) && !isYear(w) && !dateOrTime(text, t) || numberWords.has(t.word) {
				return true
			}
		case futureFact:
			if futureWords.has(t.word) || unicode.IsDigit(r) && len(w) == 4 && ix.year > 0 && laterYear(w, ix.year) {
				return true
			}
		case shareFact:
			if unicode.IsDigit(r) && strings.HasPrefix(text[t.end:], "%") || shareWords.has(t.word) && !question[t.word] {
				return true
			}
		case amountFact:
			// The symbols are not words: they stand just before or
			// after the number ("$5", "40%", "€3").
			near := text[max(0, t.start-len("€")):min(len(text), t.end+1)]
			if unicode.IsDigit(r) && strings.ContainsAny(near, "$€£¥%") || amountUnits.has(t.word) && i > 0 && isNumber(text, toks[i-1]) {
				return true
			}
		case durationFact:
			if durationUnits.has(t.word) && i > 0 && isNumber(text, toks[i-1]) {
				return true
			}
		case bodyFact:
			if bodyNouns.has(t.word) && !question[t.word] {
				return true
			}
			fallthrough
		case nameFact, placeFact:
			// A capitalised word not opening the sentence, and not one
			// the question already names.
			if i > 0 && unicode.IsUpper(r) && !question[t.word] && !ix.lowercase[t.word] && !isStop(t.word) && !strings.EqualFold(w, "I") &&
				(kind != placeFact || !continuesName(text, toks, i) && ix.couldBePlace(w)) {
				return true
			}
		}
	}
	return false
}

// placeNear is the least cosine between a name and "country" for the name
// to answer "which country": countries and regions score 0.45–0.75 in the
// table, institutions and programmes ("Millennium", "MFA") under 0.35.
const placeNear = 0.45

// couldBePlace reports whether a name, as written, may be a country's. A
// word the vector table lacks may be a small place, unless it is an
// acronym ("WSIS"): the acronyms of countries are common words.
func (ix *index) couldBePlace(written string) bool {
	if ix.vecs == nil {
		return true
	}
	v, _, ok := ix.vecs.Lookup(strings.ToLower(written))
	if !ok {
		return !allCaps(written)
	}
	return vectors.Cosine(v, ix.country) >= placeNear
}

// continuesName reports whether the token after toks[i] is a capitalised
// word of the same name: English names put their head last, so "the UN
// General Assembly" is an assembly, whatever "General" is near.
func continuesName(text string, toks []token, i int) bool {
	for _, u := range toks[i+1:] {
		if u.joined {
			continue
		}
		between := text[toks[i].end:u.start]
		r, _ := utf8.DecodeRuneInString(text[u.start:u.end])
		return strings.TrimSpace(between) == "" && unicode.IsUpper(r)
	}
	return false
}

// isNumber reports whether a token is a number, in digits or in words.
func isNumber(text string, t token) bool {
	r, _ := utf8.DecodeRuneInString(text[t.start:t.end])
	return unicode.IsDigit(r) || numberWords.has(t.word)
}

// isYear reports a four-digit number from 1000 to 2999 ("2011", "2014").
func isYear(w string) bool {
	if len(w) != 4 || (w[0] != '1' && w[0] != '2') {
		return false
	}
	for i := 0; i < 4; i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return true
}

// dateOrTime reports whether digits t stand in a date or a time: joined to
// other digits by "-", "/" or ":".
func dateOrTime(text string, t token) bool {
	joined := func(i int) bool { return i >= 0 && i < len(text) && strings.IndexByte("-/:", text[i]) >= 0 }
	digit := func(i int) bool { return i >= 0 && i < len(text) && text[i] >= '0' && text[i] <= '9' }
	return joined(t.start-1) && digit(t.start-2) || joined(t.end) && digit(t.end+1)
}

// laterYear reports whether w, four digits, is a year after year.
func laterYear(w string, year int) bool {
	n, err := strconv.Atoi(w)
	return err == nil && n > year
}
