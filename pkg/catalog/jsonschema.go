package catalog

import _ "embed"

//go:embed catalog.schema.json
var catalogSchema []byte

// JSONSchema returns the JSON Schema (draft 2020-12) of catalog files, for editors and for checking
// catalogs with other tools.
func JSONSchema() []byte { return catalogSchema }
