package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/policybot/policybot/bot/store"
	"github.com/policybot/policybot/config"
)

// configError is a configuration that failed Load or Validate. serve and
// "config check" print it the same way: one problem per line.
type configError struct {
	source string
	err    error
}

func (e configError) Error() string {
	ps := config.Problems(e.err)
	if len(ps) == 0 {
		return e.err.Error()
	}
	var b strings.Builder
	noun := "problems"
	if len(ps) == 1 {
		noun = "problem"
	}
	fmt.Fprintf(&b, "the configuration (%s) has %d %s:", e.source, len(ps), noun)
	for _, p := range ps {
		fmt.Fprintf(&b, "\n  - %s", p)
	}
	return b.String()
}

func (e configError) Unwrap() error { return e.err }

// loadConfig reads the file (if any) and the environment, and validates.
func loadConfig(path string, env *cmdEnv) (*config.Config, error) {
	cfg, err := config.Load(path, environ(env))
	if cfg == nil {
		return nil, err
	}
	source := "environment only"
	if path != "" {
		source = path + " and environment"
	}
	if err = errors.Join(err, cfg.Validate()); err != nil {
		return cfg, configError{source: source, err: err}
	}
	return cfg, nil
}

// environ returns the environment as KEY=value lines. Tests that only set
// getenv still get every documented variable.
func environ(env *cmdEnv) []string {
	if env.environ != nil {
		return env.environ()
	}
	var out []string
	names := []string{"HOME", "XDG_STATE_HOME"}
	for _, k := range config.Keys() {
		names = append(names, k.Env)
	}
	for _, n := range names {
		if v := env.getenv(n); n != "" && v != "" {
			out = append(out, n+"="+v)
		}
	}
	return out
}

func runConfig(ctx context.Context, env *cmdEnv, args []string) error {
	if len(args) == 0 || args[0] != "check" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			return newFlags(env, "config").Parse(args)
		}
		return usageError{"the only config subcommand is check"}
	}
	fs := newFlags(env, "config")
	cfgPath := fs.String("config", env.getenv(config.EnvConfig), "YAML configuration file (default $"+config.EnvConfig+")")
	connect := fs.Bool("connect", false, "also connect to the PostgreSQL database in db and check that policybot can use it")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	cfg, err := loadConfig(*cfgPath, env)
	if err != nil {
		return err
	}
	if err := printConfig(env.stdout, *cfgPath, cfg); err != nil {
		return err
	}
	if *connect {
		return checkDatabase(ctx, env.stdout, cfg.DB)
	}
	return nil
}

// checkDatabase is config check --connect: it reaches a PostgreSQL
// server and says what is wrong in words an operator can act on. A SQLite
// file has nothing to connect to; serve creates it.
func checkDatabase(ctx context.Context, w io.Writer, db string) error {
	if !store.IsPostgres(db) {
		fmt.Fprintf(w, "\ndatabase: %s is a SQLite file; there is no server to connect to (serve creates the file)\n", db)
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	version, err := store.CheckPostgres(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\ndatabase: connected to PostgreSQL %s at %s; policybot can create its tables there\n", version, store.Redact(db))
	return nil
}

// printConfig shows the effective configuration; secrets come out masked
// because config.Slack and config.Matrix mask themselves in YAML.
func printConfig(w io.Writer, path string, cfg *config.Config) error {
	src := "environment only"
	if path != "" {
		src = path + " + environment"
	}
	fmt.Fprintf(w, "configuration OK (%s)\n", src)
	var on []string
	if cfg.Slack.Enabled() {
		mode := "Socket Mode"
		switch {
		case cfg.Slack.AppToken != "" && cfg.Slack.SigningSecret != "":
			mode = "Socket Mode and HTTP endpoints"
		case cfg.Slack.AppToken == "":
			mode = "HTTP endpoints at " + cfg.HTTPAddr
		}
		on = append(on, "slack ("+mode+")")
	}
	if cfg.Matrix.Enabled() {
		on = append(on, "matrix ("+cfg.Matrix.User+")")
	}
	if len(on) == 0 {
		on = append(on, "none: policybot will start the console chat")
	}
	fmt.Fprintf(w, "platforms: %s\n\n", strings.Join(on, ", "))
	out, err := yaml.Marshal(cfg)
	if err != nil {
		return fmt.Errorf("show configuration: %w", err)
	}
	_, err = w.Write(out)
	return err
}

func runHealthcheck(ctx context.Context, env *cmdEnv, args []string) error {
	fs := newFlags(env, "healthcheck")
	addr := fs.String("addr", "", "address of the running bot (default: http_addr from the configuration)")
	ready := fs.Bool("ready", false, "check /readyz (platforms connected, database writable) instead of /healthz")
	cfgPath := fs.String("config", env.getenv(config.EnvConfig), "YAML configuration file to read http_addr from")
	timeout := fs.Duration("timeout", 3*time.Second, "give up after this long")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *addr == "" {
		// Only http_addr matters here; a problem elsewhere in the
		// configuration must not make a running bot look unhealthy.
		*addr = config.DefaultHTTPAddr
		if cfg, _ := config.Load(*cfgPath, environ(env)); cfg != nil {
			*addr = cfg.HTTPAddr
		}
	}
	path := "/healthz"
	if *ready {
		path = "/readyz"
	}
	url := "http://" + dialable(*addr) + path
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return usageError{fmt.Sprintf("bad address %q: %v", *addr, err)}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s\n%s", url, resp.Status, strings.TrimSpace(string(body)))
	}
	fmt.Fprintf(env.stdout, "%s: %s\n", url, resp.Status)
	return nil
}

// dialable turns a listen address into one to connect to: a server
// listening on every interface (0.0.0.0:8080, :8080) is reached on
// loopback.
func dialable(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return net.JoinHostPort(host, port)
}
