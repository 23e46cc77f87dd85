package config

import (
	"reflect"
	"slices"
	"strings"
)

// yamlFields maps the YAML names of struct type t to field indexes.
func yamlFields(t reflect.Type) map[string]int {
	m := map[string]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "" || name == "-" {
			continue
		}
		m[name] = i
	}
	return m
}

// fieldByKey finds the field for a dotted key such as "slack.bot_token".
// Keys come from the key table, which a test checks against the struct,
// so a miss is a programming error.
func fieldByKey(v reflect.Value, key string) reflect.Value {
	for _, name := range strings.Split(key, ".") {
		i, ok := yamlFields(v.Type())[name]
		if !ok {
			panic("config: key table names unknown key " + key)
		}
		v = v.Field(i)
	}
	return v
}

// keysEndingIn lists documented keys whose last segment is name, for a
// key written at the wrong level ("bot_token:" at the top).
func keysEndingIn(name string) []string {
	var out []string
	for _, k := range Keys() {
		if lastSegment(k.Key) == name {
			out = append(out, k.Key)
		}
	}
	return out
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}
