package controlplane

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/flowctl/flowctl/pkg/controlplane/api"
)

// StructuralBuilder checks what the control plane can check without compiling schemas: the fields of
// each entity (Flow denies unknown fields), collection keys and schemas, and that every referenced
// collection exists. Its messages follow Flow's (crates/validation/src/errors.rs).
type StructuralBuilder struct{}

var (
	jsonPointerRe = regexp.MustCompile(`^(/([^/~]|~[01])+)*$`)
	transformRe   = regexp.MustCompile(`^[\pL\pN\-_.]+$`)

	// Flow's fields of each entity (crates/models), plus `delete`, `reset` and `expectPubId`.
	allowedFields = map[api.SpecType][]string{
		api.Collection:      {"schema", "writeSchema", "readSchema", "key", "projections", "journals", "derive", "expectPubId", "delete", "reset"},
		api.Capture:         {"endpoint", "bindings", "interval", "autoDiscover", "shards", "expectPubId", "delete", "reset", "redactSalt"},
		api.Materialization: {"endpoint", "bindings", "source", "sourceCapture", "onIncompatibleSchemaChange", "shards", "expectPubId", "delete", "redactSalt"},
		api.Test:            {"description", "steps", "expectPubId", "delete"},
	}
)

// Build implements Builder.
func (StructuralBuilder) Build(_ context.Context, specs map[string]BuildSpec, drafted []string) []api.BuildError {
	var errs []api.BuildError
	for _, name := range drafted {
		s, ok := specs[name]
		if !ok {
			continue // a deletion
		}
		c := checker{name: name, specs: specs}
		c.check(s)
		errs = append(errs, c.errs...)
	}
	return errs
}

type checker struct {
	name  string
	specs map[string]BuildSpec
	errs  []api.BuildError
}

