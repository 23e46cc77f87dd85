package bot

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/policybot/policybot/knowledge/editdist"
)

// Command is one command: its name, aliases, help text and handler in one
// value, so that matching and help cannot drift apart.
type Command struct {
	Name    string
	Aliases []string
	Args    string // synopsis of the arguments, e.g. "<name>"
	Summary string
	Example string // arguments of one example, e.g. "sovereignty"
	// Run handles the command; args is the text after the command word.
	Run func(ctx context.Context, m Message, args string) (Reply, error)
}

// Registry holds the commands, in help order.
type Registry struct {
	cmds   []Command
	byName map[string]int
}

// NewRegistry checks that no name or alias is registered twice.
func NewRegistry(cmds ...Command) (*Registry, error) {
	r := &Registry{cmds: cmds, byName: map[string]int{}}
	for i, c := range cmds {
		if c.Name == "" || c.Run == nil {
			return nil, fmt.Errorf("command %d: name and handler are required", i)
		}
		for _, n := range append([]string{c.Name}, c.Aliases...) {
			if _, dup := r.byName[n]; dup {
				return nil, fmt.Errorf("command name %q is registered twice", n)
			}
			r.byName[n] = i
		}
	}
	return r, nil
}

// Lookup finds a command by name or alias.
func (r *Registry) Lookup(name string) (Command, bool) {
	i, ok := r.byName[strings.ToLower(name)]
	if !ok {
		return Command{}, false
	}
	return r.cmds[i], true
}

// Commands returns the commands in help order.
func (r *Registry) Commands() []Command { return r.cmds }

// Closest names the registered command nearest to a mistyped one, or "".
func (r *Registry) Closest(name string) string {
	names := make([]string, 0, len(r.byName))
	for n := range r.byName {
		names = append(names, n)
	}
	sort.Strings(names)
	best, bestD := "", 3
	for _, n := range names {
		if d := editdist.Distance(strings.ToLower(name), n); d < bestD {
			best, bestD = r.cmds[r.byName[n]].Name, d
		}
	}
	return best
}
