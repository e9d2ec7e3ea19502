package materialize

import (
	"database/sql"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/pkg/connector"
	"github.com/flowctl/flowctl/pkg/connector/fieldsel"
)

func TestFoldedField(t *testing.T) {
	long := strings.Repeat("x", 63)
	for _, tc := range []struct {
		d           *dialect
		field, want string
	}{
		{&sqliteDialect, "name", ""},
		{&sqliteDialect, "Name", "name"},
		{&sqliteDialect, "ÉTÉ", "ÉtÉ"}, // SQLite folds ASCII letters only
		{&sqliteDialect, long + "yz", ""},
		{&postgresDialect, "Name", ""}, // quoted: PostgreSQL keeps case
		{&postgresDialect, long, ""},
		{&postgresDialect, long + "yz", long},
		// A 2-byte é across the 63rd byte is dropped whole, as PostgreSQL's pg_mbcliplen does.
		{&postgresDialect, long[:62] + "éz", long[:62]},
	} {
		if got := tc.d.folded(tc.field); got != tc.want {
			t.Errorf("%s folded %q = %q, want %q", tc.d.name, tc.field, got, tc.want)
		}
	}
}

// TestSQLiteFoldsCase shows the fold is real (SQLite refuses columns "Name" and "name" in one
// table) and that field selection, given the constraints' foldedField, keeps one of them.
func TestSQLiteFoldsCase(t *testing.T) {
	db, err := sql.Open("sqlite3", sqliteConfig{Path: filepath.Join(t.TempDir(), "f.db")}.dsn())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE t ("Name" TEXT, "name" TEXT)`); err == nil || !strings.Contains(err.Error(), "duplicate column") {
		t.Fatalf("SQLite took columns differing in case only: %v", err)
	}

	id := connector.Projection{Field: "id", Ptr: "/id", IsPrimaryKey: true, Inference: connector.Inference{Types: []string{"string"}, Exists: connector.ExistsMust}}
	coll := &connector.CollectionSpec{Name: "acme/names", Key: []string{"/id"}, Projections: []connector.Projection{
		{Field: "Name", Ptr: "/Name", Inference: connector.Inference{Types: []string{"string"}}},
		{Field: "flow_document", Ptr: "", Inference: connector.Inference{Types: []string{"object"}, Exists: connector.ExistsMust}},
		id,
		{Field: "name", Ptr: "/name", Inference: connector.Inference{Types: []string{"string"}}},
	}}
	c := constraints(coll, false, false, sqliteDialect.folded)
	if c["Name"].FoldedField != "name" || c["name"].FoldedField != "" {
		t.Fatalf("constraints %+v", c)
	}
	sel, errs := fieldsel.Select(coll, c, fieldsel.Stanza{Recommended: fieldsel.AnyDepth})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	want := connector.FieldSelection{Keys: []string{"id"}, Values: []string{"Name"}, Document: "flow_document"}
	if !reflect.DeepEqual(sel, want) {
		t.Fatalf("selection %+v, want %+v", sel, want)
	}
}
