package runtime

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/flowctl/flowctl/pkg/journal"
)

// recoverPublisher completes (or rolls back) the transaction of a recovered checkpoint by appending
// its ACK intents again, and returns the shard's publisher, resuming its producer and clock.
func recoverPublisher(ctx context.Context, client journal.Client, cp *ShardCheckpoint, now func() time.Time) (*journal.Publisher, error) {
	if cp == nil || cp.Producer == (journal.ProducerID{}) {
		id, err := journal.NewProducerID()
		if err != nil {
			return nil, err
		}
		return journal.NewPublisher(client, id, 0, now), nil
	}
	if acks := ackAppends(cp.AckIntents); len(acks) > 0 {
		if err := client.Append(ctx, acks); err != nil {
			return nil, fmt.Errorf("appending recovered ACK intents: %w", err)
		}
	}
	return journal.NewPublisher(client, cp.Producer, cp.Clock, now), nil
}

func ackAppends(intents map[string][]byte) []journal.Append {
	out := make([]journal.Append, 0, len(intents))
	for j, content := range intents {
		out = append(out, journal.Append{Journal: j, Content: content})
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Journal < out[b].Journal })
	return out
}

// Published counts what a transaction published: documents, and their bytes as appended.
type Published struct {
	Docs, Bytes int64
	// ByJournal is Bytes by journal, from which the ops stats count bytes by collection.
	ByJournal map[string]int64
}

// CommitTransaction is Flow's commit of a publishing shard: append the documents with CONTINUE
// flags, durably commit the checkpoint cp with the ACK intents and the producer's clock (commit),
// and only then append the ACKs that make the documents visible to read-committed readers. A
// transaction without a checkpoint (an ingest) passes a nil commit; cp is then ignored.
//
// After an error the publisher must not publish again as is (see journal.Publisher): a shard
// recovers from its checkpoint, and a caller without one abandons the producer.
func CommitTransaction(ctx context.Context, client journal.Client, pub *journal.Publisher, docs []journal.Document,
	cp *ShardCheckpoint, commit func(*ShardCheckpoint) error) (Published, error) {
	out := Published{Docs: int64(len(docs))}
	if len(docs) > 0 {
		appends, err := pub.Stage(docs)
		if err != nil {
			return Published{}, err
		}
		out.ByJournal = make(map[string]int64, len(appends))
		for _, a := range appends {
			out.Bytes += int64(len(a.Content))
			out.ByJournal[a.Journal] += int64(len(a.Content))
		}
		if err := client.Append(ctx, appends); err != nil {
			return Published{}, fmt.Errorf("appending documents: %w", err)
		}
	}
	acks := pub.AckIntents()
	if commit != nil {
		cp.AckIntents = make(map[string][]byte, len(acks))
		for _, a := range acks {
			cp.AckIntents[a.Journal] = a.Content
		}
		cp.Producer, cp.Clock = pub.Producer(), pub.Clock()
		if err := commit(cp); err != nil {
			return Published{}, fmt.Errorf("committing the checkpoint: %w", err)
		}
	}
	if len(acks) > 0 {
		if err := client.Append(ctx, acks); err != nil {
			return Published{}, fmt.Errorf("appending ACKs: %w", err)
		}
	}
	return out, nil
}
