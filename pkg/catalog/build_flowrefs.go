package catalog

import (
	"net/url"
	"strings"

	"github.com/flowctl/flowctl/pkg/schema"
)

// compileReadSchema compiles a collection's separate readSchema. When it uses the flow:// schemas
// (flow-spec 1.4), it compiles in a fork of the index where they stand for this collection's:
// flow://write-schema is the writeSchema; flow://inferred-schema is Flow's placeholder (no local
// build has an inferred schema) unless the read schema inlines one under that `$id`;
// flow://relaxed-write-schema is the writeSchema relaxed when an inferred schema is present, and
// the writeSchema itself otherwise, as Flow's build decides.
func (b *builder) compileReadSchema(read, write *SchemaRef) *schema.Schema {
	use := b.scanFlowRefs(read.URL)
	if !use.any {
		return b.compileCollectionSchema(b.index, read)
	}
	fork := b.index.Fork()
	relaxedRoot := write.URL
	// Flow relaxes only when no placeholder ends up in the read schema (crates/validation,
	// collection.rs): it looks for the placeholder's marker property.
	if !use.marker && !(use.inferred && !use.inlinesInferred) {
		relaxedRoot = relaxedURL(write.URL)
		for _, u := range b.reachableSchemas(write.URL) {
			b.addForked(fork, relaxedURL(u), schema.Relax(mirrorRefs(b.schemaDocs[u])))
		}
	}
	b.addForked(fork, schema.WriteSchemaURL, map[string]any{"$ref": write.URL})
	b.addForked(fork, schema.RelaxedWriteSchemaURL, map[string]any{"$ref": relaxedRoot})
	b.addForked(fork, schema.InferredSchemaURL, schema.InferredSchemaPlaceholder())
	return b.compileCollectionSchema(fork, read)
}

func (b *builder) addForked(fork *schema.Index, u string, doc any) {
	if err := fork.Add(u, doc); err != nil {
		b.errorf(Position{URL: u}, "schema.invalid", "", "%v", err)
	}
}

// flowRefUse is what a read schema, with every resource it references, says about flow:// schemas.
type flowRefUse struct {
	any             bool // some $ref names a flow:// URL
	inferred        bool // some $ref names flow://inferred-schema
	inlinesInferred bool // the root resource defines $defs["flow://inferred-schema"]
	marker          bool // the placeholder's marker property appears
}

func (b *builder) scanFlowRefs(rawURL string) flowRefUse {
	var use flowRefUse
	for i, u := range b.reachableSchemas(rawURL) {
		doc := b.schemaDocs[u]
		if root, ok := doc.(map[string]any); ok && i == 0 {
			defs, _ := root["$defs"].(map[string]any)
			_, use.inlinesInferred = defs[schema.InferredSchemaURL]
		}
		walkJSON(doc, func(obj map[string]any) {
			if ref, ok := obj["$ref"].(string); ok && strings.HasPrefix(ref, "flow://") {
				use.any = true
				use.inferred = use.inferred || ref == schema.InferredSchemaURL
			}
			if _, ok := obj["inferredSchemaIsNotAvailable"]; ok {
				use.marker = true
			}
		})
	}
	return use
}

// reachableSchemas lists the schema resource of a URL (fragment dropped) first, then every loaded
// schema resource its `$ref`s reach, transitively.
func (b *builder) reachableSchemas(rawURL string) []string {
	start, _, _ := strings.Cut(rawURL, "#")
	seen := map[string]bool{start: true}
	queue := []string{start}
	for i := 0; i < len(queue); i++ {
		base, err := url.Parse(queue[i])
		if err != nil {
			continue
		}
		visitRefs(b.schemaDocs[queue[i]], base, func(target *url.URL) {
			t := withoutFragment(target)
			if _, loaded := b.schemaDocs[t]; loaded && !seen[t] {
				seen[t] = true
				queue = append(queue, t)
			}
		})
	}
	return queue
}

// relaxedURL names the relaxed copy of a schema resource under flow://relaxed-write-schema/. A copy
// keeps its original's scheme, host and path below that root, so relative references between copies
// resolve to copies.
func relaxedURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "flow" {
		return raw
	}
	c := *u
	c.Scheme, c.Host, c.User = "flow", "relaxed-write-schema", nil
	c.Path = "/" + u.Scheme + "/" + u.Host + u.Path
	c.RawPath = ""
	return c.String()
}

// mirrorRefs copies a schema resource, pointing its absolute `$ref`s and `$id`s at relaxed copies.
func mirrorRefs(doc any) any {
	switch v := doc.(type) {
	case []any:
		out := make([]any, len(v))
		for i, sub := range v {
			out[i] = mirrorRefs(sub)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, sub := range v {
			s, isString := sub.(string)
			if u, err := url.Parse(s); isString && (k == "$ref" || k == "$id") && err == nil && u.IsAbs() {
				out[k] = relaxedURL(s)
				continue
			}
			out[k] = mirrorRefs(sub)
		}
		return out
	}
	return doc
}

// visitRefs calls visit for every `$ref` in a schema, resolved against the base URL in effect
// there (changed by `$id`).
func visitRefs(v any, base *url.URL, visit func(target *url.URL)) {
	switch v := v.(type) {
	case []any:
		for _, sub := range v {
			visitRefs(sub, base, visit)
		}
	case map[string]any:
		if id, ok := v["$id"].(string); ok {
			if u, err := base.Parse(id); err == nil {
				base = u
			}
		}
		if ref, ok := v["$ref"].(string); ok {
			if u, err := base.Parse(ref); err == nil {
				visit(u)
			}
		}
		for k, sub := range v {
			if !nonSchemaKeywords[k] {
				visitRefs(sub, base, visit)
			}
		}
	}
}

// walkJSON calls visit for every object in a JSON value.
func walkJSON(v any, visit func(obj map[string]any)) {
	switch v := v.(type) {
	case []any:
		for _, sub := range v {
			walkJSON(sub, visit)
		}
	case map[string]any:
		visit(v)
		for _, sub := range v {
			walkJSON(sub, visit)
		}
	}
}

func withoutFragment(u *url.URL) string {
	c := *u
	c.Fragment, c.RawFragment = "", ""
	return c.String()
}
