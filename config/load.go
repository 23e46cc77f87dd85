package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// EnvConfig names the environment variable that gives the config file
// when --config is not used.
const EnvConfig = "POLICYBOT_CONFIG"

// EnvTestPrefix starts environment variables reserved for test hooks
// (e.g. POLICYBOT_TEST_FAILPOINT); they are not configuration, so Load
// neither reads nor flags them.
const EnvTestPrefix = "POLICYBOT_TEST_"

// maxFileBytes bounds the config file; a real one is a few kilobytes.
const maxFileBytes = 1 << 20

// Load reads the YAML file at path (none when path is ""), then applies
// POLICYBOT_* variables from environ (os.Environ's form), then fills in
// defaults. It returns the configuration together with every problem
// found while reading it (unknown keys, values of the wrong type), joined;
// the configuration is usable for reporting even then. A file that cannot
// be read or is not YAML returns a nil Config.
//
// Load does not check that values make sense: call Validate.
func Load(path string, environ []string) (*Config, error) {
	cfg := &Config{origin: map[string]string{}}
	d := &decoder{cfg: cfg, file: path}
	if path != "" {
		if err := d.file1(path); err != nil {
			return nil, err
		}
	}
	d.env(environ)
	cfg.SetDefaults(envLookup(environ))
	return cfg, errors.Join(d.problems...)
}

// ParseYAML reads configuration from YAML text, as Load does for a file
// named name, without environment or defaults.
func ParseYAML(name string, data []byte) (*Config, error) {
	cfg := &Config{origin: map[string]string{}}
	d := &decoder{cfg: cfg, file: name}
	if err := d.yaml(data); err != nil {
		return nil, err
	}
	return cfg, errors.Join(d.problems...)
}

func envLookup(environ []string) func(string) string {
	return func(name string) string {
		for i := len(environ) - 1; i >= 0; i-- {
			if k, v, ok := strings.Cut(environ[i], "="); ok && k == name {
				return v
			}
		}
		return ""
	}
}

type decoder struct {
	cfg      *Config
	file     string
	problems []error
}

func (d *decoder) problem(key, source, what string) {
	d.problems = append(d.problems, &Problem{Key: key, Source: source, What: what, Example: example(genericKey(key))})
}

func (d *decoder) file1(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("read config file: %w (pass --config or set %s to a readable YAML file)", err, EnvConfig)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileBytes+1))
	if err != nil {
		return fmt.Errorf("read config file %s: %w", path, err)
	}
	if len(data) > maxFileBytes {
		return fmt.Errorf("config file %s is larger than %d bytes; is it the right file?", path, maxFileBytes)
	}
	return d.yaml(data)
}

func (d *decoder) yaml(data []byte) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("config file %s is not valid YAML: %w", d.file, err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 { // empty file
		return nil
	}
	d.value(doc.Content[0], reflect.ValueOf(d.cfg).Elem(), "")
	return nil
}

func (d *decoder) source(n *yaml.Node) string {
	return fmt.Sprintf("%s line %d", filepath.Base(d.file), n.Line)
}

var durationType = reflect.TypeFor[time.Duration]()

// value decodes node n into v, whose dotted key is key ("" for the root).
func (d *decoder) value(n *yaml.Node, v reflect.Value, key string) {
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return // "key:" with nothing after it leaves the default
	}
	if key != "" {
		d.cfg.origin[key] = d.source(n)
	}
	switch {
	case v.Kind() == reflect.Struct:
		d.mapping(n, v, key)
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Struct:
		if n.Kind != yaml.SequenceNode {
			d.problem(key, d.source(n), "must be a list of entries, each starting with \"- \"")
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			d.value(item, s.Index(i), fmt.Sprintf("%s[%d]", key, i))
		}
		v.Set(s)
	case v.Kind() == reflect.Slice: // []string
		switch n.Kind {
		case yaml.SequenceNode:
			var items []string
			for _, item := range n.Content {
				if item.Kind != yaml.ScalarNode {
					d.problem(key, d.source(item), "must be a list of plain values")
					return
				}
				items = append(items, item.Value)
			}
			v.Set(reflect.ValueOf(items))
		case yaml.ScalarNode:
			v.Set(reflect.ValueOf(splitList(n.Value)))
		default:
			d.problem(key, d.source(n), "must be a list")
		}
	default:
		if n.Kind != yaml.ScalarNode {
			d.problem(key, d.source(n), fmt.Sprintf("must be a single value, not a %s", kindName(n.Kind)))
			return
		}
		if what := setScalar(v, n); what != "" {
			d.problem(key, d.source(n), what)
		}
	}
}

