package generate

import (
	"fmt"
	"strings"

	"github.com/flowctl/flowctl/pkg/catalog"
)

// stubHeader opens every starter file. Starters belong to the developer once written, and are
// never overwritten.
const stubHeader = "Starter written by flowctl generate because the catalog names this file and it was missing. It is yours to edit."

// TypeScriptStub is a starter module for a TypeScript derivation: a Derivation class whose
// transform methods throw "Not implemented".
func TypeScriptStub(c *catalog.BuiltCollection) (string, error) {
	methods, err := transformMethods(c)
	if err != nil {
		return "", err
	}
	imports := []string{"IDerivation", "Document"}
	for _, m := range methods {
		imports = append(imports, m.source)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "// %s\nimport { %s } from 'flow/%s.ts';\n", stubHeader, strings.Join(imports, ", "), c.Name)
	fmt.Fprintf(&b, "\n// Implementation of derivation %s.\nexport class Derivation extends IDerivation {\n", c.Name)
	for _, m := range methods {
		fmt.Fprintf(&b, "    %s(_read: { doc: %s }): Document[] {\n        throw new Error(\"Not implemented\");\n    }\n", m.method, m.source)
	}
	b.WriteString("}\n")
	return b.String(), nil
}

// SQLiteMigrationStub is a starter migration: a commented example table that lambdas can share.
// index tells migrations of one derivation apart, so that several starters apply together.
func SQLiteMigrationStub(index int) string {
	return fmt.Sprintf(`-- %s
--
-- Migrations create and alter the tables of the derivation's SQLite database. Each runs once, in
-- order; never edit one that was published, append a new one instead.
--
-- For example, one lambda can keep the latest value of each id:
--   INSERT INTO example_state_%[2]d (id, value) VALUES ($id, $value)
--     ON CONFLICT (id) DO UPDATE SET value = excluded.value;
-- and another can join over it:
--   SELECT $id, s.value FROM example_state_%[2]d AS s WHERE s.id = $other_id;

CREATE TABLE example_state_%[2]d (
    -- The key the lambdas join on.
    id    INTEGER PRIMARY KEY NOT NULL,
    -- A value one lambda writes and another reads.
    value TEXT
);
`, stubHeader, index)
}

// SQLiteLambdaStub is a starter lambda for a transform: a statement that publishes each source
// document unchanged, and a disabled statement that lists every parameter of the source's
// projections with what it holds.
func SQLiteLambdaStub(t *catalog.BuiltTransform) string {
	var b strings.Builder
	fmt.Fprintf(&b, "-- %s\n", stubHeader)
	source := t.Source.Name
	for _, p := range t.Source.Projections {
		if p.Ptr == "" {
			fmt.Fprintf(&b, "\n-- Publishes each document of %s unchanged. Add a WHERE clause to filter them,\n"+
				"-- like WHERE $my$field = 1234.\nSELECT JSON(%s);\n", source, catalog.ParamName(p.Field))
			break
		}
	}
	fmt.Fprintf(&b, "\n-- Selects locations of the documents of %s, one parameter per projected field.\n"+
		"-- Rename a column with AS (SELECT $some$field AS renamed) and filter with WHERE.\n"+
		"-- WHERE FALSE keeps this example from publishing anything.\nSELECT", source)
	first := true
	for _, p := range t.Source.Projections {
		if p.Ptr == "" {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		fmt.Fprintf(&b, "\n    -- %s\n    %s", paramComment(p.Field, p.Ptr, p.IsPrimaryKey, p.IsPartitionKey,
			p.Inference.Title, p.Inference.Description), catalog.ParamName(p.Field))
	}
	if first {
		b.WriteString(" 1")
	}
	b.WriteString("\nWHERE FALSE;\n")
	return b.String()
}

func paramComment(field, ptr string, key, partition bool, title, description string) string {
	kind := "Field"
	switch {
	case key:
		kind = "Key"
	case partition:
		kind = "Partitioned field"
	}
	s := fmt.Sprintf("%s %s at %s", kind, field, ptr)
	for _, extra := range []string{title, description} {
		if extra != "" {
			s += "; " + strings.Join(strings.Fields(extra), " ")
		}
	}
	return s
}
