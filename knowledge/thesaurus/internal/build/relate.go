package build

import (
	"regexp"

	"github.com/policybot/policybot/knowledge/thesaurus/internal/wordnet"
)

// Weights are in hundredths so that combining them is exact and the output
// does not depend on floating-point rounding.
const (
	weightSynonym    = 100 // another word of the same synset
	weightGloss      = 30  // content word of the definition
	weightHypernym2  = 50  // hypernym of a hypernym
	maxSenses        = 4   // senses per lemma and part of speech, most frequent first
	collocationShare = 2   // a collocation's relations reach its words divided by this
)

// pointerWeights gives the weight of a target reached through one pointer.
// Closer meanings weigh more; antonyms still count because a question about
// "rich" countries is about the "poor" ones too.
var pointerWeights = map[string]int{
	"+":  90, // derivationally related form: govern -> governance
	"&":  80, // similar to (adjectives)
	"^":  80, // also see
	"\\": 80, // pertainym: adjective -> noun, adverb -> adjective
	"<":  80, // participle of verb
	"$":  80, // verb group: closely related verb senses
	"@":  70, // hypernym
	"@i": 70, // instance hypernym
	"~":  60, // hyponym
	"~i": 60, // instance hyponym
	"=":  60, // attribute: noun <-> adjective (wealth <-> rich)
	"*":  60, // entailment
	">":  60, // cause
	"#m": 50, "#s": 50, "#p": 50, // holonyms
	"%m": 50, "%s": 50, "%p": 50, // meronyms
	"!":  40, // antonym
	";c": 40, // topic domain the synset belongs to
}

// quoted matches the example sentences that follow a definition in a gloss;
// they illustrate usage and drag in unrelated words.
var quoted = regexp.MustCompile(`"[^"]*"`)

// relator finds the statement words related to a WordNet lemma.
type relator struct {
	db    *wordnet.DB
	vocab *vocabulary
}

// targets maps statement words to weights.
type targets map[string]int

// add keeps the strongest path to each word.
func (t targets) add(word string, w int) {
	if w > t[word] {
		t[word] = w
	}
}

// related returns the statement words related to lemma through its first
// senses in every part of speech.
func (r *relator) related(lemma string) targets {
	out := make(targets)
	for _, pos := range wordnet.AllPOS {
		senses := r.db.Senses(lemma, pos)
		for _, id := range senses[:min(len(senses), maxSenses)] {
			if s := r.db.Synset(id); s != nil {
				r.relateSynset(out, lemma, s)
			}
		}
	}
	return out
}

// relateSynset adds what one sense of lemma contributes: its synonyms, its
// definition and the synsets its pointers reach.
func (r *relator) relateSynset(out targets, lemma string, s *wordnet.Synset) {
	self := wordIndex(s, lemma)
	r.addWords(out, lemma, s.Words, weightSynonym)
	r.addGloss(out, s.Gloss)
	for _, p := range s.Pointers {
		w, ok := pointerWeights[p.Symbol]
		// A lexical pointer belongs to one word of the synset, e.g. the
		// antonym of "rich" is not the antonym of its synonyms.
		if !ok || (p.Lexical() && p.SourceWord != self) {
			continue
		}
		t := r.db.Synset(p.Target)
		if t == nil {
			continue
		}
		r.addWords(out, lemma, pointed(t, p), w)
		if p.Symbol == "@" || p.Symbol == "@i" {
			r.addHypernyms(out, lemma, t)
		}
	}
}

// addHypernyms adds the second level of hypernyms, which still names what
// kind of thing the lemma is ("surveillance" -> "observation" -> ...).
func (r *relator) addHypernyms(out targets, lemma string, s *wordnet.Synset) {
	for _, p := range s.Pointers {
		if p.Symbol != "@" && p.Symbol != "@i" {
			continue
		}
		if t := r.db.Synset(p.Target); t != nil {
			r.addWords(out, lemma, t.Words, weightHypernym2)
		}
	}
}

// pointed returns the words a pointer reaches: one word for a lexical
// pointer, the whole synset for a semantic one.
func pointed(t *wordnet.Synset, p wordnet.Pointer) []string {
	if p.Lexical() && p.TargetWord >= 1 && p.TargetWord <= len(t.Words) {
		return t.Words[p.TargetWord-1 : p.TargetWord]
	}
	return t.Words
}

func (r *relator) addWords(out targets, lemma string, words []string, w int) {
	for _, word := range words {
		if word == lemma {
			continue
		}
		for _, s := range r.vocab.words(word) {
			out.add(s, w)
		}
	}
}

// addGloss adds the statement words of a definition, matching inflected
// gloss words ("countries") through their lemmas.
func (r *relator) addGloss(out targets, gloss string) {
	for _, tok := range contentWords(quoted.ReplaceAllString(gloss, " ")) {
		if s, ok := r.vocab.surface[tok]; ok {
			out.add(s, weightGloss)
			continue
		}
		for _, l := range r.db.Morphy(tok) {
			if s, ok := r.vocab.surface[l.Word]; ok {
				out.add(s, weightGloss)
			}
		}
	}
}

// wordIndex returns the 1-based position of lemma in the synset, as used by
// lexical pointers, or 0.
func wordIndex(s *wordnet.Synset, lemma string) int {
	for i, w := range s.Words {
		if w == lemma {
			return i + 1
		}
	}
	return 0
}
