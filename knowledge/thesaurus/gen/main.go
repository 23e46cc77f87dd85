// Command gen regenerates knowledge/thesaurus/related.tsv from WordNet 3.0
// and the policy statements. Run it from the module root:
//
//	go run ./knowledge/thesaurus/gen
//
// See package thesaurus for the method.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"

	"github.com/policybot/policybot/knowledge/thesaurus/internal/build"
)

func main() {
	wordnetDir := flag.String("wordnet", "/usr/share/wordnet", "directory holding the WordNet 3.0 database files (data.*, index.*, *.exc)")
	statements := flag.String("statements", "knowledge/statements/*.txt", "glob of the policy statements whose words are the targets")
	out := flag.String("out", "knowledge/thesaurus/related.tsv", "table to write")
	flag.Parse()
	if err := run(*wordnetDir, *statements, *out); err != nil {
		log.Fatal(err)
	}
}

// run builds the table in memory first so that a failure never leaves a
// truncated table behind.
func run(wordnetDir, statements, out string) error {
	var buf bytes.Buffer
	if err := build.Generate(wordnetDir, statements, &buf); err != nil {
		return err
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	fmt.Fprintf(os.Stderr, "wrote %s (%d bytes)\n", out, buf.Len())
	return nil
}
