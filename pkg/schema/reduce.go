package schema

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Strategy names a reduction strategy of Flow's `reduce` annotation.
type Strategy string

// Flow's reduction strategies.
const (
	Append          Strategy = "append"
	FirstWriteWins  Strategy = "firstWriteWins"
	LastWriteWins   Strategy = "lastWriteWins"
	Maximize        Strategy = "maximize"
	Minimize        Strategy = "minimize"
	Merge           Strategy = "merge"
	Set             Strategy = "set"
	Sum             Strategy = "sum"
	JSONSchemaMerge Strategy = "jsonSchemaMerge"
)

var strategyOptions = map[Strategy][]string{
	Append:          nil,
	FirstWriteWins:  nil,
	LastWriteWins:   {"delete", "associative"},
	Maximize:        {"key"},
	Minimize:        {"key"},
	Merge:           {"key", "delete"},
	Set:             {"key"},
	Sum:             nil,
	JSONSchemaMerge: nil,
}

// Reduce is a parsed `reduce` annotation: a strategy and its options.
type Reduce struct {
	Strategy Strategy
	// Key holds relative JSON pointers (maximize, minimize, merge of arrays, set of arrays).
	Key []string
	// Delete removes the location on a full reduction (lastWriteWins, merge).
	Delete bool
	// Associative is false when lastWriteWins must not reduce unequal values partially.
	Associative bool
}

// ParseReduce reads a `reduce` keyword value. Unknown strategies and options are errors, as in Flow.
func ParseReduce(v any) (*Reduce, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("reduce must be an object like {strategy: merge}, not %s", describe(v))
	}
	name, ok := obj["strategy"].(string)
	if !ok {
		return nil, fmt.Errorf("reduce must have a string `strategy` (one of %s)", strategyList())
	}
	strategy := Strategy(name)
	allowed, known := strategyOptions[strategy]
	if !known {
		return nil, fmt.Errorf("unknown reduce strategy %q (expected one of %s)", name, strategyList())
	}
	r := &Reduce{Strategy: strategy, Associative: true}
	for opt, val := range obj {
		if opt == "strategy" {
			continue
		}
		if !contains(allowed, opt) {
			return nil, fmt.Errorf("reduce strategy %s has no option %q", name, opt)
		}
		switch opt {
		case "key":
			list, ok := val.([]any)
			if !ok {
				return nil, fmt.Errorf("reduce option `key` must be an array of JSON pointers")
			}
			for _, k := range list {
				ptr, ok := k.(string)
				if !ok || (ptr != "" && !strings.HasPrefix(ptr, "/")) {
					return nil, fmt.Errorf("reduce option `key` entry %s is not a JSON pointer", describe(k))
				}
				r.Key = append(r.Key, ptr)
			}
		case "delete":
			b, ok := val.(bool)
			if !ok {
				return nil, fmt.Errorf("reduce option `delete` must be a boolean")
			}
			r.Delete = b
		case "associative":
			b, ok := val.(bool)
			if !ok {
				return nil, fmt.Errorf("reduce option `associative` must be a boolean")
			}
			r.Associative = b
		}
	}
	return r, nil
}

// Annotation is the tree of `reduce` annotations that applied to one document, mirroring its structure.
// Children are keyed by property name, or by decimal index for array items. A nil *Annotation is valid
// and means "no annotation here or below". Read it through Child and Strategy: a tree may be shared
// by every document of a schema (see ValidateReduce) and must not be modified.
type Annotation struct {
	Reduce   *Reduce
	Children map[string]*Annotation
	// Additional applies to the properties or items that Children does not list (a nil entry in
	// Children means "no annotation" for that token). Only trees shared by all documents set it.
	Additional *Annotation
}

// Child returns the annotation of a property name or array index, or nil.
func (a *Annotation) Child(token string) *Annotation {
	if a == nil {
		return nil
	}
	if c, ok := a.Children[token]; ok || a.Additional == nil {
		return c
	}
	return a.Additional
}

// Strategy returns the reduction that applies at this location, or nil for the default (lastWriteWins).
func (a *Annotation) Strategy() *Reduce {
	if a == nil {
		return nil
	}
	return a.Reduce
}

func strategyList() string {
	names := make([]string, 0, len(strategyOptions))
	for s := range strategyOptions {
		names = append(names, string(s))
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func describe(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return string(b)
}
