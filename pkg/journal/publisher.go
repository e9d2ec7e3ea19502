package journal

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// Publisher stamps documents of one producer with UUIDs and appends them as transactions, as a Flow
// shard does: documents go out with CONTINUE flags, and ACK documents later commit them.
//
// A runtime that stages and appends documents, checkpoints AckIntents and Clock, and only then appends
// the ACKs must, after a crash, do one of two things before this producer publishes again:
//   - append the checkpointed ACK intents again, then resume with NewPublisher(client, producer,
//     checkpointed clock, now): the ACKs commit exactly the documents of the interrupted transaction
//     (readers drop the ACKs they already saw as duplicates), or
//   - publish under a new ProducerID: documents the old producer left without an ACK are never
//     committed.
//
// Resuming the same producer without re-appending its ACK intents is wrong: its next ACK in a journal
// would commit that journal's orphaned documents along with the new ones, while the orphans in other
// journals stay uncommitted, breaking the transaction's atomicity.
type Publisher struct {
	client   Client
	producer ProducerID
	clock    Clock
	now      func() time.Time
	touched  map[string]bool // Journals written since the last acknowledgement.
}

// NewPublisher returns a Publisher for producer, whose clock starts at the later of now and resume
// (the last clock the producer used, so that clocks never repeat across restarts).
func NewPublisher(client Client, producer ProducerID, resume Clock, now func() time.Time) *Publisher {
	if now == nil {
		now = time.Now
	}
	p := &Publisher{client: client, producer: producer, clock: resume, now: now, touched: map[string]bool{}}
	return p
}

// Producer is the publisher's ProducerID.
func (p *Publisher) Producer() ProducerID { return p.producer }

// Clock is the last clock the publisher stamped.
func (p *Publisher) Clock() Clock { return p.clock }

// UUIDPlaceholder stands in for a document's UUID until the publisher stamps it, as in Flow's
// runtime: documents are validated and combined with it at /_meta/uuid, so that schemas requiring
// a UUID accept them. It is as long as a UUID's text, so stamping replaces it in place.
const UUIDPlaceholder = "DocUUIDPlaceholder-329Bb50aa48EAa9ef"

// Document is a document bound for a journal, in one of two forms:
//   - JSON: the document encoded as it is to be written (one line, no newline), with
//     UUIDPlaceholder's text at byte UUIDAt, where the publisher writes the document's UUID. The
//     encoder says where it wrote the placeholder, so a user's string of the same text is never
//     taken for it.
//   - Doc (when JSON is nil): a JSON object whose /_meta/uuid the publisher sets before encoding it.
type Document struct {
	Journal string
	JSON    []byte
	UUIDAt  int
	Doc     map[string]any
}

// nextUUID ticks the clock and builds the next UUID with flags.
func (p *Publisher) nextUUID(flags Flags) UUID {
	p.clock.Update(p.now())
	p.clock.Tick()
	u, _ := BuildUUID(p.producer, p.clock, flags) // Flags are one of the three constants: they fit.
	return u
}

// Stage stamps docs with CONTINUE_TXN UUIDs and encodes them per journal, without appending. The
// caller appends the result (and may persist it in its checkpoint first).
func (p *Publisher) Stage(docs []Document) ([]Append, error) {
	byJournal := map[string]*bytes.Buffer{}
	var order []string
	for _, d := range docs {
		if d.JSON != nil && (d.UUIDAt < 0 || d.UUIDAt > len(d.JSON)-len(UUIDPlaceholder) ||
			string(d.JSON[d.UUIDAt:d.UUIDAt+len(UUIDPlaceholder)]) != UUIDPlaceholder) {
			return nil, fmt.Errorf("a document for %s has no UUID placeholder at byte %d (the encoder misplaced it)", d.Journal, d.UUIDAt)
		}
		buf, ok := byJournal[d.Journal]
		if !ok {
			buf = new(bytes.Buffer)
			byJournal[d.Journal] = buf
			order = append(order, d.Journal)
		}
		uuid := p.nextUUID(FlagContinue)
		if d.JSON != nil {
			at := buf.Len() + d.UUIDAt
			buf.Write(d.JSON)
			uuid.AppendTo(buf.Bytes()[:at]) // Over the placeholder, in place: the buffer holds it.
			buf.WriteByte('\n')
		} else {
			meta, _ := d.Doc["_meta"].(map[string]any)
			if meta == nil {
				meta = map[string]any{}
				d.Doc["_meta"] = meta
			}
			meta["uuid"] = uuid.String()
			if err := encodeLine(buf, d.Doc); err != nil {
				return nil, fmt.Errorf("encoding a document for %s: %w", d.Journal, err)
			}
		}
		p.touched[d.Journal] = true
	}
	out := make([]Append, 0, len(order))
	for _, j := range order {
		out = append(out, Append{Journal: j, Content: byJournal[j].Bytes()})
	}
	return out, nil
}

// AckIntents returns the ACK documents that commit the current transaction in every journal it
// touched, and starts the next transaction. Flow persists these in its checkpoint before appending
// them, so that a crash re-sends them.
func (p *Publisher) AckIntents() []Append {
	journals := make([]string, 0, len(p.touched))
	for j := range p.touched {
		journals = append(journals, j)
	}
	sort.Strings(journals)
	uuid := p.nextUUID(FlagAck)
	out := make([]Append, 0, len(journals))
	for _, j := range journals {
		const prefix, suffix = `{"_meta":{"ack":true,"uuid":"`, `"}}` + "\n"
		ack := append(make([]byte, 0, len(prefix)+36+len(suffix)), prefix...)
		out = append(out, Append{Journal: j, Content: append(uuid.AppendTo(ack), suffix...)})
	}
	p.touched = map[string]bool{}
	return out
}

// Publish appends docs and then their ACKs as one durable transaction of the producer.
func (p *Publisher) Publish(ctx context.Context, docs []Document) error {
	appends, err := p.Stage(docs)
	if err != nil {
		return err
	}
	if err := p.client.Append(ctx, appends); err != nil {
		return err
	}
	return p.client.Append(ctx, p.AckIntents())
}

// encodeLine writes v as one JSON line with sorted keys and no HTML escaping.
func encodeLine(buf *bytes.Buffer, v any) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
