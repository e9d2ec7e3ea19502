// Package generate turns a built catalog into the files a developer works with, as `flowctl
// generate` writes them: TypeScript types of every collection and the IDerivation class of
// TypeScript derivations (under flow_generated/typescript/ of the project root, where Flow writes
// them), starter modules and SQL files for derivations whose files are missing, and the CREATE
// TABLE statements the built-in SQL materializations run for their bindings.
//
// Types come from pkg/schema shapes, never from raw schemas, so generated types agree with what
// validation, keys and projections see. Output is deterministic: the same catalog always gives the
// same bytes, and writing unchanged files leaves them untouched.
package generate
