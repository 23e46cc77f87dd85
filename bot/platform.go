package bot

// Platform is what a chat adapter declares about itself, once, so that the
// core can speak its conventions without naming it.
type Platform struct {
	// Name keys subscriptions, metrics and logs ("slack", "matrix").
	Name string
	// Prefix starts commands ("/" on Slack, "!" on Matrix).
	Prefix string
	// Direct lists the commands that stand alone as Prefix+name; nil
	// means every command does (see Message.Direct).
	Direct []string
}

// Message returns a message skeleton carrying the platform's conventions,
// for replies the core writes unasked (digests) and for adapters to fill
// in.
func (p Platform) Message(conversation string) Message {
	return Message{Platform: p.Name, Prefix: p.Prefix, Direct: p.Direct, Conversation: Conversation{ID: conversation}}
}
