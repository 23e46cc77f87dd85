package inbox

// QueueLen is how many messages wait for the next transaction, for tests.
func QueueLen(in *Inbox) int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return len(in.queue)
}
