// Command gen regenerates knowledge/thesaurus/related.tsv from WordNet 3.0
// and the policy statements. Run it from the module root:
//
//	go run ./knowledge/thesaurus/gen
//
// See package thesaurus for the method.
package main

import (
	"flag"
	"io"
	"log"

	"github.com/policybot/policybot/knowledge/internal/genfile"
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

func run(wordnetDir, statements, out string) error {
	return genfile.Write(out, func(w io.Writer) error { return build.Generate(wordnetDir, statements, w) })
}
