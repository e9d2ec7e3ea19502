// Package api holds the wire types of flowd's HTTP JSON API and the name rules both ends enforce.
// The server (pkg/controlplane) and the client (pkg/draft) share it, so neither imports the other.
package api
