package knowledge

import (
	"fmt"

	"github.com/policybot/policybot/knowledge/thesaurus"
	"github.com/policybot/policybot/knowledge/vectors"
)

// Open loads a statement (the embedded one when path is "") and builds a
// retriever over it with the embedded related-word and word-vector tables.
func Open(path string) (*Retriever, error) {
	doc, err := Load(path)
	if err != nil {
		return nil, err
	}
	th, err := thesaurus.Load()
	if err != nil {
		return nil, fmt.Errorf("load related-word table: %w", err)
	}
	return NewRetriever(doc, RetrieverOptions{Related: th, Vectors: vectors.Embedded()}), nil
}
