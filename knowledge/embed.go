package knowledge

import (
	_ "embed"
	"fmt"
	"os"
)

//go:embed statements/li-baodong-2014.txt
var embeddedStatement string

// Embedded parses the statement compiled into the binary. It returns a new
// Document on each call; callers keep the one they need.
func Embedded() *Document {
	doc, err := Parse(embeddedStatement)
	if err != nil {
		// The embedded file is fixed at build time and covered by tests.
		panic(fmt.Sprintf("knowledge: embedded statement does not parse: %v", err))
	}
	return doc
}

// EmbeddedSource is the embedded statement's text, byte for byte.
func EmbeddedSource() string { return embeddedStatement }

// Load parses a statement file, or the embedded statement when path is "".
func Load(path string) (*Document, error) {
	if path == "" {
		return Embedded(), nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read statement: %w", err)
	}
	if fi.Size() > MaxStatementBytes {
		return nil, fmt.Errorf("statement %s is %d bytes; the limit is %d", path, fi.Size(), MaxStatementBytes)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read statement: %w", err)
	}
	doc, err := Parse(string(b))
	if err != nil {
		return nil, fmt.Errorf("statement %s: %w", path, err)
	}
	return doc, nil
}
