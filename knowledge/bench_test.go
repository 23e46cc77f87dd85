package knowledge

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

func BenchmarkIndexEmbedded(b *testing.B) {
	th, err := sharedTable()
	if err != nil {
		b.Fatal(err)
	}
	doc := Embedded()
	b.ReportAllocs()
	for b.Loop() {
		NewRetriever(doc, RetrieverOptions{Related: th})
	}
}

func BenchmarkParseEmbedded(b *testing.B) {
	src := EmbeddedSource()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(src); err != nil {
			b.Fatal(err)
		}
	}
}

var benchQuestions = []string{
	"How should the internet be governed?",
	"What does sovereignty in cyber space include?",
	"soveriegnty",
	"bridge the gap between rich and poor countries online",
	"What's the stock price of Apple?",
}

func BenchmarkQueryEmbedded(b *testing.B) {
	r := newTestRetriever(b)
	for _, q := range benchQuestions {
		b.Run(strings.Fields(q)[0], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r.Ask(q, 3)
			}
		})
	}
}

// syntheticStatement builds a statement of n statements' worth of
// paragraphs (about 20 each) by recombining the embedded statement's
// sentences with a fixed seed, so that vocabulary and lengths are
// realistic.
func syntheticStatement(n int) *Document {
	src := Embedded()
	var sentences []string
	for _, p := range src.Paragraphs {
		sentences = append(sentences, splitSentencesForBench(p.Text)...)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	b.WriteString("Address by Minister Synthetic Speaker at the Benchmark Forum\n\n2020-01-01\n\n")
	for s := 0; s < n; s++ {
		fmt.Fprintf(&b, "Dear Colleagues,\n\n")
		for p := 0; p < 20; p++ {
			k := 2 + rng.IntN(5)
			for i := 0; i < k; i++ {
				if i > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(sentences[rng.IntN(len(sentences))])
			}
			fmt.Fprintf(&b, " Statement %d paragraph %d.\n\n", s, p)
		}
	}
	doc, err := Parse(b.String())
	if err != nil {
		panic(err)
	}
	return doc
}

func splitSentencesForBench(text string) []string {
	var out []string
	for _, s := range strings.SplitAfter(text, ". ") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func BenchmarkQuery100Statements(b *testing.B) {
	th, err := sharedTable()
	if err != nil {
		b.Fatal(err)
	}
	doc := syntheticStatement(100)
	r := NewRetriever(doc, RetrieverOptions{Related: th})
	b.ReportMetric(float64(len(doc.Paragraphs)), "paragraphs")
	for _, q := range benchQuestions {
		b.Run(strings.Fields(q)[0], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r.Ask(q, 3)
			}
		})
	}
}

func BenchmarkIndex100Statements(b *testing.B) {
	th, err := sharedTable()
	if err != nil {
		b.Fatal(err)
	}
	doc := syntheticStatement(100)
	b.ReportAllocs()
	for b.Loop() {
		NewRetriever(doc, RetrieverOptions{Related: th})
	}
}
