package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/flowctl/flowctl/internal/catalogtest"
	"github.com/flowctl/flowctl/pkg/journal"
)

const ingestCatalog = `
collections:
  i/events:
    schema:
      type: object
      properties: {id: {type: integer}, region: {type: string}}
      required: [id, region]
    key: [/id]
    projections:
      region: {location: /region, partition: true}
`

// flakyClient fails one append of a chosen kind (documents or ACKs), once: either before anything
// is written, or after the append is durable (an acknowledgement lost on its way back).
type flakyClient struct {
	journal.Client
	failAcks     bool // fail an append of ACKs, not of documents
	afterWriting bool
	failed       bool
}

func (c *flakyClient) Append(ctx context.Context, appends []journal.Append) error {
	isAck := len(appends) > 0 && bytes.Contains(appends[0].Content, []byte(`"ack":true`))
	if c.failed || isAck != c.failAcks {
		return c.Client.Append(ctx, appends)
	}
	c.failed = true
	if c.afterWriting {
		if err := c.Client.Append(ctx, appends); err != nil {
			return err
		}
	}
	return errors.New("injected append failure")
}

// TestIngestRetryAfterFailedAppend retries an ingest whose append failed, as a client of the ingest
// API does: every document must be committed exactly once, whatever ACK comes later.
func TestIngestRetryAfterFailedAppend(t *testing.T) {
	for _, tc := range []struct {
		name                   string
		failAcks, afterWriting bool
	}{
		{"documents written, acknowledgement lost", false, true},
		{"documents not written", false, false},
		{"ACKs not written", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			src := filepath.Join(dir, "flow.yaml")
			if err := os.WriteFile(src, []byte(ingestCatalog), 0o644); err != nil {
				t.Fatal(err)
			}
			built := catalogtest.BuildFile(t, src)
			l, err := journal.OpenLocal(journal.LocalOptions{DataDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			if err := l.AddCollection(journal.CollectionSpec{Name: "i/events", PartitionFields: []string{"region"}}); err != nil {
				t.Fatal(err)
			}
			client := &flakyClient{Client: l, failAcks: tc.failAcks, afterWriting: tc.afterWriting}
			rt := New(Options{Built: built, Client: client, DataDir: dir})
			coll := built.Collection("i/events")
			ctx := context.Background()
			first := []json.RawMessage{json.RawMessage(`{"id":1,"region":"eu"}`), json.RawMessage(`{"id":2,"region":"us"}`)}

			if err := rt.Ingest(ctx, coll, first); err == nil {
				t.Fatal("the ingest whose append failed reported success")
			}
			if err := rt.Ingest(ctx, coll, first); err != nil {
				t.Fatalf("retry: %v", err)
			}
			if err := rt.Ingest(ctx, coll, []json.RawMessage{json.RawMessage(`{"id":3,"region":"eu"}`)}); err != nil {
				t.Fatalf("next ingest: %v", err)
			}
			if got, want := committedIDs(t, l, "i/events"), []string{"1", "2", "3"}; !slices.Equal(got, want) {
				t.Errorf("committed ids %v, want each of %v once", got, want)
			}
		})
	}
}

// committedIDs reads the ids of every committed document of a collection, sorted.
func committedIDs(t *testing.T, client journal.Client, collection string) []string {
	t.Helper()
	ctx := context.Background()
	infos, err := client.ListJournals(ctx, collection)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, info := range infos {
		r, err := journal.ReadCommitted(ctx, client, info.Name, journal.Checkpoint{}, false)
		if err != nil {
			t.Fatal(err)
		}
		for {
			d, err := r.Next(ctx)
			if err != nil {
				break
			}
			if d.IsAck() {
				continue
			}
			var v struct{ ID json.Number }
			if err := json.Unmarshal(d.Raw, &v); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, v.ID.String())
		}
		r.Close()
	}
	slices.Sort(ids)
	return ids
}
