package runtime

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/flowctl/flowctl/pkg/connector"
	"github.com/flowctl/flowctl/pkg/journal"
)

// ShardCheckpoint is everything a shard commits atomically at the end of a transaction, as a Flow
// shard commits its recovery log.
type ShardCheckpoint struct {
	// Sources are read-through offsets and producer states, keyed `<journal>;<read suffix>`.
	Sources map[string]connector.SourceCheckpoint `json:"sources,omitempty"`
	// AckIntents are the ACK documents, per journal, that commit the transaction's appends. They are
	// appended only after the checkpoint is durable, and again on recovery.
	AckIntents map[string][]byte `json:"ackIntents,omitempty"`
	// ConnectorState is a capture's or materialization's connector state after merging the
	// transaction's updates.
	ConnectorState json.RawMessage `json:"connectorState,omitempty"`
	// Producer and Clock are the shard's publishing identity and its last clock, so that clocks keep
	// growing across restarts.
	Producer journal.ProducerID `json:"producer"`
	Clock    journal.Clock      `json:"clock,omitempty"`
}

// openState is the connector state a connector is opened with: {} before its first checkpoint.
func (cp *ShardCheckpoint) openState() json.RawMessage {
	if len(cp.ConnectorState) == 0 {
		return json.RawMessage(`{}`)
	}
	return cp.ConnectorState
}

// SourceKey is the checkpoint key of a journal read under a read suffix.
func SourceKey(journalName, readSuffix string) string {
	return journalName + ";" + readSuffix
}

// splitSourceKey undoes SourceKey.
func splitSourceKey(key string) (journalName, readSuffix string) {
	journalName, readSuffix, _ = strings.Cut(key, ";")
	return journalName, readSuffix
}

// toSourceCheckpoint converts a reader's checkpoint to gazette's wire form.
func toSourceCheckpoint(cp journal.Checkpoint) connector.SourceCheckpoint {
	out := connector.SourceCheckpoint{ReadThrough: cp.Offset}
	for _, p := range cp.Producers {
		out.Producers = append(out.Producers, connector.ProducerEntry{
			ID:    append([]byte(nil), p.ID[:]...),
			State: connector.ProducerState{LastAck: uint64(p.LastAck), Begin: p.Begin},
		})
	}
	return out
}

// fromSourceCheckpoint converts gazette's wire form back to a reader's checkpoint.
func fromSourceCheckpoint(key string, sc connector.SourceCheckpoint) (journal.Checkpoint, error) {
	out := journal.Checkpoint{Offset: sc.ReadThrough}
	for _, p := range sc.Producers {
		var id journal.ProducerID
		if len(p.ID) != len(id) {
			return journal.Checkpoint{}, fmt.Errorf("checkpoint of %s: producer ID has %d bytes, not %d", key, len(p.ID), len(id))
		}
		copy(id[:], p.ID)
		out.Producers = append(out.Producers, journal.ProducerCheckpoint{
			ID: id, LastAck: journal.Clock(p.State.LastAck), Begin: p.State.Begin,
		})
	}
	return out, nil
}

// Runtime returns the checkpoint in the form materialization connectors store
// (gazette's consumer.Checkpoint).
func (c *ShardCheckpoint) Runtime() *connector.Checkpoint {
	return &connector.Checkpoint{Sources: c.Sources, AckIntents: c.AckIntents}
}
