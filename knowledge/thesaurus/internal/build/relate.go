package build

import (
	"regexp"
	"slices"

	"github.com/policybot/policybot/knowledge/thesaurus/internal/wordnet"
)

// Weights are in hundredths so that combining them is exact and the output
// does not depend on floating-point rounding.
const (
	weightSynonym   = 100 // another word of the same synset
	weightHypernym2 = 50  // hypernym of a hypernym
	weightGloss     = 30  // content word of the definition
	maxSenses       = 4   // senses per lemma and part of speech, most frequent first
	// collocationShare divides the weights a collocation ("third_world")
	// passes to the keys made of its words.
	collocationShare = 2
	// maxHyponyms: a hypernym with more hyponyms below it than this is too
	// general to say what the word is about ("group", "act", "person",
	// "change" cover thousands of synsets; "weapon" and "country" ~200).
	maxHyponyms = 500
	// maxGlossDF: a word in more glosses than this (of 117,659 synsets)
	// is part of WordNet's defining vocabulary ("state of being", "form of",
	// "people who") rather than a clue to the meaning.
	maxGlossDF = 500
)

// pointerWeights gives the weight of a target reached through one pointer.
// Closer meanings weigh more; antonyms still count because a question about
// "rich" countries is about the "poor" ones too.
var pointerWeights = map[string]int{
	"+":  90,                     // derivationally related form: govern -> governance
	"&":  80,                     // similar to (adjectives)
	"^":  80,                     // also see
	"\\": 80,                     // pertainym: adjective -> noun, adverb -> adjective
	"<":  80,                     // participle of verb
	"$":  80,                     // verb group: closely related verb senses
	"@":  70,                     // hypernym
	"@i": 70,                     // instance hypernym
	"~":  60,                     // hyponym
	"~i": 60,                     // instance hyponym
	"=":  60,                     // attribute: noun <-> adjective (wealth <-> rich)
	"*":  60,                     // entailment
	">":  60,                     // cause
	"#m": 50, "#s": 50, "#p": 50, // holonyms
	"%m": 50, "%s": 50, "%p": 50, // meronyms
	"!":  40, // antonym
	";c": 40, // topic domain the synset belongs to
}

func isHypernym(symbol string) bool { return symbol == "@" || symbol == "@i" }

// quoted matches the example sentences that follow a definition in a gloss;
// they illustrate usage and drag in unrelated words.
var quoted = regexp.MustCompile(`"[^"]*"`)

// relator finds the statement words related to a WordNet lemma.
type relator struct {
	db       *wordnet.DB
	vocab    *vocabulary
	hyponyms map[wordnet.SynsetID]int
	glossDF  map[string]int
	// tokens and glosses cache the statement words of gloss tokens and
	// of whole glosses; running morphy on every gloss token of every sense
	// would dominate the run time.
	tokens  map[string][]string
	glosses map[wordnet.SynsetID][]string
	// memo caches related() per lemma: keys share base forms.
	memo map[string]targets
}

func newRelator(db *wordnet.DB, vocab *vocabulary) *relator {
	r := &relator{
		db:       db,
		vocab:    vocab,
		hyponyms: db.Hyponyms(),
		tokens:   make(map[string][]string),
		glosses:  make(map[wordnet.SynsetID][]string),
		memo:     make(map[string]targets),
	}
	r.glossDF = r.countGlossWords()
	return r
}