func (d *decoder) mapping(n *yaml.Node, v reflect.Value, key string) {
	if n.Kind != yaml.MappingNode {
		what := "must be a mapping of keys"
		if key == "" {
			what = "the file must be a mapping of keys such as \"log_level: info\""
			key = filepath.Base(d.file)
		}
		d.problem(key, d.source(n), what+", not a "+kindName(n.Kind))
		return
	}
	fields := yamlFields(v.Type())
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := n.Content[i], n.Content[i+1]
		name := kn.Value
		sub := joinKey(key, name)
		idx, ok := fields[name]
		if !ok {
			d.unknown(sub, kn, key, fields)
			continue
		}
		if seen[name] {
			d.problem(sub, d.source(kn), "is set twice in the same mapping; keep one")
			continue
		}
		seen[name] = true
		d.value(vn, v.Field(idx), sub)
	}
}

func (d *decoder) unknown(key string, kn *yaml.Node, parent string, fields map[string]int) {
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	what := "unknown key"
	if s := suggest(kn.Value, names); s != "" {
		what += fmt.Sprintf("; did you mean %s?", joinKey(parent, s))
	} else if elsewhere := keysEndingIn(kn.Value); len(elsewhere) > 0 {
		what += fmt.Sprintf("; did you mean %s? (it belongs under %s)", elsewhere[0], strings.TrimSuffix(elsewhere[0], "."+kn.Value))
	} else {
		what += fmt.Sprintf("; the keys here are: %s", strings.Join(sortedCopy(names), ", "))
	}
	d.problems = append(d.problems, &Problem{Key: key, Source: d.source(kn), What: what})
}

// env applies POLICYBOT_* variables. An empty variable counts as unset, so
// that "POLICYBOT_X=" in a compose file does not blank a file's value.
func (d *decoder) env(environ []string) {
	byEnv := map[string]string{}
	var names []string
	for _, k := range Keys() {
		if k.Env != "" {
			byEnv[k.Env] = k.Key
			names = append(names, k.Env)
		}
	}
	names = append(names, EnvConfig)
	for _, kv := range environ {
		name, val, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "POLICYBOT_") || name == EnvConfig || val == "" ||
			strings.HasPrefix(name, EnvTestPrefix) {
			continue
		}
		key, ok := byEnv[name]
		if !ok {
			what := "unknown environment variable"
			if s := suggest(name, names); s != "" {
				what += fmt.Sprintf("; did you mean %s?", s)
			} else {
				what += "; see the configuration reference for the POLICYBOT_* variables"
			}
			d.problems = append(d.problems, &Problem{Key: name, Source: "environment", What: what})
			continue
		}
		src := "$" + name
		d.cfg.origin[key] = src
		v := fieldByKey(reflect.ValueOf(d.cfg).Elem(), key)
		if v.Kind() == reflect.Slice {
			v.Set(reflect.ValueOf(splitList(val)))
			continue
		}
		n := &yaml.Node{Kind: yaml.ScalarNode, Value: val}
		if what := setScalar(v, n); what != "" {
			d.problem(key, src, what)
		}
	}
}

// setScalar stores a scalar node in v and returns what is wrong, or "".
func setScalar(v reflect.Value, n *yaml.Node) string {
	switch {
	case v.Type() == durationType:
		dur, err := time.ParseDuration(n.Value)
		if err != nil {
			if isNumber(n.Value) {
				return fmt.Sprintf("%q has no unit; write a duration such as 10s, 5m or 6h", n.Value)
			}
			return fmt.Sprintf("%q is not a duration; write a number with a unit (ms, s, m, h)", n.Value)
		}
		v.SetInt(int64(dur))
	case v.Kind() == reflect.Int:
		var i int
		if err := n.Decode(&i); err != nil || !isNumber(n.Value) {
			return fmt.Sprintf("%q is not a whole number", n.Value)
		}
		v.SetInt(int64(i))
	case v.Kind() == reflect.String:
		v.SetString(n.Value)
	case v.Kind() == reflect.Bool:
		switch strings.ToLower(strings.TrimSpace(n.Value)) {
		case "true", "yes", "on", "1":
			v.SetBool(true)
		case "false", "no", "off", "0":
			v.SetBool(false)
		default:
			return fmt.Sprintf("%q is not true or false", n.Value)
		}
	default:
		panic(fmt.Sprintf("config: no decoder for %s", v.Type())) // a new field type needs a case here
	}
	return ""
}

var numberRE = regexp.MustCompile(`^[-+]?[0-9]+$`)

func isNumber(s string) bool { return numberRE.MatchString(strings.TrimSpace(s)) }

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return "single value"
	}
	return "document"
}

func joinKey(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

var indexRE = regexp.MustCompile(`\[[0-9]+\]`)

// genericKey turns "digest.subscriptions[2].zone" into
// "digest.subscriptions[].zone", the form the key table uses.
func genericKey(key string) string { return indexRE.ReplaceAllString(key, "[]") }
