package journal

import (
	"encoding/hex"
	"fmt"
)

// Checkpoint is the resumable state of a read-committed reader of one journal, as Gazette checkpoints
// a source: the offset read through, and per producer its last acknowledged clock and the offset of
// its open transaction's first document (-1 if none), which a resumed reader replays from.
type Checkpoint struct {
	Offset    int64                `json:"readThrough"`
	Producers []ProducerCheckpoint `json:"producers,omitempty"`
}

// ProducerCheckpoint is one producer's sequencing state.
type ProducerCheckpoint struct {
	ID      ProducerID `json:"id"`
	LastAck Clock      `json:"lastAck"`
	Begin   int64      `json:"begin"`
}

// MarshalText writes a ProducerID as 12 hex digits.
func (p ProducerID) MarshalText() ([]byte, error) { return []byte(hex.EncodeToString(p[:])), nil }

// UnmarshalText reads a ProducerID written by MarshalText.
func (p *ProducerID) UnmarshalText(b []byte) error {
	if n, err := hex.Decode(p[:], b); err != nil || n != len(p) || len(b) != 2*len(p) {
		return fmt.Errorf("producer ID %q is not 12 hex digits", b)
	}
	return nil
}