// countGlossWords counts, for each statement word, the synsets whose gloss
// contains it.
func (r *relator) countGlossWords() map[string]int {
	df := make(map[string]int)
	seen := make(map[wordnet.SynsetID]bool)
	for _, pos := range wordnet.AllPOS {
		for _, lemma := range r.db.Lemmas(pos) {
			for _, id := range r.db.Senses(lemma, pos) {
				s := r.db.Synset(id)
				if seen[id] || s == nil {
					continue
				}
				seen[id] = true
				for _, w := range r.glossWords(s) {
					df[w]++
				}
			}
		}
	}
	return df
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
// senses in every part of speech. The result must not be modified.
func (r *relator) related(lemma string) targets {
	if t, ok := r.memo[lemma]; ok {
		return t
	}
	out := make(targets)
	// The lemma's own spelling may be a statement word in another form
	// ("militarize" -> "militarized") or an open compound ("cyberspace").
	r.addWords(out, "", nil, []string{lemma}, weightSynonym)
	for _, pos := range wordnet.AllPOS {
		senses := r.db.Senses(lemma, pos)
		for _, id := range senses[:min(len(senses), maxSenses)] {
			if s := r.db.Synset(id); s != nil {
				r.relateSynset(out, lemma, s)
			}
		}
	}
	r.memo[lemma] = out
	return out
}

// relateSynset adds what one sense of lemma contributes: its synonyms, its
// definition and the synsets its pointers reach.
func (r *relator) relateSynset(out targets, lemma string, s *wordnet.Synset) {
	self := wordIndex(s, lemma)
	r.addWords(out, lemma, s, s.Words, weightSynonym)
	for _, w := range r.glossWords(s) {
		if r.glossDF[w] <= maxGlossDF {
			out.add(w, weightGloss)
		}
	}
	for _, p := range s.Pointers {
		w, ok := pointerWeights[p.Symbol]
		// A lexical pointer belongs to one word of the synset, e.g. the
		// antonym of "rich" is not the antonym of its synonyms.
		if !ok || (p.Lexical() && p.SourceWord != self) {
			continue
		}
		t := r.db.Synset(p.Target)
		if t == nil || (isHypernym(p.Symbol) && r.tooGeneral(t)) {
			continue
		}
		r.addWords(out, lemma, t, pointed(t, p), w)
		if isHypernym(p.Symbol) {
			r.addHypernyms(out, lemma, t)
		}
	}
}

func (r *relator) tooGeneral(s *wordnet.Synset) bool { return r.hyponyms[s.ID] > maxHyponyms }

// addHypernyms adds the second level of hypernyms, which still says what
// kind of thing the lemma is ("france" -> "european country" -> "country"),
// at a lower weight.
func (r *relator) addHypernyms(out targets, lemma string, s *wordnet.Synset) {
	for _, p := range s.Pointers {
		if !isHypernym(p.Symbol) {
			continue
		}
		if t := r.db.Synset(p.Target); t != nil && !r.tooGeneral(t) {
			r.addWords(out, lemma, t, t.Words, weightHypernym2)
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

// addWords adds the statement words of each WordNet word of synset s other
// than lemma. The words of a collocation share its weight: "developing
// country" as a whole is a synonym of "third world", neither word alone is.
// A word is skipped when s is not among its first senses: "work" is in the
// synset of "ferment", but nobody means that by "work". A nil s stands for
// the lemma's own spelling.
func (r *relator) addWords(out targets, lemma string, s *wordnet.Synset, words []string, w int) {
	for _, word := range words {
		if word == lemma {
			continue
		}
		ws := r.vocab.words(word)
		if len(ws) == 0 || (s != nil && !r.commonSense(word, s.ID)) {
			continue
		}
		// A collocation's weight is shared by all its words, function
		// words too: "put on the line" (risk) is no synonym of "line",
		// nor "all right" (fine) of "right".
		n := max(len(ws), len(Words(word)))
		for _, s := range ws {
			out.add(s, w/n)
		}
	}
}

// commonSense reports whether synset id is among the first senses of word.
func (r *relator) commonSense(word string, id wordnet.SynsetID) bool {
	senses := r.db.Senses(word, id.POS)
	return slices.Contains(senses[:min(len(senses), maxSenses)], id)
}

// glossWords returns the statement words in the definition of s, without
// repeats, matching inflected gloss words ("countries") through their
// lemmas.
func (r *relator) glossWords(s *wordnet.Synset) []string {
	if ws, ok := r.glosses[s.ID]; ok {
		return ws
	}
	var ws []string
	for _, tok := range contentWords(quoted.ReplaceAllString(s.Gloss, " ")) {
		for _, w := range r.tokenWords(tok) {
			if !slices.Contains(ws, w) {
				ws = append(ws, w)
			}
		}
	}
	r.glosses[s.ID] = ws
	return ws
}

func (r *relator) tokenWords(tok string) []string {
	if ws, ok := r.tokens[tok]; ok {
		return ws
	}
	var ws []string
	if s, ok := r.vocab.surface[tok]; ok {
		ws = []string{s}
	} else {
		for _, l := range r.db.Morphy(tok) {
			if s, ok := r.vocab.surface[l.Word]; ok {
				ws = append(ws, s)
			}
		}
	}
	r.tokens[tok] = ws
	return ws
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
