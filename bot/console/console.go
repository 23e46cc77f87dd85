// Package console is the terminal chat adapter: one message per line on
// standard input, one reply per message on standard output. It is the
// zero-setup way to try policybot.
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/policybot/policybot/bot"
)

// Options configures a console session.
type Options struct {
	// Interactive shows a greeting and a prompt and highlights matched
	// words with ANSI colour; set it when stdout is a terminal.
	Interactive bool
	// Greeting is printed first in interactive mode.
	Greeting string
}

// maxLine bounds the bytes kept of one input line. A longer line is passed
// on cut to maxLine, which the core refuses as too long (it reads at most
// bot.MaxMessageBytes); the rest of it is read and dropped, never buffered
// whole, and the next line is answered as usual.
const maxLine = 64 << 10

const (
	ansiBold  = "\x1b[1;33m"
	ansiReset = "\x1b[0m"
	prompt    = "you> "
)

// Run reads messages until end of input or ctx is done. It returns nil at
// end of input.
func Run(ctx context.Context, in io.Reader, out io.Writer, r bot.Responder, opts Options) error {
	w := bufio.NewWriter(out)
	defer w.Flush()
	if opts.Interactive && opts.Greeting != "" {
		fmt.Fprintln(w, opts.Greeting)
	}
	br := bufio.NewReaderSize(in, maxLine)
	lines := make(chan string)
	errc := make(chan error, 1)
	go func() {
		defer close(lines)
		for {
			line, err := readLine(br)
			if err != nil {
				if err == io.EOF {
					err = nil
				}
				errc <- err
				return
			}
			select {
			case lines <- line:
			case <-ctx.Done():
				return
			}
		}
	}()
	n := 0
	for {
		if opts.Interactive {
			fmt.Fprint(w, prompt)
		}
		if err := w.Flush(); err != nil {
			return fmt.Errorf("write reply: %w", err)
		}
		var line string
		var ok bool
		select {
		case <-ctx.Done():
			return nil
		case line, ok = <-lines:
		}
		if !ok {
			if err := <-errc; err != nil {
				return fmt.Errorf("read input: %w", err)
			}
			if opts.Interactive {
				fmt.Fprintln(w)
			}
			return nil
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		n++
		reply, ok := r.Respond(ctx, bot.Message{
			Platform:     "console",
			ID:           fmt.Sprint(n),
			Text:         line,
			Prefix:       "/",
			Sender:       bot.User{ID: "console", Name: "you"},
			Conversation: bot.Conversation{ID: "console", Direct: true},
		})
		if !ok {
			continue
		}
		fmt.Fprintln(w, Render(reply, opts.Interactive))
		fmt.Fprintln(w)
	}
}

// readLine returns the next line without its line ending ("\n" or
// "\r\n"), cut to maxLine bytes, or io.EOF when the input is used up.
func readLine(br *bufio.Reader) (string, error) {
	var kept []byte
	for {
		chunk, err := br.ReadSlice('\n')
		kept = append(kept, chunk[:min(len(chunk), maxLine-len(kept))]...)
		switch {
		case err == bufio.ErrBufferFull:
			continue // the rest of a long line: read on, keep nothing more
		case err == io.EOF && len(kept) == 0:
			return "", io.EOF
		case err != nil && err != io.EOF:
			return "", err
		}
		line := strings.TrimSuffix(string(kept), "\n")
		return strings.TrimSuffix(line, "\r"), nil
	}
}

// Render formats a reply for a terminal (ANSI highlights) or a pipe
// (matched words between asterisks).
func Render(r bot.Reply, ansi bool) string {
	if ansi {
		return r.PlainText(ansiBold, ansiReset)
	}
	return r.PlainText("*", "*")
}
