// Command policybot answers questions about a policy statement in Slack,
// Matrix or a local console chat. See README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	_ "time/tzdata" // digest time zones must resolve in a scratch container
)

// version is set at build time with -ldflags "-X main.version=…".
var version = ""

// command is one subcommand; usage and help come from this one value.
type command struct {
	name    string
	args    string // argument synopsis for usage
	summary string
	run     func(ctx context.Context, env *cmdEnv, args []string) error
}

// cmdEnv is what a subcommand may touch, so that tests can run main's
// code with their own streams.
type cmdEnv struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// environ lists the environment (os.Environ) so that config can spot
	// misspelt POLICYBOT_* variables; nil means only getenv is known.
	environ func() []string
}

// usageError marks a wrong invocation (exit status 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func commands() []command {
	return []command{
		{"serve", "[--config PATH] [--reset-matrix-identity]", "run on the configured chat platforms (the default; console chat when none is configured)", runServe},
		{"chat", "[--config PATH] [--statement PATH]", "chat with the bot on this terminal, one message per line", runChat},
		{"ask", "[--json] [--top N] [--statement PATH] QUESTION...", "answer one question and exit", runAsk},
		{"eval", "[--top N] [--statement PATH] FILE.jsonl", "measure answer quality on a question file", runEval},
		{"config", "check [--config PATH]", "validate the configuration without connecting anywhere", runConfig},
		{"healthcheck", "[--config PATH] [--addr HOST:PORT] [--ready] [--timeout D]", "exit 0 if the running bot's /healthz answers (for container health checks)", runHealthcheck},
		{"version", "", "print the version", runVersion},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := &cmdEnv{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, environ: os.Environ}
	os.Exit(run(ctx, env, os.Args[1:]))
}

// run dispatches to a subcommand and returns the exit status.
func run(ctx context.Context, env *cmdEnv, args []string) int {
	name := "serve"
	if len(args) > 0 {
		switch args[0] {
		case "-h", "-help", "--help", "help":
			printUsage(env.stdout)
			return 0
		case "-version", "--version":
			name, args = "version", args[1:]
		default:
			if len(args[0]) > 0 && args[0][0] != '-' {
				name, args = args[0], args[1:]
			}
		}
	}
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		err := c.run(ctx, env, args)
		var ue usageError
		switch {
		case err == nil, errors.Is(err, flag.ErrHelp):
			return 0
		case errors.As(err, &ue):
			fmt.Fprintf(env.stderr, "policybot %s: %v\nusage: policybot %s %s\n", name, err, c.name, c.args)
			return 2
		default:
			fmt.Fprintf(env.stderr, "policybot %s: %v\n", name, err)
			return 1
		}
	}
	fmt.Fprintf(env.stderr, "policybot: unknown command %q\n\n", name)
	printUsage(env.stderr)
	return 2
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "policybot answers questions about a policy statement with quoted, cited passages.")
	fmt.Fprintln(w, "\nUsage:\n  policybot [command] [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'policybot COMMAND --help' for a command's flags.")
}

// newFlags makes a FlagSet whose --help prints the command's usage to stdout.
func newFlags(env *cmdEnv, name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() {
		for _, c := range commands() {
			if c.name == name {
				fmt.Fprintf(env.stdout, "usage: policybot %s %s\n\n%s\n", c.name, c.args, c.summary)
			}
		}
		fs.SetOutput(env.stdout)
		fs.PrintDefaults()
		fs.SetOutput(env.stderr)
	}
	return fs
}

// parseFlags parses flags, turning a flag error into a usageError.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	return nil
}

func runVersion(_ context.Context, env *cmdEnv, args []string) error {
	fs := newFlags(env, "version")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(env.stdout, "policybot", versionString())
	return nil
}

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}
