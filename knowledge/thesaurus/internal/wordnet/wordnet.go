// Package wordnet reads the WordNet 3.0 database files (format documented
// in wndb(5)) and implements the parts of WordNet's morphological processing
// (morphy(7WN)) that the thesaurus generator needs.
//
// It loads the whole database into memory: the generator runs offline, and
// random access by synset offset is much simpler than seeking in the files.
package wordnet

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// POS is a WordNet part of speech: 'n', 'v', 'a' or 'r'. Adjective
// satellites ('s') are folded into 'a' because they live in data.adj and
// share its offset space.
type POS byte

// Parts of speech, in the order the database files are read.
const (
	Noun POS = 'n'
	Verb POS = 'v'
	Adj  POS = 'a'
	Adv  POS = 'r'
)

// AllPOS lists the parts of speech in a fixed order so that callers iterate
// deterministically.
var AllPOS = []POS{Noun, Verb, Adj, Adv}

var fileNames = map[POS]string{Noun: "noun", Verb: "verb", Adj: "adj", Adv: "adv"}

// SynsetID identifies a synset: offsets are only unique within one data file.
type SynsetID struct {
	POS    POS
	Offset int64
}

// Pointer is one relation from a synset (or one of its words) to another.
type Pointer struct {
	Symbol string   // pointer_symbol, e.g. "@", "+", "!"
	Target SynsetID // target synset
	// Source and Target word numbers (1-based) for lexical pointers; both
	// are 0 for semantic pointers, which relate whole synsets.
	SourceWord, TargetWord int
}

// Lexical reports whether the pointer relates specific words rather than
// whole synsets.
func (p Pointer) Lexical() bool { return p.SourceWord != 0 || p.TargetWord != 0 }

// Synset is one line of a data.* file.
type Synset struct {
	ID       SynsetID
	Words    []string // lowercase lemmas; collocations keep their underscores
	Pointers []Pointer
	Gloss    string
}

// DB is an in-memory WordNet database.
type DB struct {
	synsets map[SynsetID]*Synset
	// senses maps POS, then lemma, to its synsets in sense order (index.*).
	senses map[POS]map[string][]SynsetID
	// exceptions maps POS, then inflected form, to base forms (*.exc).
	exceptions map[POS]map[string][]string
}

// Load reads data.*, index.* and *.exc from dir.
func Load(dir string) (*DB, error) {
	db := &DB{
		synsets:    make(map[SynsetID]*Synset),
		senses:     make(map[POS]map[string][]SynsetID),
		exceptions: make(map[POS]map[string][]string),
	}
	for _, pos := range AllPOS {
		name := fileNames[pos]
		if err := readFile(filepath.Join(dir, "data."+name), db.parseData(pos)); err != nil {
			return nil, err
		}
		db.senses[pos] = make(map[string][]SynsetID)
		if err := readFile(filepath.Join(dir, "index."+name), db.parseIndex(pos)); err != nil {
			return nil, err
		}
		db.exceptions[pos] = make(map[string][]string)
		if err := readFile(filepath.Join(dir, name+".exc"), db.parseException(pos)); err != nil {
			return nil, err
		}
	}
	return db, nil
}

// readFile calls parse for every line that is not part of the license
// header (header lines start with two spaces) and names the file and line
// in any error.
func readFile(path string, parse func(line string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("wordnet: %w", err)
	}
	defer f.Close()
	return scanLines(path, f, parse)
}

func scanLines(path string, r io.Reader, parse func(line string) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if strings.HasPrefix(line, "  ") || strings.TrimSpace(line) == "" {
			continue
		}
		if err := parse(line); err != nil {
			return fmt.Errorf("wordnet: %s:%d: %w", path, n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("wordnet: reading %s: %w", path, err)
	}
	return nil
}

// parseData parses: synset_offset lex_filenum ss_type w_cnt word lex_id
// [word lex_id...] p_cnt [ptr...] [frames...] | gloss
func (db *DB) parseData(pos POS) func(string) error {
	return func(line string) error {
		head, gloss, _ := strings.Cut(line, "|")
		f := strings.Fields(head)
		if len(f) < 4 {
			return fmt.Errorf("short data line")
		}
		off, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return fmt.Errorf("synset offset: %w", err)
		}
		wcnt, err := strconv.ParseInt(f[3], 16, 32)
		if err != nil {
			return fmt.Errorf("w_cnt: %w", err)
		}
		s := &Synset{ID: SynsetID{pos, off}, Gloss: strings.TrimSpace(gloss)}
		i := 4
		for range wcnt {
			if i+1 >= len(f) {
				return fmt.Errorf("truncated word list")
			}
			s.Words = append(s.Words, normalizeLemma(f[i]))
			i += 2 // skip lex_id
		}
		if i >= len(f) {
			return fmt.Errorf("missing p_cnt")
		}
		pcnt, err := strconv.Atoi(f[i])
		if err != nil {
			return fmt.Errorf("p_cnt: %w", err)
		}
		i++
		for range pcnt {
			if i+3 >= len(f) {
				return fmt.Errorf("truncated pointer list")
			}
			p, err := parsePointer(f[i : i+4])
			if err != nil {
				return err
			}
			s.Pointers = append(s.Pointers, p)
			i += 4
		}
		db.synsets[s.ID] = s
		return nil
	}
}

