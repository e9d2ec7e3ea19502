package runtime

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/journal"
)

type recordingRegistry []journal.CollectionSpec

func (r *recordingRegistry) AddCollection(s journal.CollectionSpec) error {
	*r = append(*r, s)
	return nil
}

// Every duration form the catalog accepts reaches the journal store, including days and compound
// forms that time.ParseDuration refuses.
func TestAddCollectionsCarriesFragmentSettings(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "flow.yaml")
	if err := os.WriteFile(path, []byte(`
collections:
  acme/events:
    schema: {type: object, properties: {id: {type: string}, region: {type: string}}, required: [id, region]}
    key: [/id]
    projections: {region: {location: /region, partition: true}}
    journals:
      fragments: {length: 64, compressionCodec: NONE, flushInterval: 1h 30m, retention: 2d}
  acme/plain:
    schema: {type: object, properties: {id: {type: string}}, required: [id]}
    key: [/id]
`), 0o644); err != nil {
		t.Fatal(err)
	}
	cat, diags := catalog.Load(context.Background(), path)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	built, diags := catalog.Build(context.Background(), cat)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	var got recordingRegistry
	if err := AddCollections(&got, built); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "acme/events" || got[1].Name != "acme/plain" {
		t.Fatalf("registered %+v", got)
	}
	want := journal.FragmentTemplate{Length: 64 << 20, CompressionCodec: "NONE", FlushInterval: 90 * time.Minute, Retention: 48 * time.Hour}
	if got[0].Fragments != want || len(got[0].PartitionFields) != 1 || got[0].PartitionFields[0] != "region" {
		t.Fatalf("acme/events: %+v, want fragments %+v and partition region", got[0], want)
	}
	if got[1].Fragments != (journal.FragmentTemplate{}) {
		t.Fatalf("acme/plain has no settings, but registered %+v", got[1].Fragments)
	}
}
