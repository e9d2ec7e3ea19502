// Package connector speaks Flow's capture and materialize connector protocols.
//
// It holds the protocol messages with Flow's JSON codec (one message per line, proto3-JSON field
// names, 64-bit integers as strings, bytes as base64, configs and documents embedded as raw JSON),
// runs connectors as local processes, in a Docker engine, or in process (the built-in registry),
// and checks the message order a connector must follow. It never imports the catalog: specs arrive
// inside the messages.
package connector
