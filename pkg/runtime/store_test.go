package runtime

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/pkg/connector"
	"github.com/flowctl/flowctl/pkg/journal"
)

func TestRecoveryStoreRoundTrip(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenRecoveryStore(dir, TaskCapture, "acme/hello")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Load(); err != nil || got != nil {
		t.Fatalf("new store: got %v, %v; want nil, nil", got, err)
	}
	cp := &ShardCheckpoint{
		Sources: map[string]connector.SourceCheckpoint{
			SourceKey("acme/greetings/pivot=00", "derive/acme/x/t"): {ReadThrough: 42, Producers: []connector.ProducerEntry{
				{ID: []byte{1, 2, 3, 4, 5, 6}, State: connector.ProducerState{LastAck: 99, Begin: -1}},
			}},
		},
		AckIntents:     map[string][]byte{"acme/greetings/pivot=00": []byte("{\"_meta\":{}}\n")},
		ConnectorState: json.RawMessage(`{"cursor":7}`),
		Producer:       journal.ProducerID{1, 2, 3, 4, 5, 6},
		Clock:          12345,
	}
	for range 2 { // A second commit replaces the first.
		if err := s.Commit(cp); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, cp) {
		t.Errorf("loaded %+v, committed %+v", got, cp)
	}
	entries, _ := os.ReadDir(s.Dir())
	if len(entries) != 1 {
		t.Errorf("shard directory holds %d entries, want only the checkpoint", len(entries))
	}
	if want := filepath.Join(dir, "shards", "capture", "acme", "hello"); s.Dir() != want {
		t.Errorf("Dir = %s, want %s", s.Dir(), want)
	}

	// A damaged checkpoint is reported with its path and what to do.
	os.WriteFile(filepath.Join(s.Dir(), checkpointFile), []byte("{torn"), 0o644)
	if _, err := s.Load(); err == nil || !strings.Contains(err.Error(), "remove the shard directory") {
		t.Errorf("damaged checkpoint: got %v", err)
	}
}

func TestSourceCheckpointConversion(t *testing.T) {
	cp := journal.Checkpoint{Offset: 10, Producers: []journal.ProducerCheckpoint{{ID: journal.ProducerID{9, 8, 7, 6, 5, 4}, LastAck: 5, Begin: 3}}}
	back, err := fromSourceCheckpoint("k", toSourceCheckpoint(cp))
	if err != nil || !reflect.DeepEqual(back, cp) {
		t.Errorf("round trip: %+v, %v", back, err)
	}
	bad := connector.SourceCheckpoint{Producers: []connector.ProducerEntry{{ID: []byte{1}}}}
	if _, err := fromSourceCheckpoint("j;s", bad); err == nil || !strings.Contains(err.Error(), "j;s") {
		t.Errorf("short producer ID: got %v", err)
	}
	if j, s := splitSourceKey(SourceKey("a/b/pivot=00", "materialize/m/t")); j != "a/b/pivot=00" || s != "materialize/m/t" {
		t.Errorf("splitSourceKey: %q %q", j, s)
	}
}

func FuzzDecodeCheckpoint(f *testing.F) {
	f.Add([]byte(`{"sources":{"a/pivot=00;x":{"readThrough":"5","producers":[{"id":"AQIDBAUG","state":{"lastAck":"9","begin":"-1"}}]}},"producer":"010203040506","clock":7}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cp, err := DecodeCheckpoint(data)
		if err != nil {
			return
		}
		again, err := json.Marshal(cp)
		if err != nil {
			t.Fatalf("a decoded checkpoint does not encode: %v", err)
		}
		cp2, err := DecodeCheckpoint(again)
		if err != nil {
			t.Fatalf("an encoded checkpoint does not decode: %v", err)
		}
		if third, _ := json.Marshal(cp2); string(third) != string(again) {
			t.Fatalf("re-encoding changed the checkpoint:\n%s\n%s", again, third)
		}
	})
}
