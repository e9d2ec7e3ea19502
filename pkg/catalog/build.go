package catalog

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/flowctl/flowctl/pkg/schema"
)

// Build checks a loaded catalog and resolves its references: names, storage mappings, schemas,
// keys, projections and partitions, derivations (SQLite lambdas are prepared against an in-memory
// database with the migrations applied), captures, materializations and tests. It needs no
// connector. Every problem of the run is reported; Built is returned even when there are errors,
// holding what could be built.
func Build(ctx context.Context, cat *Catalog) (*Built, Diagnostics) {
	b := &builder{ctx: ctx, cat: cat, built: &Built{Catalog: cat}, index: schema.NewIndex(), schemaDocs: map[string]any{},
		refused: map[string]bool{}}
	b.checkNames()
	b.buildStorageMappings()
	b.addSchemaResources()
	b.buildCollections()
	b.buildDerivations()
	b.buildCaptures()
	b.buildMaterializations()
	b.buildTests()
	return b.built, b.diags.Sort()
}

type builder struct {
	ctx   context.Context
	cat   *Catalog
	built *Built
	index *schema.Index
	// schemaDocs are the schema resources, fetched or inline, by URL without fragment.
	schemaDocs map[string]any
	// refused are schema resources the index refused; their error is reported once, where added.
	refused map[string]bool
	// missing are schema URLs referenced but not loaded (reported by the loader).
	missing []string
	diags   Diagnostics
	// byName finds built collections while they are being built.
	byName map[string]*BuiltCollection
}

func (b *builder) errorf(at Position, code, hint, format string, args ...any) {
	b.diags = append(b.diags, newDiagnostic(at, SeverityError, code, hint, fmt.Sprintf(format, args...)))
}

// at locates a value below a position by reference tokens.
func (b *builder) at(p Position, tokens ...string) Position {
	return b.cat.Locate(p.URL, pointerJoin(p.Pointer, tokens...))
}

// collection resolves a reference to a collection, reporting a missing one with a did-you-mean.
func (b *builder) collection(name string, at Position, referrer string) *BuiltCollection {
	if c := b.byName[name]; c != nil {
		return c
	}
	if name == "" {
		return nil // already reported by the decoder
	}
	hint := ""
	names := make([]string, 0, len(b.byName))
	for n := range b.byName {
		names = append(names, n)
	}
	sort.Strings(names)
	if s := suggest(name, names, 4); s != "" {
		hint = fmt.Sprintf("did you mean %s, defined at %s?", s, b.byName[s].Scope)
	}
	b.errorf(at, "reference.collection", hint, "collection %s, referenced by %s, is not defined", name, referrer)
	return nil
}

// ParseDuration reads Flow's durations (30s, 5m, 48h, 2d, 1h 30m) as the catalog decoder accepts them.
// A built catalog holds only durations the decoder checked, so there is no error to return.
func ParseDuration(s string) time.Duration {
	var total time.Duration
	for _, m := range durationPartRe.FindAllStringSubmatch(s, -1) {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		unit := map[string]time.Duration{"ms": time.Millisecond, "s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour}[m[2]]
		total += time.Duration(n) * unit
	}
	return total
}

func describeValue(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return "a number"
}

func quoteList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = strconv.Quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
