package knowledge

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/policybot/policybot/knowledge/vectors"
)

func BenchmarkIndexEmbedded(b *testing.B) {
	th, err := sharedTable()
	if err != nil {
		b.Fatal(err)
	}
	doc := Embedded()
	b.ReportAllocs()
	for b.Loop() {
		NewRetriever(doc, RetrieverOptions{Related: th, Vectors: vectors.Embedded()})
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
	for _, s := range Sentences(text) {
		out = append(out, text[s.Start:s.End])
	}
	return out
}

func BenchmarkQuery100Statements(b *testing.B) {
	th, err := sharedTable()
	if err != nil {
		b.Fatal(err)
	}
	doc := syntheticStatement(100)
	r := NewRetriever(doc, RetrieverOptions{Related: th, Vectors: vectors.Embedded()})
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
		NewRetriever(doc, RetrieverOptions{Related: th, Vectors: vectors.Embedded()})
	}
}

// BenchmarkOpen is start-up: parse the embedded statement, load the
// related-word table and the vectors (used in place), and index.
func BenchmarkOpen(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Open(""); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkChatQuestions times each question of chat.jsonl (the way people
// type in chat) on the embedded statement and reports the median and the
// 99th percentile of one question.
func BenchmarkChatQuestions(b *testing.B) {
	f, err := os.Open("../../shared/eval/chat.jsonl")
	if err != nil {
		b.Skipf("chat.jsonl lives beside the repository: %v", err)
	}
	cases, err := ReadEvalCases(f)
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	r := newTestRetriever(b)
	var took []time.Duration
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		start := time.Now()
		r.Ask(cases[i%len(cases)].Q, 3)
		took = append(took, time.Since(start))
		i++
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Nanoseconds())/1000, "p50-µs")
	b.ReportMetric(float64(took[len(took)*99/100].Nanoseconds())/1000, "p99-µs")
}

// BenchmarkHostileQuestions is the retriever on messages built to be
// slow: a thousand questions without a topic, one word a thousand times,
// a wall of quoted phrases, and a wall of unknown words (typo matching).
func BenchmarkHostileQuestions(b *testing.B) {
	r, err := Open("")
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ name, q string }{
		{"topicless", strings.Repeat("a? ", 1300)},
		{"repeated", strings.Repeat("soveriegnty ", 330)},
		{"quotes", strings.Repeat("\"x y\" ", 500)},
		{"unknown", strings.Repeat("quugbmlde lydkutnb ", 200)},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				r.Ask(c.q, 3)
			}
		})
	}
}
