// Package journal stores collections as journals of JSON-lines fragment files, in Gazette's layout.
//
// A collection has one journal per logical partition, named as Flow names them
// (`<collection>/<field>=<value>/.../pivot=00`). Documents carry v1 UUIDs at /_meta/uuid whose flags
// say whether they stand alone (OUTSIDE), belong to a pending transaction (CONTINUE) or commit one
// (ACK). Journals are written by appends that are durable before they are acknowledged, and persisted
// as fragment files `<journal>/utc_date=YYYY-MM-DD/utc_hour=HH/<begin>-<end>-<sha1>.gz` that any tool
// can read. Readers follow journals from any offset and, read-committed, sequence documents as
// Gazette's message.Sequencer does.
//
// Client is the interface the runtime uses; Local is its implementation on a local data directory.
package journal
