// Package materialize holds flowctl's built-in materialize connectors: materialize-sqlite and
// materialize-postgres (exactly-once through a fenced flow_checkpoints_v1 table written in the
// same transaction as the rows) and materialize-files (JSON-lines files, written atomically per
// transaction). Importing the package registers them with pkg/connector.
//
// The checkpoint column of flow_checkpoints_v1 differs from Estuary's connectors: Flow stores
// base64 of the protobuf encoding of Gazette's consumer.Checkpoint, flowctl stores base64 of
// the checkpoint's JSON codec form. The table's layout and fencing are Flow's, but a table
// written by Estuary's connector cannot be resumed by flowctl's (open fails, saying so), nor
// the reverse: a materialization moved between them starts over from a new table or from a
// deleted checkpoint row.
package materialize
