package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/policybot/policybot/bot"
	"github.com/policybot/policybot/bot/console"
	"github.com/policybot/policybot/config"
	"github.com/policybot/policybot/knowledge"
)

const greeting = `policybot — ask about Li Baodong's 2014 address on cyber security.
Try:  who should govern the internet?   /principle sov   /principles   /quote   /cite 6   /help
End with Ctrl-D.`

func runChat(ctx context.Context, env *cmdEnv, args []string) error {
	cfg, err := configFromFlags(env, "chat", args, nil)
	if err != nil {
		return err
	}
	return chatWith(ctx, env, cfg)
}

// configFromFlags parses the --config and --statement flags that chat and
// serve share (plus any that more adds), then loads and validates the
// configuration.
func configFromFlags(env *cmdEnv, command string, args []string, more func(*flag.FlagSet)) (*config.Config, error) {
	fs := newFlags(env, command)
	cfgPath := fs.String("config", env.getenv(config.EnvConfig), "YAML configuration file (default $"+config.EnvConfig+")")
	statement := fs.String("statement", "", "statement file to answer from; overrides the statement key")
	if more != nil {
		more(fs)
	}
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	cfg, err := loadConfig(*cfgPath, env)
	if err != nil {
		return nil, err
	}
	if *statement != "" {
		cfg.Statement = *statement
	}
	return cfg, nil
}

// chatWith runs the console chat on the configured statement, with the
// same reply limits the chat platforms get.
func chatWith(ctx context.Context, env *cmdEnv, cfg *config.Config) error {
	ret, err := knowledge.Open(cfg.Statement)
	if err != nil {
		return err
	}
	core, err := bot.New(ret.Document(), ret, bot.Options{
		MaxPassages: cfg.Answers.MaxPassages,
		MaxChars:    cfg.Answers.MaxChars,
	})
	if err != nil {
		return err
	}
	return chat(ctx, env, core)
}

// chat runs the console on the process's streams.
func chat(ctx context.Context, env *cmdEnv, core bot.Responder) error {
	return console.Run(ctx, env.stdin, env.stdout, core, console.Options{
		Interactive: isTerminal(env.stdout) && isTerminal(env.stdin),
		Greeting:    greeting,
	})
}

func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func runAsk(ctx context.Context, env *cmdEnv, args []string) error {
	fs := newFlags(env, "ask")
	asJSON := fs.Bool("json", false, "print one JSON object instead of text")
	top := fs.Int("top", 3, "at most this many passages")
	statement := fs.String("statement", env.getenv("POLICYBOT_STATEMENT"), "statement file to answer from (default: the embedded statement)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	q := strings.TrimSpace(strings.Join(fs.Args(), " "))
	if q == "" {
		return usageError{"no question given"}
	}
	if *top < 1 || *top > 20 {
		return usageError{fmt.Sprintf("--top %d: want a number from 1 to 20", *top)}
	}
	ret, err := knowledge.Open(*statement)
	if err != nil {
		return err
	}
	if *asJSON {
		out := ret.Report(ret.Ask(q, *top))
		enc := json.NewEncoder(env.stdout)
		enc.SetEscapeHTML(false)
		return enc.Encode(out)
	}
	core, err := bot.New(ret.Document(), ret, bot.Options{MaxPassages: *top})
	if err != nil {
		return err
	}
	reply, _ := core.Respond(ctx, bot.Message{Platform: "cli", Text: "/ask " + q, Prefix: "/", Conversation: bot.Conversation{ID: "cli", Direct: true}})
	fmt.Fprintln(env.stdout, console.Render(reply, isTerminal(env.stdout)))
	return nil
}

func runEval(_ context.Context, env *cmdEnv, args []string) error {
	fs := newFlags(env, "eval")
	statement := fs.String("statement", env.getenv("POLICYBOT_STATEMENT"), "statement file to answer from (default: the embedded statement)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"want exactly one question file"}
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	cases, err := knowledge.ReadEvalCases(f)
	if err != nil {
		return fmt.Errorf("%s: %w", fs.Arg(0), err)
	}
	ret, err := knowledge.Open(*statement)
	if err != nil {
		return err
	}
	_, err = knowledge.Evaluate(ret, cases).WriteTo(env.stdout)
	return err
}
