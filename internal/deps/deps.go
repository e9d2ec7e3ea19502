// Package deps pins the project's planned dependencies in go.mod while several packages are being
// written at once, so that parallel `go get` runs do not race on go.mod. Remove it once every
// dependency below is imported by real code.
package deps

import (
	_ "github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/klauspost/compress/gzip"
	_ "github.com/klauspost/compress/zstd"
	_ "github.com/mattn/go-sqlite3"
	_ "github.com/santhosh-tekuri/jsonschema/v6"
	_ "golang.org/x/text/cases"
	_ "golang.org/x/text/unicode/norm"
)
