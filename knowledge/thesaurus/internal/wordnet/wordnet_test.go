package wordnet

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const mini = "testdata/mini"

func loadMini(t *testing.T) *DB {
	t.Helper()
	db, err := Load(mini)
	if err != nil {
		t.Fatalf("Load(%s): %v", mini, err)
	}
	return db
}

func TestLoadParsesSynsets(t *testing.T) {
	db := loadMini(t)
	s := db.Synset(SynsetID{Adj, 22})
	if s == nil {
		t.Fatal("satellite synset 00000022 missing; satellites must be filed under 'a'")
	}
	if want := []string{"prosperous", "wealthy"}; !slices.Equal(s.Words, want) {
		t.Errorf("words = %q, want %q (position marker stripped)", s.Words, want)
	}
	if s.Gloss != "thriving" {
		t.Errorf("gloss = %q", s.Gloss)
	}
	rich := db.Synset(SynsetID{Adj, 20})
	want := []Pointer{
		{Symbol: "!", Target: SynsetID{Adj, 21}, SourceWord: 1, TargetWord: 1},
		{Symbol: "&", Target: SynsetID{Adj, 22}},
	}
	if !slices.Equal(rich.Pointers, want) {
		t.Errorf("pointers = %+v, want %+v", rich.Pointers, want)
	}
	if !rich.Pointers[0].Lexical() || rich.Pointers[1].Lexical() {
		t.Error("antonym pointer should be lexical, similar-to semantic")
	}
	// Verb lines carry frames after the pointers; they must not be read
	// as pointers.
	if got := len(db.Synset(SynsetID{Verb, 10}).Pointers); got != 1 {
		t.Errorf("eavesdrop has %d pointers, want 1", got)
	}
}

func TestSensesInIndexOrder(t *testing.T) {
	db := loadMini(t)
	got := db.Senses("work", Verb)
	if len(got) != 5 || got[0].Offset != 30 || got[4].Offset != 34 {
		t.Errorf("Senses(work) = %v, want offsets 30..34 in order", got)
	}
	if db.Senses("work", Noun) != nil {
		t.Error("work has no noun senses")
	}
}

func TestMorphy(t *testing.T) {
	db := loadMini(t)
	tests := []struct {
		word string
		want []Lemma
	}{
		{"eavesdropping", []Lemma{{"eavesdrop", Verb}}}, // exception list
		{"countries", []Lemma{{"country", Noun}}},       // ies -> y
		{"groups", []Lemma{{"group", Noun}}},
		{"listened", []Lemma{{"listen", Verb}}},
		{"richer", []Lemma{{"rich", Adj}}},
		{"works", []Lemma{{"work", Verb}}},
		{"nation", []Lemma{{"nation", Noun}}},
		{"children", nil}, // base form not in the index
		{"unknown", nil},
	}
	for _, tt := range tests {
		if got := db.Morphy(tt.word); !slices.Equal(got, tt.want) {
			t.Errorf("Morphy(%q) = %v, want %v", tt.word, got, tt.want)
		}
	}
}

func TestDetach(t *testing.T) {
	tests := []struct {
		word string
		want []string
	}{
		{"countries", []string{"countrie", "country", "countri"}},
		{"governed", []string{"governe", "govern"}},
		{"richest", []string{"rich", "riche"}},
		{"chairmen", []string{"chairman"}},
		{"cat", nil},
	}
	for _, tt := range tests {
		if got := Detach(tt.word); !slices.Equal(got, tt.want) {
			t.Errorf("Detach(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}

func TestHyponyms(t *testing.T) {
	db := loadMini(t)
	h := db.Hyponyms()
	// group -> country -> developing_country
	if got := h[SynsetID{Noun, 2}]; got != 2 {
		t.Errorf("hyponyms of group = %d, want 2", got)
	}
	if got := h[SynsetID{Noun, 3}]; got != 0 {
		t.Errorf("hyponyms of developing_country = %d, want 0", got)
	}
}

func TestExceptionForms(t *testing.T) {
	db := loadMini(t)
	want := []string{"children", "eavesdropped", "eavesdropping", "richer"}
	if got := db.ExceptionForms(); !slices.Equal(got, want) {
		t.Errorf("ExceptionForms() = %q, want %q", got, want)
	}
}

func TestLoadErrorsNameFileAndLine(t *testing.T) {
	tests := []struct {
		name, file, line, want string
	}{
		{"bad offset", "data.noun", "0000x001 03 n 01 a 0 000 | g", "data.noun:2"},
		{"bad word count", "data.noun", "00000001 03 n zz a 0 000 | g", "w_cnt"},
		{"truncated pointers", "data.noun", "00000001 03 n 01 a 0 002 @ 00000002 n 0000 | g", "truncated pointer list"},
		{"bad source/target", "data.noun", "00000001 03 n 01 a 0 001 @ 00000002 n 00 | g", "malformed pointer"},
		{"short index", "index.noun", "a n 1", "index.noun:2"},
		{"bad index offset", "index.noun", "a n 1 0 1 0 x", "synset offset"},
		{"exception without base", "noun.exc", "children", "noun.exc:2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyMini(t)
			path := filepath.Join(dir, tt.file)
			content := "  1 header\n" + tt.line + "\n"
			if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(dir)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load error = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	dir := copyMini(t)
	if err := os.Remove(filepath.Join(dir, "index.verb")); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "index.verb") {
		t.Fatalf("Load error = %v, want it to name index.verb", err)
	}
}

func copyMini(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	entries, err := os.ReadDir(mini)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(mini, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
