// Package materialize holds flowctl's built-in materialize connectors: materialize-sqlite and
// materialize-postgres (exactly-once through a fenced flow_checkpoints_v1 table written in the
// same transaction as the rows) and materialize-files (JSON-lines files, written atomically per
// transaction). Importing the package registers them with pkg/connector.
package materialize