func (c *checker) errorf(ptr, format string, args ...any) {
	c.errs = append(c.errs, api.BuildError{CatalogName: c.name, Pointer: ptr, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) check(s BuildSpec) {
	if s.Type == api.Test {
		if _, legacy := s.Spec.([]any); legacy {
			c.checkSteps("", testSteps(s.Spec))
			return
		}
	}
	obj, _ := s.Spec.(map[string]any)
	c.checkFields(s.Type, obj)
	switch s.Type {
	case api.Collection:
		c.checkCollection(obj)
	case api.Capture:
		c.requireObject(obj, "endpoint")
		for i, b := range c.requireArray(obj, "bindings") {
			c.checkRef(fmt.Sprintf("/bindings/%d/target", i), field(b, "target"), "capture "+c.name)
		}
	case api.Materialization:
		c.requireObject(obj, "endpoint")
		for i, b := range c.requireArray(obj, "bindings") {
			c.checkRef(fmt.Sprintf("/bindings/%d/source", i), field(b, "source"), "materialization "+c.name)
		}
	case api.Test:
		c.checkSteps("/steps", c.requireArray(obj, "steps"))
	}
}

func (c *checker) checkFields(t api.SpecType, obj map[string]any) {
	allowed := allowedFields[t]
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !contains(allowed, k) {
			c.errorf("/"+escapePointer(k), "unknown field `%s`, expected one of %s", k, strings.Join(allowed, ", "))
		}
	}
}

func (c *checker) checkCollection(obj map[string]any) {
	_, hasSchema := obj["schema"]
	_, hasWrite := obj["writeSchema"]
	_, hasRead := obj["readSchema"]
	if hasSchema == (hasWrite || hasRead) || hasWrite != hasRead {
		c.errorf("", "collection %s must define either `schema` or both of `writeSchema` and `readSchema`", c.name)
	}
	for _, f := range []string{"schema", "writeSchema", "readSchema"} {
		if sch, ok := obj[f]; ok {
			c.checkSchemaIsObject("/"+f, sch)
		}
	}
	key, ok := obj["key"].([]any)
	if !ok || len(key) == 0 {
		c.errorf("/key", "collection %s key cannot be empty (https://go.estuary.dev/Zq6zVB)", c.name)
	}
	for i, k := range key {
		c.checkPointer(fmt.Sprintf("/key/%d", i), k)
	}
	derive, isDerivation := obj["derive"]
	if !isDerivation {
		return
	}
	dobj, _ := derive.(map[string]any)
	if dobj == nil {
		c.errorf("/derive", "`derive` must be an object with `using` and `transforms`")
		return
	}
	for i, tr := range c.requireArrayAt("/derive", dobj, "transforms") {
		ptr := fmt.Sprintf("/derive/transforms/%d", i)
		name, _ := field(tr, "name").(string)
		if !transformRe.MatchString(name) {
			c.errorf(ptr+"/name", "%q cannot be used as name for transform (only letters, numbers, '-', '_' and '.')", name)
		}
		if field(tr, "shuffle") == nil {
			c.errorf(ptr, "transform %s is missing `shuffle`, which is now a required field (https://go.estuary.dev/LK19Py). If you're unsure of what shuffle to use, try `shuffle: any`", name)
		}
		c.checkRef(ptr+"/source", field(tr, "source"), "transform "+name)
	}
}

// checkSchemaIsObject accepts a schema whose `type`, when given, allows objects.
func (c *checker) checkSchemaIsObject(ptr string, sch any) {
	obj, ok := sch.(map[string]any)
	if !ok {
		c.errorf(ptr, "collection schema must be a JSON schema object (inline it, or let flowctl bundle it)")
		return
	}
	switch t := obj["type"].(type) {
	case string:
		if t != "object" {
			c.errorf(ptr, "collection schema %s must have type 'object'", ptr)
		}
	case []any:
		for _, v := range t {
			if v == "object" {
				return
			}
		}
		c.errorf(ptr, "collection schema %s must have type 'object'", ptr)
	}
}

func (c *checker) checkPointer(ptr string, v any) {
	s, ok := v.(string)
	switch {
	case !ok:
		c.errorf(ptr, "a key must be a JSON pointer string")
	case !strings.HasPrefix(s, "/"):
		c.errorf(ptr, "%s is not a valid JSON pointer (missing leading '/' slash)", s)
	case !jsonPointerRe.MatchString(s):
		c.errorf(ptr, "%s is not a valid JSON pointer (empty or badly escaped component)", s)
	}
}

func (c *checker) checkSteps(ptr string, steps []any) {
	for i, step := range steps {
		sp := fmt.Sprintf("%s/%d", ptr, i)
		ingest, verify := field(step, "ingest"), field(step, "verify")
		switch {
		case ingest != nil && verify == nil:
			c.checkRef(sp+"/ingest/collection", field(ingest, "collection"), "test step "+fmt.Sprint(i))
		case verify != nil && ingest == nil:
			c.checkRef(sp+"/verify/collection", field(verify, "collection"), "test step "+fmt.Sprint(i))
		default:
			c.errorf(sp, "a test step must be exactly one of `ingest` or `verify`")
		}
	}
}

// checkRef reports a missing collection reference the way Flow's NoSuchEntity does.
func (c *checker) checkRef(ptr string, ref any, referrer string) {
	name, _ := ref.(string)
	if obj, ok := ref.(map[string]any); ok {
		name, _ = obj["name"].(string)
	}
	if name == "" {
		c.errorf(ptr, "%s must name a collection", referrer)
		return
	}
	if target, ok := c.specs[name]; !ok || target.Type != api.Collection {
		c.errorf(ptr, "collection %s, referenced by %s, is not defined", name, referrer)
	}
}

func (c *checker) requireObject(obj map[string]any, key string) {
	if _, ok := obj[key].(map[string]any); !ok {
		c.errorf("/"+key, "missing or invalid `%s`: it must be an object", key)
	}
}

func (c *checker) requireArray(obj map[string]any, key string) []any {
	return c.requireArrayAt("", obj, key)
}

func (c *checker) requireArrayAt(base string, obj map[string]any, key string) []any {
	arr, ok := obj[key].([]any)
	if !ok {
		c.errorf(base+"/"+key, "missing or invalid `%s`: it must be an array", key)
	}
	return arr
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// escapePointer escapes one JSON pointer token (RFC 6901).
func escapePointer(tok string) string {
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~", "~0"), "/", "~1")
}
