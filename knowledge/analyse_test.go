package knowledge

// analyse resolves a part's words with storage of its own, for tests that
// look at the words.
func (r *Retriever) analyse(toks []weightedToken) []queryWord {
	return r.analyseIn(new(scratch), toks, nil)
}