// parsePointer parses: pointer_symbol synset_offset pos source/target.
func parsePointer(f []string) (Pointer, error) {
	off, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return Pointer{}, fmt.Errorf("pointer offset: %w", err)
	}
	if len(f[2]) != 1 || len(f[3]) != 4 {
		return Pointer{}, fmt.Errorf("malformed pointer %q", strings.Join(f, " "))
	}
	src, err := strconv.ParseInt(f[3][:2], 16, 32)
	if err != nil {
		return Pointer{}, fmt.Errorf("pointer source: %w", err)
	}
	dst, err := strconv.ParseInt(f[3][2:], 16, 32)
	if err != nil {
		return Pointer{}, fmt.Errorf("pointer target: %w", err)
	}
	return Pointer{
		Symbol:     f[0],
		Target:     SynsetID{foldPOS(f[2][0]), off},
		SourceWord: int(src),
		TargetWord: int(dst),
	}, nil
}

// parseIndex parses: lemma pos synset_cnt p_cnt [ptr_symbol...] sense_cnt
// tagsense_cnt synset_offset [synset_offset...]. The offsets are in sense
// order, most frequent sense first.
func (db *DB) parseIndex(pos POS) func(string) error {
	return func(line string) error {
		f := strings.Fields(line)
		if len(f) < 6 {
			return fmt.Errorf("short index line")
		}
		cnt, err := strconv.Atoi(f[2])
		if err != nil {
			return fmt.Errorf("synset_cnt: %w", err)
		}
		if len(f) < cnt {
			return fmt.Errorf("index line lists fewer than %d synsets", cnt)
		}
		ids := make([]SynsetID, 0, cnt)
		for _, o := range f[len(f)-cnt:] {
			off, err := strconv.ParseInt(o, 10, 64)
			if err != nil {
				return fmt.Errorf("synset offset: %w", err)
			}
			ids = append(ids, SynsetID{pos, off})
		}
		db.senses[pos][f[0]] = ids
		return nil
	}
}

// parseException parses: inflected_form base_form [base_form...].
func (db *DB) parseException(pos POS) func(string) error {
	return func(line string) error {
		f := strings.Fields(line)
		if len(f) < 2 {
			return fmt.Errorf("exception line without base form")
		}
		db.exceptions[pos][f[0]] = append(db.exceptions[pos][f[0]], f[1:]...)
		return nil
	}
}

// normalizeLemma lowercases a data-file word and strips the adjective
// position marker ("(p)", "(a)", "(ip)") so it matches index.* spellings.
func normalizeLemma(w string) string {
	if i := strings.IndexByte(w, '('); i > 0 && strings.HasSuffix(w, ")") {
		w = w[:i]
	}
	return strings.ToLower(w)
}

func foldPOS(b byte) POS {
	if b == 's' {
		return Adj
	}
	return POS(b)
}

// Synset returns the synset with the given id, or nil.
func (db *DB) Synset(id SynsetID) *Synset { return db.synsets[id] }

// Senses returns the synsets of lemma in pos, most frequent sense first.
func (db *DB) Senses(lemma string, pos POS) []SynsetID { return db.senses[pos][lemma] }

// Lemmas returns every lemma of pos in index.* in sorted order.
func (db *DB) Lemmas(pos POS) []string {
	out := make([]string, 0, len(db.senses[pos]))
	for l := range db.senses[pos] {
		out = append(out, l)
	}
	slices.Sort(out)
	return out
}
