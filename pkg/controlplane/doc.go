// Package controlplane is flowd's server: users, API tokens and prefix grants; drafts; publications
// that build a draft over the live catalog and commit it atomically; live specs with their history;
// and the HTTP JSON API over all of it. Storage is database/sql over SQLite or PostgreSQL, with one
// schema and one set of migrations.
package controlplane
