package bot

import (
	"context"
	"fmt"
	"sort"
	"strings"
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
		if d := editDistance(strings.ToLower(name), n); d < bestD {
			best, bestD = r.cmds[r.byName[n]].Name, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance with adjacent transpositions.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
