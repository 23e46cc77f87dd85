// Package genfile writes the tables the generators under knowledge/ make.
package genfile

import (
	"bytes"
	"fmt"
	"io"
	"os"
)

// Write builds a table in memory first, so that a failure never leaves a
// truncated table behind, then writes it to path and says so on stderr.
func Write(path string, build func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := build(&buf); err != nil {
		return err
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	fmt.Fprintf(os.Stderr, "wrote %s (%d bytes)\n", path, buf.Len())
	return nil
}
