package derive

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/internal/catalogtest"
	"github.com/flowctl/flowctl/pkg/doc"
	"github.com/flowctl/flowctl/pkg/runtime"
)

func TestOpenShard(t *testing.T) {
	built := catalogtest.Build(t, strings.Replace(counterCatalog, "%s", `"CREATE TABLE counts (k TEXT PRIMARY KEY, n INTEGER);"`, 1), nil)
	ctx, dir := context.Background(), t.TempDir()
	e, err := OpenShard(ctx, built.Collection("counts"), dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, raw := range []string{`{"k":"a"}`, `{"k":"a"}`} {
		if err := e.Read(ctx, 0, runtime.SourceDoc{Raw: []byte(raw), UUID: testUUID(t)}); err != nil {
			t.Fatal(err)
		}
	}
	var got []map[string]any
	e.DrainNodes(func(d doc.Drained) error { got = append(got, d.Doc().(map[string]any)); return nil })
	if len(got) != 1 || got[0]["n"] != jsonNumber("2") {
		t.Errorf("published %v", got)
	}
	if err := e.Commit(ctx, []byte("cp")); err != nil {
		t.Fatal(err)
	}
	if err := e.Read(ctx, 0, runtime.SourceDoc{Journal: "in/pivot=00", Begin: 7, Raw: []byte(`{"k"`)}); err == nil ||
		!strings.Contains(err.Error(), "in/pivot=00 offset 7") {
		t.Errorf("undecodable source: %v", err)
	}
	e.Close()
	e, err = OpenShard(ctx, built.Collection("counts"), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if cp, err := e.Checkpoint(ctx); err != nil || !reflect.DeepEqual(cp, []byte("cp")) {
		t.Errorf("recovered checkpoint %q, %v", cp, err)
	}
}
