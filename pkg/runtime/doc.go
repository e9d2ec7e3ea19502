// Package runtime runs a built catalog's tasks as shards with Flow's transaction loop.
//
// Every task is one shard covering the full key range. A shard reads its sources read-committed
// (Reader), publishes through a journal.Publisher with CONTINUE flags, commits a ShardCheckpoint
// (source offsets and producer states, connector state, ACK intents, its producer and clock) to
// its recovery store, and only then appends the ACKs that make its documents visible. After a
// crash the shard recovers the checkpoint and appends its ACK intents again, so each document
// lands exactly once.
//
// The package is a library: pkg/develop runs a Runtime on a local data directory, and the test
// runner and preview drive the same shards with their own clocks.
package runtime
